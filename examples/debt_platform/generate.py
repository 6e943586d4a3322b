"""Generate the debt-platform example: a small province's debts as both sides report them, for
last month (agreed) and this month (with planted differences of every class).

    python examples/debt_platform/generate.py              # rewrite 202405/, 202406/ and expected_classification.json
    python examples/debt_platform/generate.py --out DIR    # the same files under DIR (reproducibility check)

The province is 海南省 (GB/T 2260 460000) with real division codes; the eight registered debt
units carry USCCs with valid check characters (computed here); five banks, a WMP subsidiary, a
trust company and an asset manager are the creditors, covering 银行贷款, 银行理财, 信托 and 资管.

Every debt is declared once in DEBTS: its true terms this month, how each side reports it
(``debt`` / ``creditor``: one entry per record, each a set of changes to the truth), whether it
existed last month (``may``; ``may_debt_terms`` what the unit reported differently then), and what
the reconciliation must make of it (``expect``: class, which records, differing fields; ``may_expect``
last month's difference). ``expected_classification.json`` is written from these declarations —
never from an engine run — and tests/reconcile/test_reconcile_example.py asserts the engine reports
exactly that, in full and in monthly mode.

Both months carry the banks' branch directory (BANK_BRANCH) and the list of units and their 主管部门
(UNIT_SUPERVISOR). ``replies/202405/`` holds the feedback workbooks the recipients returned on May's
differences (``replies``: who answered what); June's run with ``--replies`` carries their statuses
(待确认 / 已确认 / 有异议) and lists May's differences that are gone as resolved.
"""
from __future__ import annotations

import argparse
import re
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.spec import load_catalog  # noqa: E402
from examples.common import uscc_code, write_csv_tables, write_json  # noqa: E402

HERE = Path(__file__).resolve().parent
CURRENT, PREVIOUS = "202406", "202405"
PROVINCE = ("460000", "海南省财政厅")
LOAN, REG = "DP.RECON.LOAN", "DP.RECON.REGISTRY"

# ---------------------------------------------------------------- parties


@dataclass(frozen=True)
class Unit:
    uscc: str
    name: str
    kind: str
    region: str
    level: str
    lgfv: str = "是"
    supervisor: str = ""


UNITS = {
    "U1": Unit(uscc_code("91", "460000", "MA5T0001"), "海南省交通投资控股有限公司", "融资平台公司", "460000", "省", supervisor="海南省国资委"),
    "U2": Unit(uscc_code("91", "460100", "MA5RCE5U"), "海口市城市建设投资有限公司", "融资平台公司", "460100", "市", supervisor="海口市国资委"),
    "U3": Unit(uscc_code("91", "460106", "MA5TA0B3"), "海口市龙华区城市更新投资有限公司", "融资平台公司", "460106", "区", supervisor="龙华区财政局"),
    "U4": Unit(uscc_code("91", "460200", "MA5T7K2P"), "三亚市旅游文化投资集团有限公司", "国有控股企业", "460200", "市", "否", "三亚市国资委"),
    "U5": Unit(uscc_code("11", "460203", "00800012"), "三亚市吉阳区住房和城乡建设局", "政府机关", "460203", "区", "否", "吉阳区人民政府"),
    "U6": Unit(uscc_code("91", "460400", "MA5TCD21"), "儋州市水务投资有限公司", "融资平台公司", "460400", "市", supervisor="儋州市国资委"),
    "U7": Unit(uscc_code("12", "469002", "42800193"), "琼海市人民医院", "事业单位", "469002", "县", "否", "琼海市卫生健康委员会"),
    "U8": Unit(uscc_code("91", "469005", "MA5TEF36"), "文昌市城乡建设投资有限公司", "融资平台公司", "469005", "县", supervisor="文昌市国资委"),
}
# debtors that only creditors know: not registered on the platform (X1's 主管部门 is on the list of units)
OUTSIDERS = {
    "X1": Unit(uscc_code("91", "460108", "MA5TGH47"), "海口美兰临空产业园开发有限公司", "国有企业", "460108", "区"),
    "X2": Unit(uscc_code("91", "469005", "MA5TJ558"), "文昌航天城发展有限公司", "国有企业", "", "县"),
    "X3": Unit(uscc_code("91", "100000", "MA5TK669"), "南海远洋投资有限公司", "国有企业", "", ""),
}


@dataclass(frozen=True)
class Creditor:
    code: str
    short: str
    name: str
    branch_code: str = ""
    branch_name: str = ""


BANKS = {
    "ICBC": Creditor("B0001H111000001", "中国工商银行", "中国工商银行股份有限公司", "B0001B246000001", "中国工商银行股份有限公司海南省分行"),
    "ABC": Creditor("B0002H111000001", "中国农业银行", "中国农业银行股份有限公司", "B0002B246000001", "中国农业银行股份有限公司海南省分行"),
    "BOC": Creditor("B0003H111000001", "中国银行", "中国银行股份有限公司", "B0003B246000001", "中国银行股份有限公司海南省分行"),
    "CCB": Creditor("B0004H111000001", "中国建设银行", "中国建设银行股份有限公司", "B0004B246000001", "中国建设银行股份有限公司海南省分行"),
    "CIB": Creditor("B0013H135010001", "兴业银行", "兴业银行股份有限公司", "B0013B246010001", "兴业银行股份有限公司海口分行"),
}
OTHER_BRANCH = ("B0001B246020001", "中国工商银行股份有限公司三亚分行")
UNLISTED_BRANCH = ("B0002B246990001", "中国农业银行股份有限公司某支行")  # not in ABC's branch directory
# the list of units and their 主管部门 (UNIT_SUPERVISOR): who verifies whether a unit must be on the platform
SUPERVISORS = {"X1": ("海口市美兰区国有资产管理局", uscc_code("11", "460108", "MB1A2B3C"), "460108")}


def directory() -> list[dict]:
    """The banks' branch directory: each bank's provincial branch, and ICBC's Sanya branch."""
    rows = [(bank, bank.branch_code, bank.branch_name, "460100") for bank in BANKS.values()]
    rows.append((BANKS["ICBC"], *OTHER_BRANCH, "460200"))
    return [{"HEAD_CODE": bank.code, "HEAD_NAME": bank.name, "BRANCH_CODE": code, "BRANCH_NAME": name,
             "REGION_CODE": region, "CONTACT": f"{bank.short}债务核对专员"} for bank, code, name, region in rows]
MANAGERS = {  # product type → (manager, registry)
    "银行理财": (Creditor(uscc_code("91", "110000", "MA01KDH3"), "工银理财", "工银理财有限责任公司"), "银行业理财登记托管中心"),
    "信托": (Creditor("K0099H246000001", "琼州信托", "琼州信托有限责任公司"), "中国信托登记有限责任公司"),
    "资管": (Creditor(uscc_code("91", "460000", "MA5TM771"), "南海证券资管", "南海证券资产管理有限公司"), "中国证券投资基金业协会"),
}
OTHER_MANAGER = Creditor(uscc_code("91", "310000", "MA1FL9Q2"), "东方证券资管", "东方证券资产管理有限公司")

# ---------------------------------------------------------------- debts


@dataclass
class Debt:
    """One debt: its true terms this month and how each side reports it."""

    tag: str
    who: str  # a key of UNITS or OUTSIDERS
    product: str  # 银行贷款 | 银行理财 | 信托 | 资管 | 融资租赁 | 债券
    creditor: str  # a key of BANKS for loans; ignored for registry products (the manager of the type)
    contract: str
    number: str  # 提款编号 / 借据号 for loans, 产品登记编码 for registry products
    amount: str
    balance: str
    value_date: str
    maturity: str
    rate: str
    status: str = "存续"
    debt: list[dict] = field(default_factory=lambda: [{}])  # one entry per debt-side record: changes to the truth
    creditor_side: list[dict] = field(default_factory=lambda: [{}])
    may: dict | None = field(default_factory=dict)  # last month's agreed terms (changes to the truth); None: new
    may_debt: int = 1  # records last month on each side (both agreed)
    may_creditor: int = 1
    expect: list[tuple] = field(default_factory=list)  # (class, debt record indexes, creditor record indexes, fields)
    route: tuple[str, str] | None = None  # recipient of a creditor-only finding when the debtor is not registered
    note: str = ""
    field_findings: list[tuple[str, str, int]] = field(default_factory=list)  # (rule, side, record index) for validate
    may_debt_terms: dict = field(default_factory=dict)  # what the unit reported differently last month
    may_expect: list[tuple] = field(default_factory=list)  # last month's difference: (class, fields)
    # the answers returned on last month's difference: recipient role (unit | branch) → (status, 核实情况, 处理说明)
    replies: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    @property
    def rule(self) -> str | None:
        return LOAN if self.product == "银行贷款" else REG if self.product in MANAGERS else None


def loan(tag, who, bank, n, amount, balance, value_date, maturity, rate, **kw) -> Debt:
    return Debt(tag, who, "银行贷款", bank, f"HT{value_date[:4]}{n:04d}", f"JJ{value_date[:4]}{n:04d}",
                amount, balance, value_date, maturity, rate, **kw)


def product(tag, who, kind, code, contract, amount, balance, value_date, maturity, rate, **kw) -> Debt:
    return Debt(tag, who, kind, "", contract, code, amount, balance, value_date, maturity, rate, **kw)


M = "matched"
DEBTS: list[Debt] = [
    # --- bank loans that agree
    loan("L01", "U2", "ICBC", 1, "100000000.00", "80000000.00", "20230315", "20330315", "3.850000", expect=[(M,)]),
    loan("L18", "U2", "CCB", 18, "12000000.00", "12000000.00", "20240610", "20290610", "3.450000", may=None,
         expect=[(M,)], note="new this month on both sides"),
    loan("L19", "U3", "ABC", 19, "10000000.00", "0.00", "20210115", "20260115", "4.050000", status="结清",
         may={"balance": "10000000.00", "status": "存续"}, expect=[(M,)], note="settled this month on both sides"),
    loan("L21", "U5", "CCB", 21, "12000000.00", "8500000.00", "20220601", "20270601", "3.950000",
         may={"balance": "9000000.00"}, expect=[(M,)], note="amortised this month on both sides; the rate the unit "
         "misreported in May is corrected: May's difference is resolved",
         may_debt_terms={"rate": "4.950000"}, may_expect=[("misreported", ["RATE"])],
         replies={"unit": ("已确认", "利率填报错误", "已于6月更正"), "branch": ("已确认", "执行利率3.95%", "")}),
    # --- normalisation cases that must MATCH
    loan("L09", "U7", "BOC", 9, "30000000.00", "26000000.00", "20230901", "20280901", "3.800000",
         debt=[{"contract": "ＨＴ２０２３０００９", "number": "JJ20230009  "}], expect=[(M,)],
         note="full-width digits and letters in the contract number, trailing spaces in the drawdown number"),
    loan("L10", "U8", "CIB", 10, "40000000.00", "36000000.00", "20231010", "20331010", "4.000000",
         debt=[{"uscc": "lower", "creditor_code": "b0013h135010001", "contract": "ht-2023-0010"}], expect=[(M,)],
         note="lower-case USCC and creditor code, lower case and hyphens in the contract number",
         field_findings=[("DP.DEBT.USCC", "debt", 0), ("DEBT_RECORD.UNIT_USCC.reference", "debt", 0),
                         ("DP.DEBT.CREDITOR_CODE", "debt", 0)]),
    loan("L08", "U6", "ABC", 8, "25000000.00", "20000000.00", "20230801", "20300801", "4.200000",
         creditor_side=[{"balance": "20001999.00", "rate": "4.210000"}], expect=[(M,)],
         note="tolerance edge: balance off by 1999.00 ≤ max(1, 0.0001 × 20001999.00) = 2000.20, rate off by 0.01 ≤ 0.01"),
    # --- 错报
    loan("L04", "U1", "ABC", 4, "200000000.00", "150000000.00", "20220630", "20320930", "3.650000",
         debt=[{"maturity": "20320630"}], expect=[("misreported", [0], [0], ["MATURITY_DATE"])], note="maturity date differs"),
    loan("L05", "U3", "CIB", 5, "60000000.00", "55000000.00", "20230520", "20300520", "4.350000",
         debt=[{"rate": "4.200000"}], expect=[("misreported", [0], [0], ["RATE"])],
         note="rate differs by 15 bp, as in May: both sides confirmed it, not yet corrected (已确认)",
         may_debt_terms={"rate": "4.200000"}, may_expect=[("misreported", ["RATE"])],
         replies={"unit": ("已确认", "利率应为4.35%", "7月补正"), "branch": ("已确认", "执行利率4.35%", "")}),
    loan("L06", "U4", "ICBC", 6, "30000000.00", "30000000.00", "20240115", "20290115", "3.900000",
         debt=[{"balance": "3000.00"}], expect=[("misreported", [0], [0], ["BALANCE"])],
         note="balance reported in 万元 instead of 元 (unit factor 10⁴)"),
    loan("L07", "U5", "CCB", 7, "15000000.00", "15000000.00", "20240301", "20290301", "3.700000",
         debt=[{"branch": OTHER_BRANCH}], expect=[("misreported", [0], [0], ["BRANCH_CODE"])],
         note="the debt unit names another branch"),
    # --- 少报 / 多报
    loan("L02", "U2", "CCB", 2, "50000000.00", "45000000.00", "20230410", "20280410", "4.100000",
         debt=[{"balance": "44000000.00"}], expect=[("under_reported", [0], [0], ["BALANCE"])],
         note="balance 1,000,000 lower, as in May: the unit disputes it (有异议)",
         may_debt_terms={"balance": "44000000.00"}, may_expect=[("under_reported", ["BALANCE"])],
         replies={"unit": ("有异议", "5月31日已提前还款100万元，银行尚未入账", "请银行核实入账"),
                  "branch": ("已确认", "", "")}),
    loan("L03", "U1", "BOC", 3, "300000000.00", "280000000.00", "20220105", "20370105", "3.650000",
         debt=[{"balance": "290000000.00"}], expect=[("over_reported", [0], [0], ["BALANCE"])],
         note="balance 10,000,000 higher, as in May: nobody answered (待确认)",
         may_debt_terms={"balance": "290000000.00"}, may_expect=[("over_reported", ["BALANCE"])],
         replies={"unit": ("", "", "")}),
    loan("L11", "U6", "CIB", 11, "5000000.00", "0.00", "20210701", "20260701", "4.500000", status="结清",
         may={"balance": "5000000.00", "status": "存续"}, debt=[{"balance": "5000000.00", "status": "存续"}],
         expect=[("over_reported", [0], [0], ["BALANCE"])], note="the bank settled the loan, the unit still reports it"),
    # --- one side only
    # --- 错报 of a key field: the keys do not match, the second match pairs the records
    loan("L12", "U2", "ICBC", 12, "20000000.00", "15000000.00", "20230201", "20280201", "3.800000",
         debt=[{"contract": "HT2023OO12"}], expect=[("misreported", [0], [0], ["CONTRACT_NO"])],
         note="letter O for zero in the contract number: paired on unit, creditor, drawdown number and amount"),
    loan("L13", "U8", "ABC", 13, "3000000.00", "3000000.00", "20231101", "20281101", "4.300000",
         debt=[{"number": ""}], expect=[("misreported", [0], [0], ["DRAWDOWN_NO"])],
         note="drawdown number left empty: incomplete key, paired on unit, contract and amount",
         field_findings=[("DP.DEBT.LOAN_DRAWDOWN", "debt", 0)]),
    loan("L22", "U1", "CCB", 22, "70000000.00", "64000000.00", "20230720", "20330720", "3.700000",
         debt=[{"number": "JJ2023002Z"}], expect=[("misreported", [0], [0], ["DRAWDOWN_NO"])],
         note="a typo in the drawdown number: paired on unit, contract and amount"),
    loan("L23", "U6", "CIB", 23, "16000000.00", "16000000.00", "20240125", "20290125", "3.900000",
         debt=[{"creditor_code": "B0013B246010001"}], expect=[("misreported", [0], [0], ["CREDITOR_CODE"])],
         note="the creditor given at branch level (the branch's licence number for the bank's): paired on unit, "
              "contract and drawdown number"),
    loan("L24", "U4", "ABC", 24, "40000000.00", "38000000.00", "20230915", "20280915", "4.100000",
         debt=[{"product": "信托"}], expect=[("misreported", [0], [0], ["PRODUCT_TYPE"])],
         note="a bank loan entered as 信托: the loan rule's second match finds it outside its scope",
         field_findings=[("DP.DEBT.PRODUCT_CODE", "debt", 0)]),
    # --- unit slips and duplicates
    loan("L25", "U3", "ICBC", 25, "50000000.00", "45000000.00", "20230305", "20330305", "3.850000",
         debt=[{"balance": "4480.00"}], expect=[("under_reported", [0], [0], ["BALANCE"])],
         note="4480 (万元) for 45,000,000 元: a unit slip, and 200,000 元 short once corrected"),
    loan("L26", "U7", "ICBC", 26, "9000000.00", "9000000.00", "20240328", "20290328", "3.600000",
         debt=[{}, {}], expect=[("duplicate", [0, 1], [0])], note="the unit entered the loan twice; the bank has it once",
         field_findings=[("DP.DEBT.LOAN_KEY_UNIQUE", "debt", 0), ("DP.DEBT.LOAN_KEY_UNIQUE", "debt", 1)]),
    loan("L27", "U5", "BOC", 27, "2000000.00", "1800000.00", "20230610", "20280610", "3.950000",
         debt=[{"balance": "180000000.00"}], expect=[("over_reported", [0], [0], ["BALANCE"])],
         note="a balance 100 times the bank's: no unit of the platform, 多报",
         field_findings=[("DP.DEBT.BALANCE_LE_AMOUNT", "debt", 0)]),
    loan("D1", "U8", "CIB", 31, "8000000.00", "8000000.00", "20240520", "20290520", "4.100000",
         creditor_side=[], may=None, expect=[("debt_only", [0], [])], note="no bank reports this loan"),
    loan("L14", "U4", "BOC", 9914, "6000000.00", "6000000.00", "20231201", "20281201", "4.000000",
         debt=[{}, {}], creditor_side=[], may=None, expect=[("duplicate", [0, 1], [])],
         note="entered twice, unknown to the bank",
         field_findings=[("DP.DEBT.LOAN_KEY_UNIQUE", "debt", 0), ("DP.DEBT.LOAN_KEY_UNIQUE", "debt", 1)]),
    loan("B1", "U4", "ICBC", 41, "80000000.00", "60000000.00", "20220801", "20320801", "4.150000",
         debt=[], expect=[("concealed", [], [0])], note="the unit stopped reporting a 60,000,000 loan"),
    loan("B2", "U2", "ABC", 42, "2000000.00", "2000000.00", "20240605", "20250605", "3.500000",
         debt=[], may=None, expect=[("omitted", [], [0])], note="a registered unit's new loan below the materiality threshold"),
    loan("B6", "U6", "BOC", 46, "5000000.00", "5000000.00", "20240612", "20290612", "3.600000",
         debt=[], may=None, expect=[("concealed", [], [0])], note="threshold edge: exactly 5,000,000.00 is material"),
    loan("B7", "U6", "BOC", 47, "4999999.99", "4999999.99", "20240612", "20290612", "3.600000",
         debt=[], may=None, expect=[("omitted", [], [0])], note="threshold edge: 4,999,999.99 is not material"),
    loan("B3", "X1", "CCB", 43, "20000000.00", "20000000.00", "20240603", "20290603", "3.900000",
         debt=[], may=None, expect=[("omitted", [], [0])], route=("supervisor", SUPERVISORS["X1"][1]),
         note="debtor not registered; the list of units names its 主管部门, which verifies whether it must be"),
    loan("B8", "U8", "ABC", 48, "7000000.00", "7000000.00", "20240614", "20290614", "3.800000",
         debt=[], may=None, creditor_side=[{"branch": UNLISTED_BRANCH}], expect=[("concealed", [], [0])],
         note="the bank's branch is not in its branch directory: the head office gets the feedback"),
    loan("B4", "X2", "CIB", 44, "35000000.00", "35000000.00", "20240606", "20340606", "4.000000",
         debt=[], may=None, expect=[("omitted", [], [0])], route=("finance", "469005"),
         note="debtor not registered, no region given: positions 3–8 of its USCC name 469005"),
    loan("B5", "X3", "ICBC", 45, "50000000.00", "50000000.00", "20240608", "20290608", "4.200000",
         debt=[], may=None, expect=[("omitted", [], [0])], route=("province", "460000"),
         note="debtor not registered, no region, USCC registered centrally (100000): the province"),
    # --- ambiguous matches
    loan("L15", "U7", "CCB", 15, "8000000.00", "8000000.00", "20231115", "20281115", "3.750000",
         debt=[{"balance": "4000000.00"}, {"balance": "4000000.00"}], expect=[("many_to_one", [0, 1], [0])],
         note="the unit splits one drawdown into two records",
         field_findings=[("DP.DEBT.LOAN_KEY_UNIQUE", "debt", 0), ("DP.DEBT.LOAN_KEY_UNIQUE", "debt", 1)]),
    loan("L16", "U1", "ICBC", 16, "90000000.00", "90000000.00", "20240110", "20340110", "3.550000",
         creditor_side=[{}, {"number": "JJ-20240016", "branch": OTHER_BRANCH}], expect=[("one_to_many", [0], [0, 1])],
         note="two branches both report the drawdown"),
    loan("L17", "U3", "BOC", 17, "12000000.00", "12000000.00", "20240220", "20290220", "4.000000",
         debt=[{}, {}], creditor_side=[{}, {"number": "JJ 20240017"}], expect=[("many_to_many", [0, 1], [0, 1])],
         note="reported twice on both sides",
         field_findings=[("DP.DEBT.LOAN_KEY_UNIQUE", "debt", 0), ("DP.DEBT.LOAN_KEY_UNIQUE", "debt", 1)]),
    # --- last month only: settled and removed on both sides (a monthly 'vanished' that needs no action)
    loan("L20", "U6", "CCB", 20, "6000000.00", "6000000.00", "20210301", "20240301", "4.600000",
         debt=[], creditor_side=[], note="repaid in May and no longer reported by either side"),
    # --- registry products
    product("P01", "U1", "信托", "ZXD46T2023010001", "TZ-2023-001", "200000000.00", "200000000.00", "20230118", "20280118",
            "6.500000", expect=[(M,)]),
    product("P02", "U2", "银行理财", "Z7001023000101", "LC2023001", "100000000.00", "100000000.00", "20230301", "20260301",
            "5.200000", debt=[{"number": "z7001023000101 "}], expect=[(M,)],
            note="lower-case product code with a trailing space"),
    product("P10", "U5", "资管", "SNH302", "ZG2023002", "30000000.00", "30000000.00", "20231020", "20261020", "5.800000",
            expect=[(M,)]),
    product("P03", "U3", "资管", "SNH301", "ZG2023001", "50000000.00", "50000000.00", "20230601", "20260601", "6.000000",
            debt=[{"product": "信托"}], expect=[("misreported", [0], [0], ["PRODUCT_TYPE"])],
            note="the unit calls an asset-management plan a trust"),
    product("P06", "U8", "资管", "SNH303", "ZG2023003", "25000000.00", "25000000.00", "20230901", "20260901", "6.200000",
            debt=[{"manager": OTHER_MANAGER, "value_date": "20230905"}],
            expect=[("misreported", [0], [0], ["CREDITOR_CODE", "VALUE_DATE"])], note="another manager and value date"),
    product("P04", "U4", "信托", "ZXD46T2023020002", "TZ-2023-002", "50000000.00", "50000000.00", "20230215", "20280215",
            "6.800000", debt=[{"balance": "40000000.00"}], expect=[("under_reported", [0], [0], ["BALANCE"])],
            note="10,000,000 lower, as in May: the unit confirmed it (已确认)",
            may_debt_terms={"balance": "40000000.00"}, may_expect=[("under_reported", ["BALANCE"])],
            replies={"unit": ("已确认", "漏记追加认购1000万元", "下月补录")}),
    product("P05", "U6", "银行理财", "Z7001023000102", "LC2023002", "30000000.00", "20000000.00", "20230410", "20260410",
            "5.000000", debt=[{"balance": "30000000.00"}], expect=[("over_reported", [0], [0], ["BALANCE"])]),
    product("P07", "U7", "信托", "ZXD46T2024010003", "TZ-2024-003", "80000000.00", "80000000.00", "20240605", "20290605",
            "6.600000", debt=[], may=None, expect=[("concealed", [], [0])], note="a registered hospital's trust loan"),
    product("P08", "X3", "信托", "ZXD46T2024020004", "TZ-2024-004", "15000000.00", "15000000.00", "20240607", "20270607",
            "7.000000", debt=[], may=None, expect=[("omitted", [], [0])], route=("province", "460000"),
            note="debtor not registered, no region, USCC registered centrally: the province"),
    product("P09", "U2", "资管", "SNH309", "ZG2024009", "10000000.00", "10000000.00", "20240520", "20270520", "5.900000",
            creditor_side=[], may=None, expect=[("debt_only", [0], [])], note="no registry record"),
    # --- outside the reconciled product types
    Debt("O1", "U6", "融资租赁", "", "ZL2023001", "", "18000000.00", "12000000.00", "20230101", "20280101", "5.500000",
         creditor_side=[], note="融资租赁: no creditor side in scope"),
    Debt("O2", "U1", "债券", "", "ZQ2022001", "", "500000000.00", "500000000.00", "20220801", "20290801", "3.200000",
         creditor_side=[], note="债券: no creditor side in scope"),
]
LEASING = Creditor(uscc_code("91", "460000", "MA5TP880"), "海南金融租赁", "海南金融租赁股份有限公司")
BONDS = Creditor(uscc_code("91", "110000", "MA01R991"), "债券持有人", "债券持有人（登记托管机构汇总）")


# ---------------------------------------------------------------- rendering


def party(who: str) -> Unit:
    return UNITS.get(who) or OUTSIDERS[who]


def terms(d: Debt, change: dict) -> dict:
    """The debt's terms with one record's changes applied (the neutral vocabulary of DEBTS)."""
    base = {"contract": d.contract, "number": d.number, "amount": d.amount, "balance": d.balance,
            "value_date": d.value_date, "maturity": d.maturity, "rate": d.rate, "status": d.status,
            "product": d.product, "uscc": party(d.who).uscc}
    if d.product == "银行贷款":
        bank = BANKS[d.creditor]
        base.update(creditor_code=bank.code, creditor_name=bank.short, bank_name=bank.name,
                    branch=(bank.branch_code, bank.branch_name))
    elif d.product in MANAGERS:
        base.update(manager=MANAGERS[d.product][0])
    else:
        lessor = LEASING if d.product == "融资租赁" else BONDS
        base.update(creditor_code=lessor.code, creditor_name=lessor.name, branch=("", ""))
    out = {**base, **change}
    if out["uscc"] == "lower":
        out["uscc"] = base["uscc"].lower()
    if "manager" in out:  # registry products: the manager is the creditor
        out["creditor_code"], out["creditor_name"] = out["manager"].code, out["manager"].name
    return out


def debt_row(d: Debt, t: dict, record_id: str, period: str) -> dict:
    u = party(d.who)
    loan_ = d.product == "银行贷款"
    return {"RECORD_ID": record_id, "PERIOD": period, "UNIT_USCC": t["uscc"], "UNIT_NAME": u.name,
            "REGION_CODE": u.region, "PRODUCT_TYPE": t["product"], "CREDITOR_CODE": t["creditor_code"],
            "CREDITOR_NAME": t["creditor_name"], "BRANCH_CODE": t["branch"][0] if loan_ else "",
            "BRANCH_NAME": t["branch"][1] if loan_ else "", "PRODUCT_CODE": t["number"] if d.product in MANAGERS else "",
            "CONTRACT_NO": t["contract"], "DRAWDOWN_NO": t["number"] if loan_ else "", "CURRENCY": "CNY",
            "AMOUNT": t["amount"], "BALANCE": t["balance"], "VALUE_DATE": t["value_date"],
            "MATURITY_DATE": t["maturity"], "RATE": t["rate"], "STATUS": t["status"], "REMARK": ""}


def bank_row(d: Debt, t: dict, period: str) -> dict:
    u = party(d.who)
    return {"PERIOD": period, "BANK_CODE": t["creditor_code"], "BANK_NAME": t["bank_name"], "BRANCH_CODE": t["branch"][0],
            "BRANCH_NAME": t["branch"][1], "BORROWER_USCC": t["uscc"], "BORROWER_NAME": u.name,
            "BORROWER_REGION": u.region, "CONTRACT_NO": t["contract"], "LOAN_NO": t["number"], "CURRENCY": "CNY",
            "LOAN_AMOUNT": t["amount"], "BALANCE": t["balance"], "START_DATE": t["value_date"],
            "MATURITY_DATE": t["maturity"], "RATE": t["rate"], "STATUS": t["status"]}


def registry_row(d: Debt, t: dict, period: str) -> dict:
    u = party(d.who)
    manager, registry = t["manager"], MANAGERS[t["product"]][1]
    return {"PERIOD": period, "REGISTRY": registry, "PRODUCT_TYPE": t["product"], "PRODUCT_CODE": t["number"],
            "PRODUCT_NAME": f"{manager.short}{t['number'][-4:]}号{'集合资金信托计划' if t['product'] == '信托' else '产品'}",
            "MANAGER_CODE": manager.code, "MANAGER_NAME": manager.name, "DEBTOR_USCC": t["uscc"], "DEBTOR_NAME": u.name,
            "DEBTOR_REGION": u.region, "CONTRACT_NO": t["contract"], "AMOUNT": t["amount"], "BALANCE": t["balance"],
            "VALUE_DATE": t["value_date"], "MATURITY_DATE": t["maturity"], "RATE": t["rate"]}


@dataclass
class Month:
    """The rows of one month's folder, each remembered with (debt tag, side, record index)."""

    period: str
    tables: dict[str, list[dict]] = field(default_factory=lambda: {
        "DEBT_UNIT": [], "DEBT_RECORD": [], "DEBT_REPAYMENT": [], "BANK_LOAN": [], "REGISTRY_PRODUCT": [],
        "BANK_BRANCH": [], "UNIT_SUPERVISOR": []})
    where: dict[tuple[str, str, int], tuple[str, int]] = field(default_factory=dict)

    def add(self, table: str, row: dict, tag: tuple | None = None) -> None:
        self.tables[table].append(row)
        if tag is not None:
            self.where[tag] = (f"{table}.csv", len(self.tables[table]) + 1)  # line 1 is the header


def creditor_table(d: Debt) -> str:
    return "BANK_LOAN" if d.product == "银行贷款" else "REGISTRY_PRODUCT"


def build_month(period: str) -> Month:
    month = Month(period)
    for u in UNITS.values():
        month.add("DEBT_UNIT", {"UNIT_USCC": u.uscc, "UNIT_NAME": u.name, "UNIT_KIND": u.kind, "REGION_CODE": u.region,
                                "GOV_LEVEL": u.level, "IS_LGFV": u.lgfv, "SUPERVISOR": u.supervisor, "REG_DATE": "20200101"})
    current = period == CURRENT
    for d in DEBTS:
        if current:
            debt_records, creditor_records = d.debt, d.creditor_side
        elif d.may is None:
            continue
        else:  # last month: the terms then, as many records as each side had (the unit's own May slips)
            debt_records, creditor_records = [{**d.may, **d.may_debt_terms}] * d.may_debt, [d.may] * d.may_creditor
        for i, change in enumerate(debt_records):
            record_id = f"DR{period}-{d.tag}" + (f"-{i + 1}" if len(debt_records) > 1 else "")
            month.add("DEBT_RECORD", debt_row(d, terms(d, change), record_id, period), (d.tag, "debt", i))
        if d.rule:
            for i, change in enumerate(creditor_records):
                t = terms(d, change)
                row = bank_row(d, t, period) if d.rule == LOAN else registry_row(d, t, period)
                month.add(creditor_table(d), row, (d.tag, "creditor", i))
    for row in directory():
        month.add("BANK_BRANCH", row)
    for who, (name, code, region) in SUPERVISORS.items():
        month.add("UNIT_SUPERVISOR", {"UNIT_USCC": party(who).uscc, "UNIT_NAME": party(who).name, "SUPERVISOR": name,
                                      "SUPERVISOR_USCC": code, "REGION_CODE": region})
    if current:
        for seq, (tag, date, kind, amount) in enumerate([("L01", "20240615", "还本", "2000000.00"),
                                                         ("L01", "20240621", "付息", "256666.67"),
                                                         ("L21", "20240601", "还本", "500000.00")], start=1):
            month.add("DEBT_REPAYMENT", {"RECORD_ID": f"DR{period}-{tag}", "REPAY_SEQ": str(seq), "PERIOD": period,
                                         "REPAY_DATE": date, "REPAY_TYPE": kind, "REPAY_AMOUNT": amount})
    return month


def write_month(month: Month, folder: Path) -> None:
    write_csv_tables(folder, load_catalog(ROOT / "specs" / "debt_platform"), month.tables)


# ---------------------------------------------------------------- expectations


def recipient(d: Debt, has_debt_records: bool) -> dict:
    if d.who in UNITS:
        return {"kind": "unit", "code": UNITS[d.who].uscc}
    assert d.route and not has_debt_records, d.tag
    return {"kind": d.route[0], "code": d.route[1]}


def _upper(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper()


def listed(head: str, branch: str) -> bool:
    """The branch is in the directory under that head office (as written: the validate rule compares raw codes)."""
    return any((r["HEAD_CODE"], r["BRANCH_CODE"]) == (head, branch) for r in directory())


def creditor_recipient(d: Debt, debt_idx: list[int], cred_idx: list[int]) -> dict | None:
    """Bank loans: the first branch of the records (the bank's, then the unit's) the directory lists under its
    head office; else the head office."""
    if d.rule != LOAN:
        return None
    rows = [bank_row(d, terms(d, d.creditor_side[i]), "") for i in cred_idx]
    rows += [debt_row(d, terms(d, d.debt[i]), "", "") for i in debt_idx]
    pairs = [(_upper(r.get("BANK_CODE", r.get("CREDITOR_CODE", ""))), _upper(r["BRANCH_CODE"])) for r in rows]
    for head, branch in pairs:
        if branch and listed(head, branch):
            return {"kind": "branch", "code": branch}
    return {"kind": "bank", "code": pairs[0][0]}


def june_status(d: Debt) -> str:
    """The status June's difference carries from May's replies: 有异议 if a recipient disputes it, 已确认 if every
    recipient (the unit, and the lending branch for a loan) confirmed it, else 待确认."""
    statuses = {role: answer[0] for role, answer in d.replies.items() if answer[0]}
    roles = ["unit"] + (["branch"] if d.rule == LOAN else [])
    if "有异议" in statuses.values():
        return "有异议"
    return "已确认" if statuses and all(statuses.get(r) == "已确认" for r in roles) else "待确认"


def ref(d: Debt) -> str:
    """The difference's identifier, as the engine writes it: rule and normalised key (a 1:1 pair's)."""
    return f"{d.rule}:" + "|".join(k or "∅" for k in _key(d, d.rule, "creditor", d.may or {}))


def previous_findings(may: Month) -> list[dict]:
    """May's differences (each a 1:1 pair of the unit's May slip and the creditor's record)."""
    out = []
    for d in DEBTS:
        for cls, fields in d.may_expect:
            out.append({"tag": d.tag, "rule": d.rule, "class": cls, "ref": ref(d), "differing_fields": fields,
                        "debt": [list(may.where[(d.tag, "debt", 0)])], "creditor": [list(may.where[(d.tag, "creditor", 0)])],
                        "recipient": recipient(d, True)})
    return out


def write_replies(folder: Path) -> list[str]:
    """The workbooks the recipients returned on May's differences, as the engine wrote them (说明 sheet and one
    sheet per rule with the engine's columns) with their answers filled in; written byte for byte the same."""
    from openpyxl import Workbook

    from engine.reconcile.render_xlsx import LEAD, TAIL, filename
    from engine.reconcile.routing import Recipient

    books: dict[tuple, list[tuple[Debt, tuple]]] = {}
    for d in DEBTS:
        for role, answer in d.replies.items():
            if role == "unit":
                u = UNITS[d.who]
                rec = Recipient("unit", u.uscc, u.name)
            else:
                bank = BANKS[d.creditor]
                rec = Recipient("branch", bank.branch_code, bank.branch_name)
            books.setdefault((rec.sort_key, rec.kind, rec.code, rec.name), []).append((d, answer))
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for (_, kind, code, name), items in sorted(books.items()):
        rec = Recipient(kind, code, name)
        wb = Workbook()
        info = wb.active
        info.title = "说明"
        label = {"unit": "债务单位", "branch": "银行分支机构"}[kind]
        for row in (("接收方", f"{label} {code} {name}"), ("接收方类型", label), ("接收方代码", code), ("接收方名称", name),
                    ("对账数据", f"examples/debt_platform/{PREVIOUS}")):
            info.append(row)
        for rule in (LOAN, REG):
            mine = [(d, a) for d, a in items if d.rule == rule]
            if not mine:
                continue
            ws = wb.create_sheet(rule)
            ws.append(LEAD + TAIL)
            for d, (status, text, action) in mine:
                cls = d.may_expect[0][0]
                term = {"misreported": "错报", "under_reported": "少报", "over_reported": "多报"}[cls]
                lead = {"差异标识": ref(d), "首次报告": PREVIOUS, "状态": "待确认", "差异类别": term, "平台口径": term,
                        "差异字段": "、".join(d.may_expect[0][1])}
                ws.append([lead.get(h, "") for h in LEAD] + [status, text, action])
        path = folder / filename(rec)
        wb.save(path)
        _freeze(path)
        names.append(path.name)
    return names


def _freeze(path: Path) -> None:
    """An .xlsx with fixed timestamps (zip entries and document properties), so regenerating is byte-identical."""
    with zipfile.ZipFile(path) as z:
        entries = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2024-06-05T00:00:00Z", data)
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 6, 5, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)


def rule_of(product: str) -> str | None:
    return LOAN if product == "银行贷款" else REG if product in MANAGERS else None


def record_rule(d: Debt, side: str, change: dict) -> str | None:
    """The rule whose scope a record is in: a debt record's own product type decides (a loan entered as 信托
    is the registry rule's record), a creditor record is in its table's rule."""
    return rule_of(terms(d, change)["product"]) if side == "debt" else d.rule


def expectations(month: Month) -> list[dict]:
    out = []
    for d in DEBTS:
        for exp in d.expect:
            cls = exp[0]
            if cls == M:
                continue
            debt_idx, cred_idx = exp[1], exp[2]
            debt = [list(month.where[(d.tag, "debt", i)]) for i in debt_idx]
            creditor = [list(month.where[(d.tag, "creditor", i)]) for i in cred_idx]
            # jianhe validate judges each rule alone: a record paired across product types is listed by the
            # rule whose scope it is in
            listed_by = [[record_rule(d, "debt", d.debt[i]), *month.where[(d.tag, "debt", i)]] for i in debt_idx]
            listed_by += [[d.rule, *month.where[(d.tag, "creditor", i)]] for i in cred_idx]
            out.append({
                "tag": d.tag, "rule": d.rule, "class": cls, "note": d.note, "debt": debt, "creditor": creditor,
                "differing_fields": exp[3] if len(exp) > 3 else [],
                "recipient": recipient(d, bool(debt_idx)),
                "creditor_recipient": creditor_recipient(d, debt_idx, cred_idx), "validate": listed_by,
                "status": june_status(d), "first_reported": PREVIOUS if d.may_expect and d.replies else CURRENT})
    return out


def matched_counts() -> dict[str, int]:
    counts = {LOAN: 0, REG: 0}
    for d in DEBTS:
        if d.rule:
            counts[d.rule] += sum(e[0] == M for e in d.expect)
    return counts


def changes(month: Month, previous: Month) -> list[dict]:
    """What the monthly comparison must report per rule and side (derived from the declarations)."""
    out = []
    for d in DEBTS:
        if not d.rule:
            continue
        for side, now in (("debt", d.debt), ("creditor", d.creditor_side)):
            before = [] if d.may is None else (
                [{**d.may, **d.may_debt_terms}] * d.may_debt if side == "debt" else [d.may] * d.may_creditor)
            for rule in (LOAN, REG):
                now_idx = [i for i, c in enumerate(now) if record_rule(d, side, c) == rule]
                before_idx = [i for i, c in enumerate(before) if record_rule(d, side, c) == rule]
                for key, (ni, bi) in _by_key(d, rule, side, [now[i] for i in now_idx],
                                             [before[i] for i in before_idx]).items():
                    ni, bi = [now_idx[i] for i in ni], [before_idx[i] for i in bi]
                    change = _change(d, [now[i] for i in ni], [before[i] for i in bi])
                    if change == "unchanged":
                        continue
                    here = month.where[(d.tag, side, ni[0])] if ni else None
                    there = previous.where[(d.tag, side, bi[0])] if bi else None
                    out.append({"tag": d.tag, "rule": rule, "side": side, "change": change,
                                "file": here[0] if here else None, "line": here[1] if here else None,
                                "previous_file": there[0] if there else None,
                                "previous_line": there[1] if there else None})
    return out


KEY_FIELDS = {(LOAN, "debt"): ("UNIT_USCC", "CREDITOR_CODE", "CONTRACT_NO", "DRAWDOWN_NO"),
              (LOAN, "creditor"): ("BORROWER_USCC", "BANK_CODE", "CONTRACT_NO", "LOAN_NO"),
              (REG, "debt"): ("UNIT_USCC", "PRODUCT_CODE", "CONTRACT_NO"),
              (REG, "creditor"): ("DEBTOR_USCC", "PRODUCT_CODE", "CONTRACT_NO")}
STRIPPED = {"CONTRACT_NO", "DRAWDOWN_NO", "LOAN_NO", "PRODUCT_CODE"}


def _key(d: Debt, rule: str, side: str, change: dict) -> tuple:
    """The normalised match key as the rule computes it from the record as written (upper case,
    half-width, no separators in contract, drawdown and product numbers)."""
    t = terms(d, change)
    if side == "debt":
        row = debt_row(d, t, "", "")
    else:
        row = bank_row(d, t, "") if rule == LOAN else registry_row(d, t, "")

    def norm(code: str) -> str | None:
        text = unicodedata.normalize("NFKC", row[code]).strip().upper()
        if code in STRIPPED:
            text = "".join(c for c in text if c not in " -‐‑–—_/·.")
        return text or None

    return tuple(norm(code) for code in KEY_FIELDS[(rule, side)])


def _by_key(d: Debt, rule: str, side: str, now: list[dict], before: list[dict]) -> dict[tuple, tuple[list[int], list[int]]]:
    """Records of complete keys only (an incomplete key cannot be followed from month to month)."""
    keys: dict[tuple, tuple[list[int], list[int]]] = {}
    for i, c in enumerate(now):
        k = _key(d, rule, side, c)
        if all(k):
            keys.setdefault(k, ([], []))[0].append(i)
    for i, c in enumerate(before):
        k = _key(d, rule, side, c)
        if all(k):
            keys.setdefault(k, ([], []))[1].append(i)
    return keys


def _change(d: Debt, now: list[dict], before: list[dict]) -> str:
    if not before:
        return "new"
    if not now:
        return "vanished"
    fields = ("balance", "amount", "value_date", "maturity", "rate", "branch", "product", "creditor_code")
    def fingerprint(c: dict) -> tuple:
        return tuple(unicodedata.normalize("NFKC", str(terms(d, c).get(f))).strip().upper() for f in fields)

    fp_now, fp_before = sorted(map(fingerprint, now)), sorted(map(fingerprint, before))
    if sum(float(terms(d, c)["balance"]) for c in now) == 0 != sum(float(terms(d, c)["balance"]) for c in before):
        return "settled"
    return "unchanged" if fp_now == fp_before else "changed"


def branch_findings(month: Month) -> list[dict]:
    """What the branch-directory rules report: loan records whose branch the directory does not list under the
    head office as written (reference rules compare the codes as written)."""
    out = []
    for table, rule, head in (("DEBT_RECORD", "DP.DEBT.BRANCH_IN_DIRECTORY", "CREDITOR_CODE"),
                              ("BANK_LOAN", "DP.BANK.BRANCH_IN_DIRECTORY", "BANK_CODE")):
        for line, row in enumerate(month.tables[table], start=2):
            if table == "DEBT_RECORD" and row["PRODUCT_TYPE"] != "银行贷款":
                continue
            if row[head].strip() and row["BRANCH_CODE"].strip() and not listed(row[head], row["BRANCH_CODE"]):
                tag = next(t for (t, side, i), (f, n) in month.where.items() if f == f"{table}.csv" and n == line)
                out.append({"rule": rule, "tag": tag, "file": f"{table}.csv", "line": line})
    return out


def check_declarations() -> None:
    """Every debt in a reconciled scope says what must become of it (a debt no side reports needs nothing)."""
    tags = [d.tag for d in DEBTS]
    assert len(tags) == len(set(tags)), "duplicate tags"
    for d in DEBTS:
        assert d.expect or not d.rule or not (d.debt or d.creditor_side), f"{d.tag}: no expectation"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="where to write (default: next to this script)")
    out = parser.parse_args().out
    check_declarations()
    june, may = build_month(CURRENT), build_month(PREVIOUS)
    write_month(june, out / CURRENT)
    write_month(may, out / PREVIOUS)
    replies = write_replies(out / "replies" / PREVIOUS)
    field_findings = [{"rule": rule, "tag": d.tag, "file": june.where[(d.tag, side, i)][0],
                       "line": june.where[(d.tag, side, i)][1]} for d in DEBTS for rule, side, i in d.field_findings]
    field_findings += branch_findings(june)
    out_of_scope = [{"tag": d.tag, "file": june.where[(d.tag, "debt", i)][0], "line": june.where[(d.tag, "debt", i)][1]}
                    for d in DEBTS if not d.rule for i in range(len(d.debt))]
    doc = {
        "about": "Planted differences of examples/debt_platform (written by generate.py from its declarations). "
                 "`findings` are the non-matched groups `jianhe reconcile` must report, no more, no fewer; "
                 "`matched` the 1:1 pairs per rule; `changes` what --previous 202405 must list; "
                 "`field_findings` what the pack's field rules report on 202406 besides the reconcile rules.",
        "current": CURRENT, "previous": PREVIOUS, "province": {"code": PROVINCE[0], "name": PROVINCE[1]},
        "matched": matched_counts(), "findings": expectations(june), "changes": changes(june, may),
        "field_findings": field_findings, "out_of_scope": out_of_scope,
        "previous_findings": previous_findings(may),
        "replies": {"folder": f"replies/{PREVIOUS}", "files": replies,
                    "resolved": sorted(ref(d) for d in DEBTS if d.replies and d.expect == [(M,)]),
                    "statuses": {d.tag: june_status(d) for d in DEBTS if d.replies and d.expect != [(M,)]}},
        "must_match": [{"tag": d.tag, "note": d.note} for d in DEBTS if d.note and d.expect == [(M,)]],
    }
    write_json(out / "expected_classification.json", doc)
    print(f"wrote {out / CURRENT}, {out / PREVIOUS} and expected_classification.json: "
          f"{len(doc['findings'])} planted differences, {sum(doc['matched'].values())} matched pairs")


if __name__ == "__main__":
    main()
