"""Deterministic benchmark data, generated in DuckDB SQL (hash-based, no randomness).

One EAST 5.0 个人信贷业务借据表 (GRXDYWJJB, 58 fields) of N rows and the 个人基础信息表
(GRJCXXB) it references, each written twice: in the real EAST text format (UTF-8, fields
separated by 0x01, records by LF, no header, no quoting) and as Parquet (the same text values,
empty fields as NULL). 1% of the loans carry exactly one of 25 defect kinds and 0.05% repeat
the previous loan's 借据号 — the defect design of the reference baseline, mapped onto EAST fields.

    python -m benchmarks.gen --rows 1000000            # → benchmarks/data/1m/{text,parquet}/
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
LICENCE = "B0001H111000001"
CJRQ = "20240630"
LOANS, CUSTOMERS = "GRXDYWJJB", "GRJCXXB"
FORMAT_VERSION = "1"  # bump when the generated values change, so cached data is regenerated


def label(rows: int) -> str:
    """1000000 → '1m', 10000000 → '10m', 2500 → '2500'."""
    for unit, size in (("b", 10 ** 9), ("m", 10 ** 6), ("k", 10 ** 3)):
        if rows >= size and rows % size == 0:
            return f"{rows // size}{unit}"
    return str(rows)


def customers_for(rows: int) -> int:
    """Size of the customer table: a tenth of the loans, between 100 and 1M (the baseline's 1M at 10M)."""
    return max(100, min(1_000_000, rows // 10))


def east_name(table: str, ext: str) -> str:
    return f"{LICENCE}-{table}-{CJRQ}.{ext}"


def _pick(values: list[str], h: str) -> str:
    items = ", ".join("'" + v + "'" for v in values)
    return f"[{items}][1 + ({h} % {len(values)})::INT]"


# clean value of every GRXDYWJJB field (in spec order), from the per-row hashes of `base`
LOAN_FIELDS: dict[str, str] = {
    "JRXKZH": "'B0001B21100000' || (1 + hb % 5)::VARCHAR",
    "NBJGH": "lpad((hb % 500)::VARCHAR, 4, '0')",
    "YHJGMC": _pick(["示例银行北京分行", "示例银行上海分行", "示例银行广州分行", "示例银行深圳分行"], "hb"),
    "MXKMBH": "'13010101'",
    "MXKMMC": "'个人贷款本金'",
    "KHTYBH": "'P' || lpad((ha % {nc})::VARCHAR, 9, '0')",
    "KHMC": _pick(["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋"], "(hd // 3)"),
    "ZJLB": "'居民身份证'",
    "ZJHM": "lpad(((hh // 23) % 100000000000000000)::VARCHAR, 17, '0') || "
            + _pick(list("0123456789X"), "(ha // 29)"),
    "XDHTH": "'HT' || lpad(i::VARCHAR, 12, '0')",
    "XDJJH": "'JJ' || lpad((CASE WHEN hh % 2000 = 0 AND i > 0 THEN i - 1 ELSE i END)::VARCHAR, 12, '0')",
    "DKFHZH": "'FH' || lpad(i::VARCHAR, 12, '0')",
    "XDYWZL": _pick(["住房按揭贷款", "消费贷款", "个人经营性贷款", "汽车贷款"], "(hc // 5)"),
    "DKFFLX": "'新增'",
    "FKFS": _pick(["受托支付", "自主支付"], "(hd // 7)"),
    "BZ": _pick(["CNY"] * 6 + ["USD", "EUR", "HKD", "JPY"], "hc"),
    "DKJE": "amount::VARCHAR",
    "DKYE": "balance::VARCHAR",
    "DKWJFL": _pick(["正常"] * 6 + ["关注", "次级", "可疑", "损失"], "(he // 13)"),
    "ZQS": "'240'", "DQQS": "'12'", "ZQCS": "'0'",
    "DKFFRQ": "strftime(start_date, '%Y%m%d')",
    "DKDQRQ": "strftime(start_date + term_days, '%Y%m%d')",
    "ZJRQ": "'99991231'", "QBJE": "'0'", "QBRQ": "'99991231'", "BNQXYE": "'0'", "BWQXYE": "'0'",
    "QXRQ": "'99991231'", "LXQKQS": "'0'", "LJQKQS": "'0'", "SBXDJJH": "NULL",
    "DKRZZH": "'62' || lpad(((hf // 17) % 100000000000000000)::VARCHAR, 17, '0')",
    "DKRZHM": "NULL",  # = KHMC, filled below
    "RZZHSSHMC": "'示例银行北京分行'",
    "LLLX": _pick(["LPR", "固定利率"], "(hg // 3)"),
    "SJLL": "rate::VARCHAR",
    "HKFS": _pick(["按月", "按季"], "(hg // 7)"),
    "HKZH": "NULL",  # = DKRZZH, filled below
    "HKZHSSHMC": "'示例银行北京分行'",
    "JXFS": "'按月结息'",
    "XQHKRQ": "'20240715'", "XQYHBJ": "'1500.00'", "XQYHLX": "'1600.00'",
    "JJDKYT": _pick(["购买自住住房", "购买家用汽车", "装修", "经营周转"], "(hc // 5)"),
    "DKTXDQ": "'110105'",
    "DKTXHY": "'2.3制造业'",
    "SFHLWDK": "'否'", "SFLSDK": "'否'", "SFSNDK": "'否'", "SFPHXSNDK": "'否'", "SFPHXXWQYDK": "'否'", "SFKJDK": "'否'",
    "XDYGH": "'E' || lpad((hc % 1000)::VARCHAR, 4, '0')",
    "DKZT": _pick(["正常", "正常", "正常", "逾期", "结清", "核销", "转让"], "(hc // 11)"),
    "BBZ": "NULL",
    "CJRQ": f"'{CJRQ}'",
}

# k = defect kind (0..24) of the 1% defective rows; each changes one field (NULL = empty field)
DEFECTS: dict[str, str] = {
    "XDJJH": "CASE WHEN k = 0 THEN NULL WHEN k = 1 THEN XDJJH || 'X' ELSE XDJJH END",
    "KHTYBH": "CASE WHEN k = 2 THEN NULL WHEN k = 3 THEN 'Q' || lpad(i::VARCHAR, 9, '0') ELSE KHTYBH END",
    "NBJGH": "CASE WHEN k = 4 THEN NULL WHEN k = 5 THEN 'BR' || right(NBJGH, 3) ELSE NBJGH END",
    "BZ": "CASE WHEN k = 6 THEN NULL WHEN k = 7 THEN 'cny' WHEN k = 8 THEN 'RMB' WHEN k = 9 THEN 'CNYX' ELSE BZ END",
    "DKJE": "CASE WHEN k = 10 THEN NULL WHEN k = 11 THEN '-' || DKJE ELSE DKJE END",
    "DKYE": "CASE WHEN k = 12 THEN (amount + 100)::VARCHAR WHEN k = 13 THEN '-1.00' ELSE DKYE END",
    "SJLL": "CASE WHEN k = 14 THEN NULL WHEN k = 15 THEN (rate + 50)::VARCHAR ELSE SJLL END",
    "DKFFRQ": "CASE WHEN k = 16 THEN NULL WHEN k = 17 THEN '18991231' ELSE DKFFRQ END",
    "DKDQRQ": "CASE WHEN k = 18 THEN strftime(start_date - 10, '%Y%m%d') ELSE DKDQRQ END",
    "DKZT": "CASE WHEN k = 19 THEN '未知' WHEN k = 20 THEN NULL ELSE DKZT END",
    "DKWJFL": "CASE WHEN k = 21 THEN '不良' ELSE DKWJFL END",
    "DKRZZH": "CASE WHEN k = 22 THEN left(DKRZZH, 18) WHEN k = 23 THEN '62ABCDEFGHIJKLMNOPQ' ELSE DKRZZH END",
    "ZJHM": "CASE WHEN k = 24 THEN left(ZJHM, 15) ELSE ZJHM END",
    "DKRZHM": "KHMC",
    "HKZH": "DKRZZH",
}

CUSTOMER_FIELDS: dict[str, str] = {
    "JRXKZH": "'B0001B211000001'", "NBJGH": "'0101'", "YHJGMC": "'示例银行北京分行'",
    "KHTYBH": "'P' || lpad(i::VARCHAR, 9, '0')",
    "KHXM": _pick(["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋"], "hash(i, 'name')"),
    "ZJLB": "'居民身份证'", "ZJHM": "lpad((hash(i, 'id') % 100000000000000000)::VARCHAR, 17, '0') || 'X'",
    "BXYGBZ": "'普通个人客户'", "GJ": "'CHN'", "MZ": "'汉族'", "XB": _pick(["男", "女"], "i"), "XL": "'本科'",
    "CSNY": "'19' || (70 + i % 20)::VARCHAR || '0' || (1 + i % 9)::VARCHAR", "SFYH": "'是'",
    "GZDWMC": "'北京华信科技有限公司'", "GZDWDZ": "'北京市海淀区中关村大街1号'", "GZDWDH": "'010-62345678'",
    "DWXZ": "'民营企业'", "ZY": "'工程师'", "ZW": "'职员'", "GRNSR": "'120000.00'", "TXDZ": "'北京市朝阳区建国路88号'",
    "LXDH": "'13' || lpad((hash(i, 'tel') % 1000000000)::VARCHAR, 9, '0')", "XDKHBZ": "'是'",
    "SCJLXDGXNY": "'201801'", "SFNH": "'否'", "BHYGBZ": "'否'", "SHMDBZ": "'否'", "SHMDRQ": "'99991231'",
    "BBZ": "NULL", "CJRQ": f"'{CJRQ}'",
}


def loans_sql(rows: int, nc: int) -> str:
    """SELECT of the loan table: every field VARCHAR, NULL for an empty field, in spec order."""
    clean = ",\n    ".join(f"{expr.format(nc=nc)} AS {code}" for code, expr in LOAN_FIELDS.items())
    final = ", ".join(f"{DEFECTS.get(code, code)} AS {code}" for code in LOAN_FIELDS)
    return f"""
WITH base AS (
  SELECT i, (hash(i, 'defect') % 10000)::INT AS d,
         hash(i, 'a') AS ha, hash(i, 'b') AS hb, hash(i, 'c') AS hc, hash(i, 'dd') AS hd, hash(i, 'e') AS he,
         hash(i, 'f') AS hf, hash(i, 'g') AS hg, hash(i, 'h') AS hh
  FROM range({rows}) t(i)
), v AS (
  SELECT *, CASE WHEN d < 100 THEN d % 25 ELSE -1 END AS k,
    CAST(1000 + (he % 500000000) / 100.0 AS DECIMAL(20, 2)) AS amount,
    CAST(CAST(1000 + (he % 500000000) / 100.0 AS DECIMAL(20, 2)) * ((hf % 1000) / 1000.0) AS DECIMAL(20, 2)) AS balance,
    CAST(2 + (hg % 13000) / 1000.0 AS DECIMAL(10, 4)) AS rate,
    DATE '2015-01-01' + ((ha // 7) % 3650)::INT AS start_date,
    (30 + (hb // 7) % 3620)::INT AS term_days
  FROM base
), w AS (
  SELECT *, {clean} FROM v
)
SELECT {final} FROM w"""


def customers_sql(nc: int) -> str:
    cols = ", ".join(f"{expr} AS {code}" for code, expr in CUSTOMER_FIELDS.items())
    return f"SELECT {cols} FROM range({nc}) t(i)"


def _copy_text(con, select: str, path: Path) -> None:
    """EAST text: 0x01 between fields, LF after each record, nothing quoted, empty for NULL."""
    con.execute(f"COPY ({select}) TO '{path}' (FORMAT csv, DELIMITER '\x01', HEADER false, QUOTE '\x02', "
                f"ESCAPE '\x02', NEW_LINE '\\n')")


def _copy_parquet(con, select: str, path: Path) -> None:
    con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)")


def generate(rows: int, out: Path | None = None, formats: tuple[str, ...] = ("text", "parquet"),
             quiet: bool = False) -> Path:
    """Write the data set of ``rows`` loans under benchmarks/data/<label>/ unless already there."""
    out = out or DATA / label(rows)
    nc = customers_for(rows)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.execute(f"SET temp_directory = '{out / '.tmp'}'")
    for fmt in formats:
        folder = out / fmt
        marker = folder / f".complete-{rows}-{nc}-v{FORMAT_VERSION}"
        if marker.exists():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        start = time.perf_counter()
        ext, copy = ("txt", _copy_text) if fmt == "text" else ("parquet", _copy_parquet)
        copy(con, customers_sql(nc), folder / east_name(CUSTOMERS, ext))
        copy(con, loans_sql(rows, nc), folder / east_name(LOANS, ext))
        marker.touch()
        if not quiet:
            print(f"generated {fmt}: {rows:,} loans + {nc:,} customers in {time.perf_counter() - start:.1f}s → {folder}")
    con.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--formats", default="text,parquet")
    args = parser.parse_args()
    generate(args.rows, args.out, tuple(f for f in args.formats.split(",") if f))


if __name__ == "__main__":
    main()
