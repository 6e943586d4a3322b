"""Routing: the debt unit when registered, else the region's finance department (region field,
then USCC positions 3–8, codes in force only), else the provincial finance department."""
import pytest

from engine.reconcile.routing import Recipient, department, route
from tests.reconcile.helpers import UNIT, UNIT2, bank, loan, reconcile, registry

@pytest.mark.parametrize("code,name", [
    ("460000", "海南省财政厅"), ("460100", "海口市财政局"), ("460106", "海口市龙华区财政局"), ("469002", "琼海市财政局"),
    ("460400", "儋州市财政局"), ("110000", "北京市财政局"), ("110101", "北京市东城区财政局"), ("310000", "上海市财政局"),
    ("440000", "广东省财政厅"), ("440305", "深圳市南山区财政局"),
])
def test_department_names(code, name):
    assert department(code) == name


@pytest.mark.parametrize("registered,hints,debtors,province,expected", [
    ([(UNIT, "某公司")], ["460200"], [UNIT], "460000", Recipient("unit", UNIT, "某公司")),
    ([], ["460108"], [UNIT2], "460000", Recipient("finance", "460108", "海口市美兰区财政局")),
    ([], ["999999", None, ""], ["91469005MA5TJ5580X"], "460000", Recipient("finance", "469005", "文昌市财政局")),
    ([], ["460109"], ["91460109MA5TJ5580X"], "460000", Recipient("province", "460000", "海南省财政厅")),  # 460109: no such code
    ([], [], ["91100000MA5TK6690X"], "460000", Recipient("province", "460000", "海南省财政厅")),
    ([], [], [None], None, Recipient("province", "", "省级财政部门")),
    ([], ["460001"], [None], "460000", Recipient("province", "460000", "海南省财政厅")),  # 460001 is no longer in force
])
def test_route(registered, hints, debtors, province, expected):
    assert route(registered, hints, debtors, True, province) == expected


def test_uscc_region_can_be_switched_off():
    assert route([], [], ["91469005MA5TJ5580X"], False, "460000") == Recipient("province", "460000", "海南省财政厅")


def test_findings_are_routed_and_grouped_by_recipient(tmp_path):
    banks = [bank(1),                                                             # matched
             bank(2, BALANCE="9000000.00"),                                       # 少报 → the unit
             bank(3, BORROWER_USCC=UNIT2, BORROWER_REGION="４６０１０８"),           # region field (full-width)
             bank(4, BORROWER_USCC="91469005MA5TJ5580X", BORROWER_REGION=""),    # USCC positions 3–8
             bank(5, BORROWER_USCC="91100000MA5TK6690X", BORROWER_REGION="")]    # nothing: the province
    result = reconcile(tmp_path, [loan(1), loan(2), loan(6)], banks, [registry(7, DEBTOR_USCC=UNIT2, DEBTOR_REGION="460200")])
    routed = sorted((f.rule, f.cls, f.recipient.kind, f.recipient.code, f.recipient.name) for f in result.findings)
    assert routed == [
        ("DP.RECON.LOAN", "debt_only", "unit", UNIT, "海口市城市建设投资有限公司"),
        ("DP.RECON.LOAN", "omitted", "finance", "460108", "海口市美兰区财政局"),
        ("DP.RECON.LOAN", "omitted", "finance", "469005", "文昌市财政局"),
        ("DP.RECON.LOAN", "omitted", "province", "460000", "海南省财政厅"),
        ("DP.RECON.LOAN", "under_reported", "unit", UNIT, "海口市城市建设投资有限公司"),
        ("DP.RECON.REGISTRY", "omitted", "finance", "460200", "三亚市财政局"),
    ]
    groups = result.recipients()
    assert [(g["kind"], g["code"]) for g in groups] == [
        ("unit", UNIT), ("finance", "460108"), ("finance", "460200"), ("finance", "469005"), ("province", "460000"),
        ("branch", "B0001B246010001")]  # every bank-loan finding goes to the lending branch as well (附件5 一)
    assert groups[0]["counts"] == {"under_reported": 1, "debt_only": 1}
    loans = [f for f in result.findings if f.rule == "DP.RECON.LOAN"]
    assert sum(len(g["findings"]) for g in groups) == len(result.findings) + len(loans)
    assert groups[-1]["findings"] == [f.id for f in loans]
