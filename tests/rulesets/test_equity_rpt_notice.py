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


# ---------------------------------------------------------------- 附件一.4(4)-(7), 4(1): changes within one month

def test_share_transfers_capital_and_institution_changes_within_one_month(tmp_path):
    """Registered 1 September 2024: one month ends on 1 October, a holiday, so 8 October is on time, 9 October late."""
    on_time, late = {"BSRQ": "20241008"}, {"BSRQ": "20241009"}
    found = run(tmp_path, "equity_rpt", {
        "GQZR": [{"ZRBH": "ZR1", "BGWCRQ": "20240901", **on_time}, {"ZRBH": "ZR2", "BGWCRQ": "20240901", **late}],
        "ZCZBBG": [{"BGBH": "BG1", "BGWCRQ": "20240901", **on_time}, {"BGBH": "BG2", "BGWCRQ": "20240901", **late}],
        "JGBGXX": [{"BGBH": "JG1", "GSBGRQ": "20240901", **on_time}, {"BGBH": "JG2", "GSBGRQ": "20240901", **late}]})
    assert lines(found, "GQZR.BSRQ.deadline") == [3]
    assert lines(found, "ZCZBBG.BSRQ.deadline") == [3]
    assert lines(found, "JGBGXX.BSRQ.deadline") == [3]


def test_a_new_main_shareholders_chain_within_one_month(tmp_path):
    holder = {"JRXKZH": "B0009H110000001", "BGRQ": "20240630", "GDBH": "GD001", "SFXZ": "是", "SFZYGD": "是",
              "DJRQ": "20240520"}
    chain = {"JRXKZH": "B0009H110000001", "BGRQ": "20240630", "GDBH": "GD001", "CJ": "1"}
    found = run(tmp_path, "equity_rpt", {"GDJBXX": [holder], "GDCTXX": [
        {**chain, "CYRZJHM": "H1", "SFXZZYGD": "是", "GQBGRQ": "20240520", "BSRQ": "20240620"},   # on time
        {**chain, "CYRZJHM": "H2", "SFXZZYGD": "是", "GQBGRQ": "20240520", "BSRQ": "20240621"},   # late
        {**chain, "CYRZJHM": "H3", "SFXZZYGD": "否", "GQBGRQ": "", "BSRQ": "20240610"}]})         # not flagged new
    assert lines(found, "GDCTXX.BSRQ.new_main_deadline") == [3]
    assert lines(found, "GDCTXX.new_main_flag") == [4]


def test_trust_companies_file_their_registered_capital_within_15_working_days(tmp_path):
    """Changed Thursday 25 April 2024: 28 April and 11 May are worked, 1-5 May are not — due Friday 17 May."""
    change = {"JGLB": "信托公司", "BGSX": "注册资本", "GSBGRQ": "20240425"}
    found = run(tmp_path, "equity_rpt", {"JGBGXX": [{**change, "BGBH": "A", "BSRQ": "20240517"},
                                                    {**change, "BGBH": "B", "BSRQ": "20240518"},
                                                    {**change, "BGBH": "C", "JGLB": "商业银行", "BSRQ": "20240520"}]})
    assert lines(found, "JGBGXX.trust_capital_deadline") == [3]


# ---------------------------------------------------------------- 附件一.3: yearly update and main-shareholder assessment

def test_shareholder_data_updated_every_year(tmp_path):
    rows = [{"GDBH": f"GD00{i}", "BGRQ": "20240630", "ZJGXRQ": d} for i, d in enumerate(["20230101", "20221231", "20240601"])]
    found = run(tmp_path, "equity_rpt", {"GDJBXX": rows})
    assert lines(found, "GDJBXX.annual_update") == [3]


def test_main_shareholder_assessment_by_30_may(tmp_path):
    """Due 30 May of the next year; from 10 June a main shareholder of last year must have one."""
    holders = [{"GDBH": g, "BGRQ": "20240630", "SFZYGD": "是", "RGRQ": "20190628"} for g in ("GD001", "GD002")]
    assessment = {"PGJZR": "20231231", "GDBH": "GD001"}
    found = run(tmp_path, "equity_rpt", {"GDJBXX": holders, "ZYGDPG": [
        {**assessment, "BSRQ": "20240530"}, {**assessment, "PGJZR": "20221231", "BSRQ": "20230601"}]})
    assert lines(found, "GDJBXX.main_assessed") == [3]
    assert lines(found, "ZYGDPG.BSRQ.deadline") == [3]


# ---------------------------------------------------------------- 附件二.3(3): the related-party policy every year

def test_related_party_policy_updated_every_year(tmp_path):
    rows = [{"JRXKZH": "B0009H110000001", "BGRQ": "20240630", "ZDBH": "A", "BSRQ": "20221231"},
            {"JRXKZH": "B0009H110000002", "BGRQ": "20240630", "ZDBH": "B", "BSRQ": "20230102"}]
    found = run(tmp_path, "equity_rpt", {"GLJYZD": rows, "JGJCXX": [
        institution("B0009H110000001", "商业银行", "20240331", "20240420"),
        institution("B0009H110000003", "商业银行", "20240331", "20240420")]})
    assert lines(found, "GLJYZD.annual_update") == [2]
    assert lines(found, "JGJCXX.policy_filed") == [3]


# ---------------------------------------------------------------- the fields the annex names

def test_fields_the_annex_names(tmp_path):
    """所有制性质, 注册地, 冻结比例, 质押目的, 业务类型, 定价政策, and 最终受益人 for every entity shareholder."""
    found = run(tmp_path, "equity_rpt", {
        "GDJBXX": [{"GDBH": "GD001", "ZTLX": "法人", "GJDQ": "CHN", "ZZSYR": "", "SYZXZ": "", "ZCD": "", "DJGS": "0", "DJBL": "0"},
                   {"GDBH": "GD002", "ZTLX": "自然人", "ZZSYR": "", "SYZXZ": "", "ZCD": "", "DJGS": "0", "DJBL": "0"},
                   {"GDBH": "GD003", "CGSL": "1000", "DJGS": "200", "DJBL": "2"}],
        "JGJCXX": [institution("B0009H110000001", "商业银行", "20240331", "20240420", ZCD="", SYZXZ="")],
        "ZYDJBD": [{"SJBH": "E1", "SJLX": "质押", "ZYMD": ""}, {"SJBH": "E2", "SJLX": "司法冻结", "ZYMD": ""}],
        "GLJYMX": [{"JYBH": "T1", "YWLX": "", "DJZC": "", "JYJG": ""}]})
    assert lines(found, "GDJBXX.entity_needs_beneficiary") == [2]
    assert lines(found, "GDJBXX.entity_needs_ownership") == [2]
    assert lines(found, "GDJBXX.domestic_entity_needs_place") == [2]
    assert lines(found, "GDJBXX.freeze_ratio") == [4]
    assert lines(found, "JGJCXX.ZCD.required") == [2] and lines(found, "JGJCXX.SYZXZ.required") == [2]
    assert lines(found, "ZYDJBD.pledge_purpose") == [2]
    assert lines(found, "GLJYMX.YWLX.required") == [2] and lines(found, "GLJYMX.DJZC.required") == [2]
    assert lines(found, "GLJYMX.JYJG.required") == [2]


# ---------------------------------------------------------------- citations

def test_timeliness_rules_cite_the_notice():
    import yaml
    from engine.ruleset import load_pack
    pack = load_pack("equity_rpt")
    notes = {}
    for path in sorted((pack.path / "rules").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text("utf-8"))["rules"]:
            notes[item["id"]] = item.get("note", "")
    expected = {"GDJBXX.BSRQ.change_deadline": "101号 附件一.4(2)", "GDJBXX.BSRQ.new_holder_deadline": "101号 附件一.4(3)",
                "GLFR.BSRQ.deadline": "101号 附件二.4(1)", "GLZRR.BSRQ.deadline": "101号 附件二.4(1)",
                "THZG.ZGRQ.deadline": "101号 三(十二)", "ZYDJBD.BSRQ.deadline": "101号 附件一.4(8)(9)",
                "JGJCXX.BSRQ.deadline": "101号 附件二.3(1)", "GLJYJB.BSRQ.deadline": "101号 附件二.3(2)",
                "ZDGLJY.BSRQ.deadline": "101号 附件二.4(2)"}
    for rid, place in expected.items():
        assert place in notes[rid] and "待核" not in notes[rid], rid
    assert "第四条" not in notes["GDJBXX.BSRQ.change_deadline"]
