"""Generate the example cross-institution credit data (多头融资) with planted defects and its expected findings.

    python examples/multi_creditor/generate.py              # rewrite the shipped example batch
    python examples/multi_creditor/generate.py --out DIR    # write it (and expected_findings.json) elsewhere

A fictional supervisory office's view at 30 June 2024: every exposure of banks, small-loan companies
and other lenders in the Suzhou area to twelve corporate borrowers (债权明细 ZQMX), and the borrowers
with the total each reports itself, whether a creditors' committee (债委会) exists and what it decided, and
the supervisor's judgement of the debt's size and the default's weight (借款人信息 JKRXX). Three branches of
one bank report under their legal entity's USCC and count as one creditor bank (渝府办发〔2016〕110号 三(一)). A regulator's extract, so the files are plain ``<TABLE>.csv`` with Chinese headers. USCCs
carry their real check characters; divisions and industries are real GB/T 2260 / GB/T 4754 codes.
``expected_findings.json`` is written from the planted defects, never from an engine run.
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
DATE = "20240630"
BATCH = f"SZJG-{DATE}"
CATALOG = load_catalog(ROOT / "specs" / "multi_creditor")

M = 1_000_000
CREDITORS = {  # code: (name, type, division)
    "K1": ("苏州姑苏银行股份有限公司", "商业银行", "320500"),
    "K2": ("江苏吴中太湖农村商业银行股份有限公司", "农村金融机构", "320506"),
    "K3": ("江苏锡苏银行股份有限公司", "商业银行", "320200"),
    "K4": ("昆山鹿城农村商业银行股份有限公司", "农村金融机构", "320583"),
    "K5": ("太仓港城村镇银行股份有限公司", "农村金融机构", "320585"),
    "K6": ("恒生银行（中国）有限公司苏州分行", "外资银行", "320505"),
    "S1": ("苏州市吴中区东吴科技小额贷款有限公司", "小额贷款公司", "320506"),
    "S2": ("苏州工业园区金鸡湖小额贷款有限公司", "小额贷款公司", "320505"),
    "S3": ("苏州市吴江区盛泽小额贷款有限公司", "小额贷款公司", "320509"),
    "S4": ("昆山市周庄小额贷款有限公司", "小额贷款公司", "320583"),
    "S5": ("苏州市相城区元和小额贷款有限公司", "小额贷款公司", "320507"),
    "S6": ("太仓市浏河小额贷款有限公司", "小额贷款公司", "320585"),
    "G1": ("苏州市融资再担保有限公司", "融资担保公司", "320508"),
    "L1": ("苏州金融租赁股份有限公司", "金融租赁公司", "320505"),
    "J1": ("江南商业银行股份有限公司苏州分行", "商业银行", "320505"),      # three branches of one bank
    "J2": ("江南商业银行股份有限公司昆山支行", "商业银行", "320583"),
    "J3": ("江南商业银行股份有限公司吴江支行", "商业银行", "320509"),
}
CREDITOR_ID = {k: uscc(div, 800001 + i) for i, (k, (_, _, div)) in enumerate(CREDITORS.items())}
JIANGNAN_HQ = uscc("320000", 800100)                                   # 江南商业银行股份有限公司 (the legal entity)
LEGAL_ENTITY = {k: JIANGNAN_HQ if k.startswith("J") else code for k, code in CREDITOR_ID.items()}
LICENCE = {"J1": "B0999B232050001", "J2": "B0999S232050002", "J3": "B0999S232050003"}


@dataclass
class Borrower:
    name: str
    division: str
    industry: str
    exposures: list[tuple]  # (creditor, amount in millions, days overdue, default flag, business type)
    committee: str = "未成立"
    committee_date: str = ""
    large: str = "否"            # 是否债务规模较大 (the supervisor's judgement)
    major: str = "否"            # 是否重大信用风险违约事件
    measures: str = ""          # the committee's decision


BORROWERS = [
    Borrower("苏州恒昌纺织有限公司", "320509", "C17",
             [("K1", 120, 120, "是"), ("K2", 80, 0, "否"), ("K3", 60, 0, "否"), ("K4", 40, 0, "否")], large="是"),
    Borrower("昆山精工模具有限公司", "320583", "C35",
             [("K1", 50, 0, "否"), ("K4", 70, 95, "是"), ("K5", 30, 0, "否")], "已成立", "20240520", large="是",
             measures="稳贷;重组"),
    Borrower("吴江新达化纤有限公司", "320509", "C28",
             [("K2", 40, 0, "否"), ("S1", 5, 0, "否"), ("S2", 5, 0, "否"), ("S3", 5, 100, "是"), ("S4", 5, 0, "否"),
              ("S5", 5, 0, "否")], large="是"),
    Borrower("太仓港华物流有限公司", "320585", "G59",
             [("K1", 100, 0, "否"), ("K2", 50, 0, "否"), ("K3", 40, 0, "否"), ("K5", 20, 0, "否"), ("K6", 30, 0, "否")],
             "已成立", "20240610", large="是"),
    Borrower("张家港沙洲钢材贸易有限公司", "320582", "F51", [("K3", 90, 181, "是"), ("K6", 40, 0, "否")]),
    Borrower("常熟虞山服装有限公司", "320581", "C18", [("K1", 60, 0, "否"), ("K2", 40, 0, "否"), ("L1", 20, 0, "否", "融资租赁")]),
    Borrower("苏州吴中华宇电子有限公司", "320506", "C39", [("K1", 30, 0, "否"), ("K4", 20, 0, "否")]),
    Borrower("苏州相城恒盛建材有限公司", "320507", "C30", [("K2", 25, 95, "否")]),
    Borrower("苏州姑苏文化传媒有限公司", "320508", "R86", [("S6", 3, 0, "否"), ("G1", 2, 0, "否", "其他")]),
    Borrower("苏州东山茶业有限公司", "320506", "A01", [("K2", 8, 0, "否")]),
    # three branches of one bank and one other bank: two creditor banks, not three (no committee needed)
    Borrower("苏州三元机械有限公司", "320507", "C34",
             [("J1", 40, 120, "是"), ("J2", 30, 0, "否"), ("J3", 20, 0, "否"), ("K1", 10, 0, "否")], large="是"),
    # a bank, a small-loan company and a leasing company, a major default: a committee is needed
    Borrower("吴江华盛纸业有限公司", "320509", "C22",
             [("K2", 60, 100, "是"), ("S2", 5, 0, "否"), ("L1", 15, 0, "否", "融资租赁")], major="是"),
]
BORROWER_ID = [uscc(b.division, 900001 + i) for i, b in enumerate(BORROWERS)]


def borrowers() -> list[dict]:
    return [{"JKRDM": BORROWER_ID[i], "JKRMC": b.name, "BGRQ": DATE, "ZCD": b.division, "HY": b.industry,
             "BGRZE": money(sum(e[1] for e in b.exposures) * M), "ZWHZT": b.committee, "ZWHCLRQ": b.committee_date,
             "SFZWGMJD": b.large, "SFZDWY": b.major, "CZCS": b.measures}
            for i, b in enumerate(BORROWERS)]


def exposures() -> list[dict]:
    rows = []
    for i, b in enumerate(BORROWERS):
        for n, (creditor, amount, overdue, default, *kind) in enumerate(b.exposures, start=1):
            name, ctype, _ = CREDITORS[creditor]
            rows.append({"ZQJGDM": CREDITOR_ID[creditor], "ZQJGMC": name, "ZQJGLX": ctype,
                         "FRJGDM": LEGAL_ENTITY[creditor], "JRXKZH": LICENCE.get(creditor, ""), "JKRDM": BORROWER_ID[i],
                         "JKRMC": b.name, "YWBH": f"{creditor}-2024-{i + 1:02d}{n:02d}", "YWLX": kind[0] if kind else "贷款",
                         "BZ": "CNY", "YE": money(amount * M), "SFWY": default, "YQTS": str(overdue), "BGRQ": DATE})
    return rows


# ---------------------------------------------------------------- the batch and its defects

def build_batch() -> CsvBatch:
    b = CsvBatch(CATALOG)
    b.rows = {"JKRXX": borrowers(), "ZQMX": exposures()}
    people, t = b.rows["JKRXX"], "JKRXX"
    # 恒昌: 4 creditor banks, one exposure in default, no committee
    b.expect("JKRXX.committee_candidates", t, 0, value="banks=4; small_lenders=0; other_institutions=0; defaults=1")
    b.expect("JKRXX.committee_required", t, 0)
    # 精工: 3 banks and a default; its committee exists (on the worklist, nothing to correct)
    b.expect("JKRXX.committee_candidates", t, 1, value="banks=3; small_lenders=0; other_institutions=0; defaults=1")
    # 新达: 1 bank but 5 small-loan companies, one in default
    b.expect("JKRXX.committee_candidates", t, 2, value="banks=1; small_lenders=5; other_institutions=0; defaults=1")
    b.expect("JKRXX.committee_required", t, 2)
    # 港华's committee exists but recorded no decision
    b.expect("JKRXX.committee_measures", t, 3)
    # 华盛: a bank, a small-loan company and a leasing company; a major default and no committee
    b.expect("JKRXX.committee_candidates", t, 11, value="banks=1; small_lenders=1; other_institutions=1; defaults=1")
    b.expect("JKRXX.committee_required_mixed", t, 11)
    # 虞山 reports 80 million; the institutions hold 120 million
    people[5]["BGRZE"] = money(80 * M)
    b.expect("JKRXX.total_exposure", t, 5, value="BGRZE=80000000.00; total=120000000; creditors=3")
    people[8]["ZCD"] = "320599"
    b.expect("JKRXX.ZCD.division", t, 8)
    loans, t = b.rows["ZQMX"], "ZQMX"
    hua = [n for n, r in enumerate(loans) if r["JKRMC"] == "苏州吴中华宇电子有限公司"]
    loans[hua[1]]["JKRMC"] = "苏州华宇电子有限公司"           # the second creditor knows it by an older name
    for n in hua:
        b.expect("ZQMX.borrower_name_consistent", t, n)
    n = next(n for n, r in enumerate(loans) if r["JKRMC"] == "苏州相城恒盛建材有限公司")
    b.expect("ZQMX.default_flag", t, n)                        # 95 days overdue, not flagged as a default
    n = next(n for n, r in enumerate(loans) if r["JKRMC"] == "太仓港华物流有限公司" and r["ZQJGLX"] == "外资银行")
    loans[n]["ZQJGDM"] = broken(loans[n]["ZQJGDM"])
    b.expect("ZQMX.ZQJGDM.uscc", t, n)
    n = next(n for n, r in enumerate(loans) if r["JKRMC"] == "苏州东山茶业有限公司")
    loans[n]["YE"] = money(-8 * M)                             # a sign error …
    b.expect("ZQMX.YE.nonnegative", t, n)
    b.expect("JKRXX.total_exposure", "JKRXX", 9)              # … that also breaks the borrower's total
    return b


def main() -> None:
    run_csv_example(__doc__, HERE, BATCH, "multi-creditor", build_batch)


if __name__ == "__main__":
    main()
