"""The LGFV pack against its source, 《银行地方政府融资平台信贷管理工作指导意见》 (shared reference 002):
small scenarios at each requirement and boundary, each built so that the pack as it stood before failed it."""
from __future__ import annotations

import subprocess
import sys

from tests.rulesets.example_checks import ROOT
from tests.rulesets.scenario import flagged, lines, run


def platforms(*rows: tuple[str, str]) -> list[dict]:
    """PTMD rows (level, founding government's code), each its own platform."""
    return [{"PTTYDM": f"LGFVPLATFORM{i:06d}", "PTCJ": level, "SLZFDM": code} for i, (level, code) in enumerate(rows)]


# ---------------------------------------------------------------- 第四条(三): the platform level

def test_level_follows_the_government_not_the_code_digits(tmp_path):
    """直辖市 districts numbered above 20 are 市级 and province-administered county-level cities (XX90YY)
    are 县级 — valid data the digit rule used to fail."""
    valid = platforms(("市级", "500151"), ("市级", "310151"), ("县级", "429004"), ("县级", "469005"),
                      ("县级", "659001"), ("市级", "110105"), ("县级", "500235"), ("县级", "320583"),
                      ("区级", "320505"), ("市级", "320500"), ("省级", "500000"), ("省级", "320000"))
    assert flagged(run(tmp_path, "lgfv", {"PTMD": valid}), "PTMD.level") == []


def test_level_mismatches_are_found(tmp_path):
    wrong = platforms(("县级", "500151"), ("区级", "429004"), ("区级", "469005"), ("区级", "110105"),
                      ("市级", "320583"), ("县级", "320500"), ("市级", "500000"))
    found = run(tmp_path, "lgfv", {"PTMD": wrong})
    assert sorted(line for _, _, line in flagged(found, "PTMD.level")) == [2, 3, 4, 5, 6, 7, 8]
    assert lines(found, "PTMD.level_county") == [2, 7] and lines(found, "PTMD.level_district") == [3, 4, 5]


def test_codes_not_in_force_are_left_to_the_division_rule(tmp_path):
    found = run(tmp_path, "lgfv", {"PTMD": platforms(("县级", "320584"))})   # 吴江市, a district since 2012
    assert flagged(found, "PTMD.level") == [] and lines(found, "PTMD.SLZFDM.division") == [2]


def test_level_code_lists_are_current():
    """specs/lgfv/codelists.yaml holds the level lists generated from engine/data/gbt2260.csv."""
    done = subprocess.run([sys.executable, str(ROOT / "specs" / "lgfv" / "tools" / "build_level_codes.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


# ---------------------------------------------------------------- scenarios over the three tables

P1, P2 = "LGFVSCENARIO000001", "LGFVSCENARIO000002"


def listed(pid: str, **fields) -> dict:
    return {"PTTYDM": pid, "MDZT": "监管类", "PTCJ": "县级", "SLZFDM": "320583", "TCRQ": "99991231", "SFTDCB": "否",
            "ZHSPRQ": "", "SFQZRQ": "", **fields}


def assessed(pid: str, **fields) -> dict:
    return {"PTTYDM": pid, "PGRQ": "20240630", "XJLFGL": "120", "FGLB": "全覆盖", "FXQZ": "100", "ZZC": "1000",
            "ZFZ": "500", "ZCFZL": "50", "SFSJ": "是", "SQTC": "否", "GSZL": "是", "QBFG": "是", "ZGHG": "是",
            "YSNR": "是", "YWYJL": "否", "BHDKYE": "0", **fields}


def new_loan(pid: str, no: int, **fields) -> dict:
    return {"JJH": f"JJ{no:04d}", "BGRQ": "20240630", "KHTYDM": pid, "SFPTKH": "是", "SFXZ": "是", "HKLY": "自身经营收入",
            "FFRQ": "20240601", "DQRQ": "20290531", "DKJE": "100", "DKYE": "100", "FXQZ": "100", "DKTX": "收费公路项目",
            "GCJD": "", "SFZBJDW": "", "SFZFDB": "否", "SFGYZCDY": "否", "JBJGQH": "320500", "NHBCS": "2", **fields}


def test_a_clean_new_loan_passes_every_condition(tmp_path):
    found = run(tmp_path, "lgfv", {"PTMD": [listed(P1)], "PTFG": [assessed(P1)], "PTDK": [new_loan(P1, 1)]})
    assert flagged(found, "PTDK.new_loan") == [] and flagged(found, "PTDK.platform") == []


def test_the_six_preconditions_of_a_new_loan(tmp_path):
    """第七条: beyond 全覆盖 and < 80 %, no government guarantee, rectified and budgeted existing loans, a local platform."""
    found = run(tmp_path, "lgfv", {
        "PTMD": [listed(P1), listed(P2, SLZFDM="310115", PTCJ="市级")],
        "PTFG": [assessed(P1, ZGHG="否"), assessed(P2, YSNR="否")],
        "PTDK": [new_loan(P1, 1, SFZFDB="是"), new_loan(P1, 2, SFGYZCDY="是"), new_loan(P2, 3)]})
    assert lines(found, "PTDK.new_loan_guarantee") == [2, 3]
    assert lines(found, "PTDK.new_loan_rectified") == [2, 3, 4]
    assert lines(found, "PTDK.new_loan_local") == [4]


def test_the_five_permitted_uses(tmp_path):
    """第八条: one of five uses; a project under construction needs 60 % progress (以上 includes 60) and 全覆盖."""
    loans = [new_loan(P1, 1, DKTX="其他"), new_loan(P1, 2, DKTX="在建项目", GCJD="59.99"),
             new_loan(P1, 3, DKTX="在建项目", GCJD="60"), new_loan(P1, 4, DKTX="在建项目", GCJD="60.01"),
             new_loan(P1, 5, DKTX="国务院审批或核准的重大项目", SFZBJDW="否"), new_loan(P1, 6, DKTX="土地储备贷款"),
             new_loan(P1, 7, DKTX="保障性安居工程")]
    found = run(tmp_path, "lgfv", {"PTMD": [listed(P1)], "PTFG": [assessed(P1)], "PTDK": loans})
    assert lines(found, "PTDK.new_loan_use") == [2]
    assert lines(found, "PTDK.new_loan_under_construction") == [3]
    assert lines(found, "PTDK.new_loan_major_project_capital") == [6]
    assert lines(found, "PTDK.new_loan_land_reserve") == [7]


def test_no_welfare_loans_to_an_exited_platform(tmp_path):
    """第九条: after the exit (30 June 2023) no social-housing or public-welfare loans; before it, or other uses, pass."""
    exited = listed(P1, MDZT="退出类", TCRQ="20230630", SFQZRQ="20230630", ZHSPRQ="20230615")
    loans = [new_loan(P1, 1, SFPTKH="否", SFXZ="否", DKTX="保障性安居工程", FFRQ="20230630"),
             new_loan(P1, 2, SFPTKH="否", SFXZ="否", DKTX="其他公益性项目", FFRQ="20240301"),
             new_loan(P1, 3, SFPTKH="否", SFXZ="否", DKTX="保障性安居工程", FFRQ="20230629"),
             new_loan(P1, 4, SFPTKH="否", SFXZ="否", DKTX="收费公路项目", FFRQ="20240301")]
    found = run(tmp_path, "lgfv", {"PTMD": [exited], "PTFG": [assessed(P1)], "PTDK": loans})
    assert lines(found, "PTDK.no_welfare_to_exited") == [2, 3]


def test_exit_at_exactly_70_percent_is_allowed(tmp_path):
    """第十四条(二) "资产负债率在70%以下": 以下 includes 70.00 (民法典第一千二百五十九条); 70.01 does not qualify."""
    rows = [assessed(f"LGFVEXIT{i:010d}", SQTC="是", ZCFZL=ratio, ZFZ=str(float(ratio) * 10))
            for i, ratio in enumerate(["69.99", "70", "70.00", "70.01"])]
    found = run(tmp_path, "lgfv", {"PTFG": rows})
    assert lines(found, "PTFG.exit_conditions") == [5]


def test_the_other_exit_conditions_and_their_loss(tmp_path):
    """第十四条(一)(三)(四)(五) for an exit; 第十七条: an exited platform that no longer meets them returns to the list."""
    exited = listed(P2, MDZT="退出类", TCRQ="20230630", SFQZRQ="20230630", ZHSPRQ="20230615")
    found = run(tmp_path, "lgfv", {"PTMD": [listed(P1), exited],
                                   "PTFG": [assessed(P1, SQTC="是", YWYJL="是"), assessed(P2, SQTC="否", XJLFGL="90",
                                                                                          FGLB="基本覆盖")]})
    assert lines(found, "PTFG.exit_conditions_other") == [2]
    assert lines(found, "PTFG.exited_still_qualifies") == [3]


def test_exit_date_is_the_three_party_signature_date(tmp_path):
    """第十五条: 平台退出时间以三方签字时间为准; the head office approves before the signature."""
    rows = [listed(P1, MDZT="退出类", TCRQ="20230630", SFQZRQ="20230630", ZHSPRQ="20230615"),
            listed(P2, MDZT="退出类", TCRQ="20230630", SFQZRQ="20230628", ZHSPRQ="20230701"),
            listed("LGFVSCENARIO000003", MDZT="退出类", TCRQ="20230630", SFQZRQ="20230630", ZHSPRQ="")]
    found = run(tmp_path, "lgfv", {"PTMD": rows})
    assert lines(found, "PTMD.exit_date_is_signature") == [3]
    assert lines(found, "PTMD.ZHSPRQ.before_signature") == [3]
    assert lines(found, "PTMD.exit_head_office_approval") == [4]


def test_principal_repaid_at_least_twice_a_year(tmp_path):
    """第二十条: medium and long-term platform loans (over one year) repay principal twice a year or more."""
    loans = [new_loan(P1, 1, SFXZ="否", FFRQ="20240520", DQRQ="20250521", NHBCS="1"),
             new_loan(P1, 2, SFXZ="否", FFRQ="20240520", DQRQ="20250520", NHBCS="1"),
             new_loan(P1, 3, SFXZ="否", FFRQ="20240520", DQRQ="20340519", NHBCS="0"),
             new_loan(P1, 4, SFXZ="否", FFRQ="20240520", DQRQ="20340519", NHBCS="2")]
    found = run(tmp_path, "lgfv", {"PTMD": [listed(P1)], "PTFG": [assessed(P1)], "PTDK": loans})
    assert lines(found, "PTDK.repayment_twice_a_year") == [2, 4]


def test_quarterly_reporting_with_an_assessment_each_quarter(tmp_path):
    """第三条: data reported per quarter end; a platform borrower has that quarter's coverage assessment."""
    loans = [new_loan(P1, 1, SFXZ="否"), new_loan(P2, 2, SFXZ="否"), new_loan(P1, 3, SFXZ="否", BGRQ="20240615")]
    found = run(tmp_path, "lgfv", {"PTMD": [listed(P1), listed(P2)], "PTFG": [assessed(P1)], "PTDK": loans})
    assert lines(found, "PTDK.platform_assessed") == [3]
    assert lines(found, "PTDK.BGRQ.quarter_end") == [4]


def test_the_own_cash_flow_excludes_fiscal_items(tmp_path):
    """第四条(二), 附件3 填表说明2 and 4: items under line 3 name what they are; fiscal and financing money may not
    count, nor land sales without a certificate unless the platform is a land-reserve institution."""
    item = {"PTTYDM": P1, "PGRQ": "20240630", "Y1": "1", "Y2": "1", "Y3": "1", "HJ": "3"}
    rows = [{**item, "HC": "3.1.1", "XMMC": "供水收入", "XJLLB": "自身经营性收入"},
            {**item, "HC": "3.4.1", "XMMC": "财政补贴", "XJLLB": "财政性资金"},
            {**item, "HC": "3.2.1", "XMMC": "地块出让", "XJLLB": "无证土地预期出让收入"},
            {**item, "HC": "3.2.2", "XMMC": "未列类别", "XJLLB": ""},
            {**item, "PTTYDM": P2, "HC": "3.2.1", "XMMC": "地块出让", "XJLLB": "无证土地预期出让收入"}]
    found = run(tmp_path, "lgfv", {"PTMD": [listed(P1), listed(P2, SFTDCB="是")], "XJLFGCS": rows})
    assert lines(found, "XJLFGCS.HC.lines") == []                 # items under a line are valid rows
    assert lines(found, "XJLFGCS.own_cash_flow_only") == [3]
    assert lines(found, "XJLFGCS.land_income_reserve_only") == [4]
    assert lines(found, "XJLFGCS.item_category_required") == [5]


def test_platform_loan_share_not_above_last_year(tmp_path):
    """第十一条: platforms below 100 % coverage or above 80 % leverage hold no larger share of all loans than last
    year; 第十条: the platform total does not grow. The reported balances tie to the assessments and the loans."""
    assessments = [assessed(P1, XJLFGL="99.99", FGLB="基本覆盖", BHDKYE="100"),
                   assessed(P2, XJLFGL="100", ZCFZL="80", ZFZ="800", BHDKYE="70")]
    loans = [new_loan(P1, 1, SFXZ="否", DKYE="100"), new_loan(P2, 2, SFXZ="否", DKYE="70")]
    share = {"BGRQ": "20240630", "GXDKYE": "1000", "PTDKYE": "170", "DFGYE": "100", "SNMGXDKYE": "1000",
             "SNMPTDKYE": "170", "SNMDFGYE": "100"}
    tables = {"PTMD": [listed(P1), listed(P2)], "PTFG": assessments, "PTDK": loans}
    assert flagged(run(tmp_path, "lgfv", {**tables, "PTZB": [share]}), "PTZB") == []
    found = run(tmp_path, "lgfv", {**tables, "PTZB": [{**share, "GXDKYE": "999.99"}]})     # the share grew
    assert lines(found, "PTZB.share_not_above_last_year") == [2]
    found = run(tmp_path, "lgfv", {**tables, "PTZB": [{**share, "SNMPTDKYE": "169.99", "DFGYE": "170"}]})
    assert lines(found, "PTZB.total_not_growing") == [2] and lines(found, "PTZB.share_control_balance_ties") == [2]
