"""The equity and related-party pack against its source, 银保监办发〔2022〕101号 and its annex (shared reference
004): small scenarios at each requirement and boundary, each built so that the pack as it stood before failed it."""
from __future__ import annotations

from tests.rulesets.scenario import flagged, lines, run

INSURER = "保险公司"


def institution(licence: str, category: str, period_end: str, filed: str, **extra) -> dict:
    return {"JRXKZH": licence, "JGLB": category, "QMRQ": period_end, "BSRQ": filed, **extra}


# ---------------------------------------------------------------- 附件二.3(1): institution base data

def test_insurers_file_the_year_end_figures_by_30_april(tmp_path):
    """An insurer's audited year-end figures are due in Q1 + 30 days, not 30 days after Q4."""
    rows = [institution("B0009H110000001", INSURER, "20231231", "20240415"),       # on time
            institution("B0009H110000002", INSURER, "20231231", "20240430"),       # the last day
            institution("B0009H110000003", INSURER, "20231231", "20240506"),       # late (1-5 May a holiday)
            institution("B0009H110000004", "保险集团（控股）公司", "20211231", "20220505"),  # 30 April 2022 a holiday
            institution("B0009H110000005", "商业银行", "20231231", "20240131")]     # a bank: 30 January
    found = run(tmp_path, "equity_rpt", {"JGJCXX": rows})
    assert flagged(found, "JGJCXX.BSRQ") == [("JGJCXX.BSRQ.deadline", "JGJCXX", 6),
                                             ("JGJCXX.BSRQ.insurer_annual_deadline", "JGJCXX", 4)]


# ---------------------------------------------------------------- 附件一.4(2)(3): shareholder changes, new shareholders

def test_a_new_shareholder_is_judged_by_the_one_month_rule_only(tmp_path):
    """Registered 20 May, learned of 20 May, filed 14 June: within one month of registration, though more than
    10 working days after the knowledge date — on time for a new shareholder, late for a change."""
    rows = [{"GDBH": "GD001", "SFXZ": "是", "DJRQ": "20240520", "BDRQ": "20240520", "BSRQ": "20240614"},
            {"GDBH": "GD002", "SFXZ": "否", "DJRQ": "20190628", "BDRQ": "20240520", "BSRQ": "20240614"},
            {"GDBH": "GD003", "SFXZ": "是", "DJRQ": "20240520", "BDRQ": "20240520", "BSRQ": "20240621"}]
    found = run(tmp_path, "equity_rpt", {"GDJBXX": rows})
    assert flagged(found, "GDJBXX.BSRQ") == [("GDJBXX.BSRQ.change_deadline", "GDJBXX", 3),
                                             ("GDJBXX.BSRQ.new_holder_deadline", "GDJBXX", 4)]
    assert lines(found, "GDJBXX.BSRQ.change_deadline") == [3]
