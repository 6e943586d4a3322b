"""Generate the example 地方政府融资平台 (LGFV) data of a bank with planted defects and its expected findings.

    python examples/lgfv/generate.py              # rewrite the shipped example batch
    python examples/lgfv/generate.py --out DIR    # write it (and expected_findings.json) elsewhere

A fictional city commercial bank (苏州姑苏银行) at 30 June 2024: the platform list it holds (名单制), its
loans to platform and other customers, each platform's cash-flow coverage assessment and the coverage
worksheets (现金流覆盖率测算表: lines 1–4 in three year columns and a total, with named items under line 3),
and its platform-loan totals against all its loans (平台贷款占比表). CSV files with Chinese headers, named
``<licence>-<TABLE>-<date>.csv``. The rules follow 《银行地方政府融资平台信贷管理工作指导意见》. USCCs carry their real check characters and the
founding governments real GB/T 2260 codes. ``expected_findings.json`` is written from the planted
defects, never from an engine run.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.spec import load_catalog  # noqa: E402
from examples.common import CsvBatch, broken, money, run_csv_example, uscc  # noqa: E402

HERE = Path(__file__).resolve().parent
LICENCE = "B0281H232050001"
DATE = "20240630"
BATCH = f"{LICENCE}-{DATE}"
CATALOG = load_catalog(ROOT / "specs" / "lgfv")

def pct(x: float) -> str:
    return f"{x:.2f}"


@dataclass
class Platform:
    name: str
    level: str
    government: str
    division: str
    coverage: float        # % (line 4, total column)
    total_assets: float    # 元
    debt_ratio: float      # %
    status: str = "监管类"
    exit_to_general: bool = False
    rectified: str = "是"        # 存量贷款整改是否合格 (第七条(二), 第十四条(四))
    budgeted: str = "是"         # 需财政偿还部分是否已纳入预算
    defaulted: str = "否"        # 是否有违约记录 (第十四条(五))
    land_reserve: str = "否"     # 是否名录内土地储备机构 (第八条(三))


PLATFORMS = [
    Platform("江苏省交通基础设施投资有限公司", "省级", "江苏省人民政府", "320000", 125.30, 300e9, 65.00),
    Platform("苏州城市建设投资发展（集团）有限公司", "市级", "苏州市人民政府", "320500", 84.60, 250e9, 72.50),
    Platform("苏州市吴中城市建设投资集团有限公司", "区级", "苏州市吴中区人民政府", "320506", 52.10, 90e9, 78.00),
    Platform("昆山城市建设投资发展集团有限公司", "县级", "昆山市人民政府", "320583", 104.20, 80e9, 76.00),
    Platform("上海浦东开发投资有限公司", "市级", "上海市浦东新区人民政府", "310115", 25.60, 120e9, 81.00),
    Platform("常州新北高新投资有限公司", "区级", "常州市新北区人民政府", "320411", 115.00, 40e9, 62.00, "退出类", True),
    Platform("南京江北城市开发投资有限公司", "市级", "南京市人民政府", "320100", 68.00, 60e9, 74.00),
    Platform("太仓港经济开发区建设有限公司", "县级", "太仓市人民政府", "320585", 101.50, 30e9, 70.00),  # 70.00: "70%以下"
    Platform("吴江经济技术开发区发展总公司", "区级", "苏州市吴江区人民政府", "320509", 0, 0, 0),  # listed, not assessed
    # listed, not assessed, no loans: the level by the founding government's GB/T 2260 code and name (第四条(三))
    Platform("重庆市铜梁区城市建设投资有限公司", "市级", "重庆市铜梁区人民政府", "500151", 0, 0, 0),   # 直辖市的区: 市级
    Platform("上海崇明城市建设投资有限公司", "市级", "上海市崇明区人民政府", "310151", 0, 0, 0),
    Platform("仙桃市城市建设投资开发有限公司", "县级", "仙桃市人民政府", "429004", 0, 0, 0),        # 省直辖县级市: 县级
    Platform("文昌市国有资产投资有限公司", "县级", "文昌市人民政府", "469005", 0, 0, 0),
]
IDS = [uscc(p.division, 700001 + i) for i, p in enumerate(PLATFORMS)]
RISK_WEIGHT = {"全覆盖": 100, "基本覆盖": 140, "半覆盖": 250, "无覆盖": 300}


def coverage_class(ratio: float) -> str:
    return "全覆盖" if ratio >= 100 else "基本覆盖" if ratio >= 70 else "半覆盖" if ratio >= 30 else "无覆盖"


def platform_list() -> list[dict]:
    return [{"PTTYDM": IDS[i], "PTMC": p.name, "MDZT": p.status, "PTCJ": p.level, "SLZFDM": p.division,
             "SLZFMC": p.government, "NRRQ": "20110630", "TCRQ": "20230630" if p.status == "退出类" else "99991231",
             "ZHSPRQ": "20230612" if p.status == "退出类" else "", "SFQZRQ": "20230630" if p.status == "退出类" else "",
             "SFTDCB": p.land_reserve}
            for i, p in enumerate(PLATFORMS)]


def assessments() -> list[dict]:
    rows = []
    for i, p in enumerate(PLATFORMS):
        if not p.total_assets:
            continue
        cls = coverage_class(p.coverage)
        rows.append({"PTTYDM": IDS[i], "PGRQ": DATE, "XJLFGL": pct(p.coverage), "FGLB": cls, "FXQZ": pct(RISK_WEIGHT[cls]),
                     "ZZC": money(p.total_assets), "ZFZ": money(p.total_assets * p.debt_ratio / 100),
                     "ZCFZL": pct(p.debt_ratio), "SFSJ": "是", "SQTC": "是" if p.exit_to_general else "否",
                     "GSZL": "是", "QBFG": "是" if cls == "全覆盖" else "否", "ZGHG": p.rectified, "YSNR": p.budgeted,
                     "YWYJL": p.defaulted, "BHDKYE": ""})   # this bank's balance: filled in from the loans
    return rows


LINES = [("1", "应偿还债务本息"), ("1.1", "其中：应还本金"), ("1.2", "其中：应还利息"), ("2", "还款计划应还本息"),
         ("2.1", "其中：计划还本"), ("2.2", "其中：计划付息"), ("3", "平台自身经营性现金流"), ("3.1", "其中：经营收入"),
         ("3.2", "其中：项目收益"), ("3.3", "其中：资产处置收入"), ("3.4", "其中：其他自身收入"), ("4", "现金流覆盖率（%）")]
YEARS = ("Y1", "Y2", "Y3")


def worksheet(i: int, p: Platform) -> dict[str, dict[str, float]]:
    """Lines → year → amount (元), built so that every tie-out holds and line 4 is the coverage in each column."""
    scale = p.total_assets / 100
    principal = [scale * f for f in (0.050, 0.060, 0.070)]
    interest = [scale * f for f in (0.020, 0.017, 0.014)]
    cells: dict[str, dict[str, float]] = {hc: {} for hc, _ in LINES}
    for y, year in enumerate(YEARS):
        due = round(principal[y], 2) + round(interest[y], 2)
        cash = round(due * p.coverage / 100, 2)
        parts = [round(cash * s, 2) for s in (0.60, 0.25, 0.10)]
        values = {"1.1": round(principal[y], 2), "1.2": round(interest[y], 2), "1": due, "2.1": round(principal[y], 2),
                  "2.2": round(interest[y], 2), "2": due, "3": cash, "3.1": parts[0], "3.2": parts[1], "3.3": parts[2],
                  "3.4": round(cash - sum(parts), 2)}
        for hc, v in values.items():
            cells[hc][year] = v
    for hc in cells:
        if hc != "4":
            cells[hc]["HJ"] = round(sum(cells[hc][y] for y in YEARS), 2)
    for col in YEARS + ("HJ",):
        cells["4"][col] = round(cells["3"][col] / cells["1"][col] * 100, 2)
    return cells


def worksheet_rows(i: int, cells: dict[str, dict[str, float]]) -> list[dict]:
    return [{"PTTYDM": IDS[i], "PGRQ": DATE, "HC": hc, "XMMC": name, "XJLLB": "",
             **{col: (pct if hc == "4" else money)(cells[hc][col]) for col in YEARS + ("HJ",)}} for hc, name in LINES]


ITEMS = {  # named items under line 3 (附件3 填表说明4), each a share of its line, with its 现金流类别 (第四条(二))
    0: [("3.3", "3.3.1", "车辆通行费收入", "专项规费收入")],
    1: [("3.1", "3.1.1", "供水业务经营收入", "自身经营性收入"), ("3.4", "3.4.1", "财政专项补贴", "财政性资金")],
    3: [("3.2", "3.2.1", "花桥片区安置房销售收入", "项目现金流"), ("3.1", "3.1.1", "物业租赁收入", "")],
    6: [("3.2", "3.2.1", "江北新区地块预期出让收入", "无证土地预期出让收入")],
}


def item_rows(i: int, cells: dict[str, dict[str, float]]) -> list[dict]:
    return [{"PTTYDM": IDS[i], "PGRQ": DATE, "HC": hc, "XMMC": name, "XJLLB": kind,
             **{col: money(cells[line][col]) for col in YEARS + ("HJ",)}} for line, hc, name, kind in ITEMS.get(i, [])]


NON_PLATFORM = {"苏州吴中滨湖新城开发有限公司": uscc("320506", 710001), "苏州华兴电子有限公司": uscc("320505", 710002),
                "苏州吴中文旅发展有限公司": uscc("320506", 710003)}


def loans() -> list[dict]:
    def loan(no, borrower, tagged, source, new, start, end, amount, balance, weight, grade="正常", use="收费公路项目",
             progress="", capital="", repayments="2"):
        if isinstance(borrower, int):
            name, code = PLATFORMS[borrower].name, IDS[borrower]
        else:
            name, code = borrower, NON_PLATFORM[borrower]
        return {"JJH": f"GS2024JJ{no:04d}", "BGRQ": DATE, "KHTYDM": code, "KHMC": name, "SFPTKH": tagged, "HKLY": source,
                "SFXZ": new, "FFRQ": start, "DQRQ": end, "BZ": "CNY", "DKJE": money(amount), "DKYE": money(balance),
                "WJFL": grade, "FXQZ": pct(weight), "DKTX": use, "GCJD": progress, "SFZBJDW": capital, "SFZFDB": "否",
                "SFGYZCDY": "否", "JBJGQH": "320500", "NHBCS": repayments}
    return [
        loan(1, 0, "是", "自身经营收入", "否", "20210315", "20310314", 2_000_000_000, 1_600_000_000, 100),
        loan(2, 0, "是", "自身经营收入", "是", "20240520", "20340519", 1_000_000_000, 1_000_000_000, 100, use="在建项目",
             progress="60.00"),                # 第八条(五): 60 % reached
        loan(3, 1, "是", "财政性资金", "否", "20200610", "20300609", 1_500_000_000, 1_150_000_000, 140),
        loan(4, 1, "是", "自身经营收入", "是", "20240415", "20290414", 600_000_000, 600_000_000, 140),
        loan(5, 2, "是", "财政性资金", "否", "20190920", "20290919", 800_000_000, 520_000_000, 250, "关注"),
        loan(6, 3, "是", "自身经营收入", "是", "20240603", "20340602", 500_000_000, 500_000_000, 100),
        loan(7, 4, "是", "财政性资金", "否", "20180830", "20280829", 700_000_000, 310_000_000, 300, "关注"),
        loan(8, 5, "否", "自身经营收入", "否", "20230901", "20280831", 300_000_000, 280_000_000, 100),
        loan(9, "苏州吴中滨湖新城开发有限公司", "否", "自身经营收入", "否", "20220510", "20270509", 200_000_000, 150_000_000, 100),
        loan(10, 6, "是", "自身经营收入", "否", "20211108", "20311107", 900_000_000, 760_000_000, 140),
        loan(11, "苏州华兴电子有限公司", "否", "自身经营收入", "否", "20230718", "20260717", 80_000_000, 60_000_000, 100),
        loan(12, "苏州吴中文旅发展有限公司", "否", "自身经营收入", "否", "20240110", "20290109", 150_000_000, 150_000_000, 100),
        loan(13, 7, "是", "自身经营收入", "否", "20220225", "20320224", 400_000_000, 330_000_000, 100),
        loan(14, 2, "是", "自身经营收入", "否", "20240612", "20290611", 300_000_000, 300_000_000, 250),
        loan(15, 5, "否", "自身经营收入", "否", "20240108", "20290107", 120_000_000, 120_000_000, 100),
        loan(16, 7, "是", "自身经营收入", "是", "20240528", "20340527", 250_000_000, 250_000_000, 100, use="保障性安居工程"),
        loan(17, 4, "是", "自身经营收入", "是", "20240605", "20290604", 150_000_000, 150_000_000, 300),
        loan(18, 0, "是", "自身经营收入", "是", "20240617", "20390616", 800_000_000, 800_000_000, 100,
             use="国务院审批或核准的重大项目", capital="是"),
        loan(19, 3, "是", "自身经营收入", "是", "20240619", "20290618", 200_000_000, 200_000_000, 100, use="土地储备贷款"),
        loan(20, 5, "否", "自身经营收入", "否", "20240315", "20290314", 90_000_000, 90_000_000, 100, use="保障性安居工程"),
        loan(21, 9, "是", "自身经营收入", "否", "20210930", "20310929", 200_000_000, 160_000_000, 100),
    ]


TOTAL_LOANS = 98_000_000_000       # 各项贷款余额 of the bank at 30 June 2024
LAST_YEAR = {"SNMGXDKYE": money(92_000_000_000), "SNMPTDKYE": money(12_500_000_000), "SNMDFGYE": money(1_400_000_000)}


def platform_share(b: CsvBatch) -> list[dict]:
    """The bank's platform totals, from the loans and the assessments as planted (第十条, 第十一条)."""
    tagged = sum(float(r["DKYE"]) for r in b.rows["PTDK"] if r["SFPTKH"] == "是")
    low = sum(float(r["BHDKYE"]) for r in b.rows["PTFG"] if float(r["XJLFGL"]) < 100 or float(r["ZCFZL"]) > 80)
    return [{"BGRQ": DATE, "GXDKYE": money(TOTAL_LOANS), "PTDKYE": money(tagged), "DFGYE": money(low), **LAST_YEAR}]


# ---------------------------------------------------------------- the batch and its defects

def file_name(table: str) -> str:
    return f"{LICENCE}-{table}-{DATE}.csv"


def build_batch() -> CsvBatch:
    b = CsvBatch(CATALOG, file_name)
    sheets = {i: worksheet(i, p) for i, p in enumerate(PLATFORMS) if p.total_assets}
    b.rows = {"PTMD": platform_list(), "PTFG": assessments(), "PTDK": loans(), "XJLFGCS": [], "PTZB": []}
    plant_worksheets(b, sheets)
    for i, cells in sheets.items():
        b.rows["XJLFGCS"] += worksheet_rows(i, cells)
    for i, cells in sheets.items():
        b.rows["XJLFGCS"] += item_rows(i, cells)
    plant_worksheet_findings(b, sheets)
    plant_list(b)
    plant_assessments(b)
    plant_loans(b)
    for row in b.rows["PTFG"]:                 # this bank's balance with each platform, from the loans as planted
        row["BHDKYE"] = money(sum(float(r["DKYE"]) for r in b.rows["PTDK"] if r["KHTYDM"] == row["PTTYDM"]))
    plant_balances(b)
    b.rows["PTZB"] = platform_share(b)
    plant_share(b)
    return b


def bump(cells: dict, lines: tuple[str, ...], year: str, amount: float) -> None:
    """Add ``amount`` to ``lines`` in ``year`` and in the total column, so the total still adds up."""
    for hc in lines:
        cells[hc][year] = round(cells[hc][year] + amount, 2)
        cells[hc]["HJ"] = round(cells[hc]["HJ"] + amount, 2)


def plant_worksheets(b: CsvBatch, sheets: dict) -> None:
    bump(sheets[0], ("3.3",), "Y2", 5_000_000)                 # 3.3 revised, line 3 not: line 3 ≠ Σ 3.x
    sheets[2]["4"]["Y1"] = round(sheets[2]["4"]["Y1"] + 10, 2)  # a ratio typed over
    sheets[3]["3.4"]["HJ"] = round(sheets[3]["3.4"]["HJ"] + 1_000_000, 2)   # a total that is not its years' sum
    bump(sheets[4], ("1.2", "2.2", "2"), "Y2", 2_000_000)       # interest revised, line 1 not
    bump(sheets[5], ("2.2", "2"), "Y1", 1_500_000)              # schedule interest ≠ contract interest
    bump(sheets[6], ("2",), "Y2", 3_000_000)                    # line 2 ≠ 2.1 + 2.2
    bump(sheets[7], ("2.1", "2"), "Y3", 4_000_000)              # schedule principal ≠ contract principal


def plant_worksheet_findings(b: CsvBatch, sheets: dict) -> None:
    rows, t = b.rows["XJLFGCS"], "XJLFGCS"

    def at(platform: int, hc: str) -> int:
        return next(n for n, r in enumerate(rows) if r["PTTYDM"] == IDS[platform] and r["HC"] == hc)

    def cell_finding(rule: str, platform: int, hc: str, *columns: str) -> None:
        for col in columns:
            b.expect(rule, t, at(platform, hc), f"{IDS[platform]}|{DATE}|{col}")

    cell_finding("XJLFGCS.line3", 0, "3", "Y2", "HJ")
    cell_finding("XJLFGCS.line4", 2, "4", "Y1")
    b.expect("XJLFGCS.total_column", t, at(3, "3.4"))
    cell_finding("XJLFGCS.line3", 3, "3", "HJ")
    cell_finding("XJLFGCS.line1", 4, "1", "Y2", "HJ")
    cell_finding("XJLFGCS.interest_ties", 5, "1.2", "Y1", "HJ")
    cell_finding("XJLFGCS.line2", 6, "2", "Y2", "HJ")
    cell_finding("XJLFGCS.principal_ties", 7, "1.1", "Y3", "HJ")
    for platform, year in ((4, "Y2"), (5, "Y1"), (6, "Y2"), (7, "Y3")):   # the same revisions break line 1 = line 2
        cell_finding("XJLFGCS.line1_equals_line2", platform, "1", year, "HJ")
    b.expect("XJLFGCS.own_cash_flow_only", t, at(1, "3.4.1"))          # a fiscal subsidy counted as own cash flow
    b.expect("XJLFGCS.item_category_required", t, at(3, "3.1.1"))      # an item without its category
    b.expect("XJLFGCS.land_income_reserve_only", t, at(6, "3.2.1"))    # land sales without a certificate, not a reserve body


def plant_list(b: CsvBatch) -> None:
    rows, t = b.rows["PTMD"], "PTMD"
    rows[6]["PTCJ"] = "区级"                 # founded by 南京市人民政府 (320100): a city-level platform
    b.expect("PTMD.level_district", t, 6)
    rows[12]["PTCJ"] = "区级"                # 文昌市 (469005, XX90YY): a province-administered county-level city
    b.expect("PTMD.level_district", t, 12)
    rows[8]["PTTYDM"] = broken(rows[8]["PTTYDM"])
    b.expect("PTMD.PTTYDM.uscc", t, 8)
    rows[5]["SFQZRQ"] = "20230628"           # signed 28 June, recorded as leaving the list on 30 June (第十五条)
    b.expect("PTMD.exit_date_is_signature", t, 5)


def plant_assessments(b: CsvBatch) -> None:
    rows, t = b.rows["PTFG"], "PTFG"
    rows[1]["XJLFGL"] = "86.40"              # the worksheet says 84.60
    b.expect("PTFG.ratio_matches_worksheet", t, 1, value="XJLFGL=86.40; sheet_ratio=84.6")
    rows[2]["SQTC"] = "是"                   # 半覆盖 at 78 %: may not leave the platform class
    b.expect("PTFG.exit_conditions", t, 2)
    rows[4]["ZCFZL"] = "18.00"               # 81 typed as 18
    b.expect("PTFG.debt_ratio", t, 4)
    rows[6].update(FGLB="基本覆盖", FXQZ="140.00")   # 68 % is 半覆盖
    b.expect("PTFG.class_matches_ratio", t, 6)
    rows[7]["FXQZ"] = "140.00"               # 全覆盖 weighs 100 %
    b.expect("PTFG.risk_weight_by_class", t, 7)
    b.expect("PTFG.exit_conditions_other", t, 2)   # … and its creditor banks do not all see it 全覆盖 (第十四条(三))
    rows[7].update(SQTC="是", ZGHG="否")       # at 70.00 % it may exit (70%以下), but its loans are not rectified
    b.expect("PTFG.exit_conditions_other", t, 7)
    rows[5]["QBFG"] = "否"                   # an exited platform one creditor bank no longer sees 全覆盖 (第十七条)
    b.expect("PTFG.exit_conditions_other", t, 5)
    b.expect("PTFG.exited_still_qualifies", t, 5)


def plant_loans(b: CsvBatch) -> None:
    rows, t = b.rows["PTDK"], "PTDK"
    b.expect("PTDK.new_loan_conditions", t, 3, value="coverage_class=基本覆盖; debt_ratio=72.50")  # 基本覆盖
    rows[4]["DKYE"] = money(820_000_000)     # balance above the amount lent
    b.expect("PTDK.DKYE.within_amount", t, 4)
    rows[8]["SFPTKH"] = "是"                 # tagged as a platform loan, borrower not on the list
    b.expect("PTDK.platform_on_list", t, 8)
    rows[9]["SFPTKH"] = "否"                 # a listed 监管类 platform's loan not tagged (漏报)
    b.expect("PTDK.listed_platform_tagged", t, 9)
    rows[10]["BZ"] = "RMB"
    b.expect("PTDK.BZ.currency", t, 10)
    rows[11]["HKLY"] = "财政性资金"          # fiscal repayment for a borrower outside the list
    b.expect("PTDK.no_fiscal_outside_list", t, 11)
    rows[12]["FXQZ"] = "140.00"              # its platform is 全覆盖: 100 %
    b.expect("PTDK.risk_weight_by_class", t, 12)
    rows[13]["SFXZ"] = "是"                  # a new loan to a 半覆盖 platform
    b.expect("PTDK.new_loan_conditions", t, 13)
    rows[14]["HKLY"] = "财政性资金"          # an exited platform repaying from fiscal funds
    b.expect("PTDK.no_fiscal_outside_list", t, 14)
    b.expect("PTDK.platform_assessed", t, 8)   # the loan tagged as a platform loan has no assessment either
    rows[0]["SFGYZCDY"] = "是"               # an existing loan still secured on public-welfare assets (第二十条)
    b.expect("PTDK.existing_loan_guarantee", t, 0)
    rows[2]["NHBCS"] = "0"                   # a ten-year loan repaid in one sum (整借整还, 第二十条)
    b.expect("PTDK.repayment_twice_a_year", t, 2)
    rows[3]["SFZFDB"] = "是"                 # a new loan guaranteed by the city (第七条(二))
    b.expect("PTDK.new_loan_guarantee", t, 3)
    rows[5].update(DKTX="在建项目", GCJD="55.00")   # a project 55 % built (第八条(五): 60 %)
    b.expect("PTDK.new_loan_under_construction", t, 5)
    rows[13]["DKTX"] = "其他"                # none of the five uses (第八条)
    b.expect("PTDK.new_loan_use", t, 13)
    b.expect("PTDK.new_loan_rectified", t, 15)   # 太仓港's existing loans are not rectified (第七条(二))
    b.expect("PTDK.new_loan_conditions", t, 16)  # a new loan to 浦东 (无覆盖, 81 %) …
    b.expect("PTDK.new_loan_local", t, 16)       # … from the Suzhou branch to a Shanghai platform (第七条(四))
    rows[17]["SFZBJDW"] = "否"               # a major project without its capital in place (第八条(二))
    b.expect("PTDK.new_loan_major_project_capital", t, 17)
    b.expect("PTDK.new_loan_land_reserve", t, 18)  # 昆山城投 is not a registered land-reserve institution (第八条(三))
    b.expect("PTDK.no_welfare_to_exited", t, 19)   # social housing for 常州新北 after it left the list (第九条)
    b.expect("PTDK.platform_assessed", t, 20)      # 铜梁 is on the list but has no coverage assessment (第三条)


def plant_balances(b: CsvBatch) -> None:
    rows, t = b.rows["PTFG"], "PTFG"
    rows[0]["BHDKYE"] = money(float(rows[0]["BHDKYE"]) + 1_000_000)   # one loan counted twice somewhere
    b.expect("PTFG.balance_matches_loans", t, 0)


def plant_share(b: CsvBatch) -> None:
    # platforms below full coverage or above 80 % hold 4.2 % of all loans; last year 1.5 % (第十一条)
    b.expect("PTZB.share_not_above_last_year", "PTZB", 0)


def main() -> None:
    run_csv_example(__doc__, HERE, BATCH, "lgfv", build_batch)


if __name__ == "__main__":
    main()
