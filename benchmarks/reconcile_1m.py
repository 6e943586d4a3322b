"""Time `jianhe reconcile` on 1M debt-side and 1M creditor-side records with a known mix of differences.

    python benchmarks/reconcile_1m.py [--records 1000000] [--data benchmarks/data/reconcile_1m]

The data are generated deterministically by DuckDB SQL (no randomness: every value is a function of
the record number i) into CSV files under benchmarks/data/ (not committed). Records come in blocks of
1,000; the position g = i mod 1000 decides what is planted (PLAN below), and every tenth block holds
registry products (理财/信托/资管) instead of bank loans, so both reconcile rules of the debt_platform
pack run. The command runs as a child process under `/usr/bin/time -v` (wall time and peak RSS of
the whole CLI, default memory limit), once with the JSON report only and once with every report
(JSON, HTML, one xlsx per recipient); the floor is DuckDB reading every column of the large files
once, in this process.
The script asserts that the class counts in reconcile.json equal the planted counts.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.spec import load_catalog  # noqa: E402

BLOCK = 1000
UNITS, OUTSIDERS = 5000, 1000  # registered units; unregistered debtors known only to creditors
JIANHE = Path(sys.executable).parent / "jianhe"

# g = i mod 1000 → what record i plants; the counts of each class per block follow from it.
# Pairs with differences are 1:1 groups; 'debt/creditor only' keys are made unique by a suffix.
PLAN = [
    (range(0, 5), "少报: debt balance 1,000,000 lower", {"under_reported": 1}),
    (range(5, 10), "多报: debt balance 1,000,000 higher", {"over_reported": 1}),
    (range(10, 15), "错报: rate 0.50 percentage points off", {"misreported": 1}),
    (range(15, 17), "错报: balance in 万元 (÷10⁴)", {"misreported": 1}),
    (range(17, 20), "debt record's key unknown to the creditor; creditor record of an unregistered debtor",
     {"debt_only": 1, "omitted": 1}),
    (range(20, 22), "debt record's key unknown to the creditor; creditor record (20,000,000) of a registered unit: "
     "paired by the second match (unit + contract), the balance lower", {"under_reported": 1}),
    (range(22, 24), "normalisation: full-width contract number, lower-case USCC, trailing spaces (must match)",
     {"matched": 1}),
    (range(24, 26), "24+25: two debt records on one creditor record; 25's creditor record is unregistered's",
     {"many_to_one": 0.5, "omitted": 0.5}),
    (range(26, 28), "26+27: two creditor records on one debt record; 27's debt record has its own key",
     {"one_to_many": 0.5, "debt_only": 0.5}),
    (range(28, 30), "28+29: the same debt entered twice; both creditor records are unregistered debtors'",
     {"duplicate": 0.5, "omitted": 1}),
    (range(30, BLOCK), "agree", {"matched": 1}),
]


def planted_counts(n: int) -> dict[str, int]:
    per_block: Counter = Counter()
    for positions, _, outcomes in PLAN:
        for cls, k in outcomes.items():
            per_block[cls] += k * len(positions)
    assert n % BLOCK == 0, "records must be a multiple of 1000"
    return {cls: int(v * n // BLOCK) for cls, v in sorted(per_block.items())}


# ---------------------------------------------------------------- data

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
REGIONS = ["460100", "460105", "460106", "460107", "460108", "460200", "460202", "460203", "460400", "469002",
           "469005", "469006"]


def _uscc(region: str, n: int) -> str:
    body = f"MA{n:06d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    value = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body, weights))
    r = 11 - value % 11
    text = "91" + region + body + ("X" if r == 10 else "0" if r == 11 else str(r))
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(text, (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10,
                                                                       30, 28)))
    return text + USCC_ALPHABET[(31 - total % 31) % 31]


def parties() -> pa.Table:
    """Registered units 0..UNITS-1 and unregistered debtors after them, with valid USCCs."""
    rows = [(k, _uscc(REGIONS[k % len(REGIONS)], k), REGIONS[k % len(REGIONS)]) for k in range(UNITS + OUTSIDERS)]
    return pa.table({"pk": [r[0] for r in rows], "uscc": [r[1] for r in rows], "region": [r[2] for r in rows]})


# SQL pieces over a relation with i (record number), g (i mod 1000), reg (registry block)
DEBT_KEY = "CASE WHEN g IN (25, 29) THEN i - 1 ELSE i END"  # 25 and 29 share their key with 24 / 28
CREDITOR_KEY = "CASE WHEN g = 27 THEN i - 1 ELSE i END"     # 27's creditor record shares 26's key
UNIT_OF_KEY = f"(b.k + 7 * (b.k // {BLOCK})) % {UNITS}"       # spreads each block's planted keys over all units


def _write(con, sql: str, table: str, out: Path, catalog) -> None:
    fields = catalog.tables[table].field_codes
    con.execute(f"COPY (SELECT {', '.join(fields)} FROM ({sql})) TO '{out / (table + '.csv')}' (HEADER, DELIMITER ',')")


def generate(n: int, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog(ROOT / "specs" / "debt_platform")
    con = duckdb.connect()
    con.register("parties_arrow", parties())
    con.execute("CREATE TABLE parties AS SELECT * FROM parties_arrow")
    # balances from 3,000,000 to 10,000,000: a difference of 1,000,000 is never mistaken for a unit factor
    base = (f"SELECT i, i % {BLOCK} AS g, (i // {BLOCK}) % 10 = 9 AS reg, "
            f"3000000 + (i * 7919) % 7000000 AS bal FROM range({n}) t(i)")
    con.execute(f"CREATE TABLE base AS {base}")
    _write(con, "SELECT p.uscc AS UNIT_USCC, '单位' || p.pk AS UNIT_NAME, '融资平台公司' AS UNIT_KIND, p.region AS REGION_CODE, "
                "'市' AS GOV_LEVEL, '是' AS IS_LGFV, '国资委' AS SUPERVISOR, '20200101' AS REG_DATE "
                f"FROM parties p WHERE p.pk < {UNITS} ORDER BY p.pk", "DEBT_UNIT", out, catalog)
    contract = "'HT' || lpad(CAST(k AS VARCHAR), 9, '0')"
    debt = f"""
      SELECT 'DR' || i AS RECORD_ID, '202406' AS PERIOD,
        CASE WHEN g = 23 THEN lower(p.uscc) ELSE p.uscc END AS UNIT_USCC, '单位' || p.pk AS UNIT_NAME, p.region AS REGION_CODE,
        CASE WHEN reg THEN '信托' ELSE '银行贷款' END AS PRODUCT_TYPE,
        CASE WHEN reg THEN 'K0099H246000001' ELSE 'B000' || (1 + k % 5) || 'H111000001' END AS CREDITOR_CODE,
        '债权机构' AS CREDITOR_NAME, CASE WHEN reg THEN '' ELSE 'B0001B246000001' END AS BRANCH_CODE, '' AS BRANCH_NAME,
        CASE WHEN reg THEN 'ZXD' || k ELSE '' END AS PRODUCT_CODE,
        CASE WHEN g = 22 THEN translate({contract}, '0123456789HT', '０１２３４５６７８９ＨＴ')
             WHEN g IN (17, 18, 19, 20, 21) OR g = 27 THEN {contract} || 'D' ELSE {contract} END AS CONTRACT_NO,
        CASE WHEN reg THEN '' WHEN g = 23 THEN 'JJ' || k || '  ' ELSE 'JJ' || k END AS DRAWDOWN_NO,
        'CNY' AS CURRENCY, CAST(bal * 2 AS VARCHAR) || '.00' AS AMOUNT,
        CASE WHEN g < 5 THEN CAST(bal - 1000000 AS VARCHAR) || '.00' WHEN g < 10 THEN CAST(bal + 1000000 AS VARCHAR) || '.00'
             WHEN g IN (15, 16) THEN CAST(CAST(bal / 10000.0 AS DECIMAL(18, 2)) AS VARCHAR)
             ELSE CAST(bal AS VARCHAR) || '.00' END AS BALANCE,
        '20230101' AS VALUE_DATE, '20330101' AS MATURITY_DATE,
        CASE WHEN g BETWEEN 10 AND 14 THEN '4.700000' ELSE '4.200000' END AS RATE, '存续' AS STATUS, '' AS REMARK
      FROM (SELECT *, {DEBT_KEY} AS k FROM base) b JOIN parties p ON p.pk = {UNIT_OF_KEY}"""
    _write(con, debt, "DEBT_RECORD", out, catalog)
    # creditor side: registered units' records, except 17-19, 25, 28, 29 (an unregistered debtor's) and
    # 20-21 (a registered unit's record whose key the unit does not report, balance 20,000,000)
    unregistered = "g IN (17, 18, 19, 25, 28, 29)"
    creditor_contract = f"CASE WHEN g IN (17, 18, 19, 20, 21, 25, 28, 29) THEN {contract} || 'C' ELSE {contract} END"
    cbal = "CASE WHEN g IN (20, 21) THEN 20000000 ELSE bal END"
    # the debtor: the unit of the record's key, or an unregistered debtor for the planted positions
    party = f"CASE WHEN {unregistered} THEN {UNITS} + b.i % {OUTSIDERS} ELSE {UNIT_OF_KEY} END"
    common = f"FROM (SELECT *, {CREDITOR_KEY} AS k FROM base) b JOIN parties p ON p.pk = {party}"
    bank = f"""
      SELECT '202406' AS PERIOD, 'B000' || (1 + k % 5) || 'H111000001' AS BANK_CODE, '银行' AS BANK_NAME,
        'B0001B246000001' AS BRANCH_CODE, '分行' AS BRANCH_NAME, p.uscc AS BORROWER_USCC, '借款人' || p.pk AS BORROWER_NAME,
        p.region AS BORROWER_REGION, {creditor_contract} AS CONTRACT_NO,
        CASE WHEN g = 27 THEN 'JJ-' || k ELSE 'JJ' || k END AS LOAN_NO, 'CNY' AS CURRENCY,
        CAST(bal * 2 AS VARCHAR) || '.00' AS LOAN_AMOUNT, CAST({cbal} AS VARCHAR) || '.00' AS BALANCE,
        '20230101' AS START_DATE, '20330101' AS MATURITY_DATE, '4.200000' AS RATE, '存续' AS STATUS
      {common} WHERE NOT reg"""
    _write(con, bank, "BANK_LOAN", out, catalog)
    registry = f"""
      SELECT '202406' AS PERIOD, '中国信托登记有限责任公司' AS REGISTRY, '信托' AS PRODUCT_TYPE,
        CASE WHEN g = 27 THEN 'ZXD-' || k ELSE 'ZXD' || k END AS PRODUCT_CODE, '信托计划' AS PRODUCT_NAME,
        'K0099H246000001' AS MANAGER_CODE, '信托公司' AS MANAGER_NAME, p.uscc AS DEBTOR_USCC, '融资主体' || p.pk AS DEBTOR_NAME,
        p.region AS DEBTOR_REGION, {creditor_contract} AS CONTRACT_NO, CAST(bal * 2 AS VARCHAR) || '.00' AS AMOUNT,
        CAST({cbal} AS VARCHAR) || '.00' AS BALANCE, '20230101' AS VALUE_DATE, '20330101' AS MATURITY_DATE,
        '4.200000' AS RATE
      {common} WHERE reg"""
    _write(con, registry, "REGISTRY_PRODUCT", out, catalog)
    con.close()


# ---------------------------------------------------------------- measuring

def floor_seconds(folder: Path) -> float:
    """DuckDB reading every column of the debt and creditor files once (the least any comparison does)."""
    con = duckdb.connect()
    start = time.perf_counter()
    for name in ("DEBT_RECORD", "BANK_LOAN", "REGISTRY_PRODUCT"):
        con.execute(f"SELECT count(*), sum(strlen(CAST(COLUMNS(*) AS VARCHAR))) FROM "
                    f"read_csv('{folder / (name + '.csv')}', header=true, all_varchar=true)").fetchall()
    return time.perf_counter() - start


def timed_run(args: list[str]) -> dict:
    """Run the CLI under /usr/bin/time -v; wall seconds and peak RSS of the child."""
    proc = subprocess.run(["/usr/bin/time", "-v", str(JIANHE), *args], capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"jianhe failed ({proc.returncode}): {proc.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = sum(p * 60 ** k for k, p in enumerate(reversed(parts)))
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return {"wall_s": round(seconds, 2), "peak_rss_mb": round(rss_kb / 1024), "exit_code": proc.returncode}


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    mem = next((int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return (f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} CPUs (shared), {mem} GB RAM; "
            f"Python {platform.python_version()}, DuckDB {duckdb.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "data" / "reconcile_1m")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "reconcile_1m.json")
    parser.add_argument("--skip-all-formats", action="store_true", help="only the JSON-report run")
    args = parser.parse_args()
    marker = args.data / f".records-{args.records}"
    if not marker.exists():
        start = time.perf_counter()
        generate(args.records, args.data)
        marker.touch()
        print(f"generated {args.records:,} + {args.records:,} records in {time.perf_counter() - start:.1f} s")
    expected = planted_counts(args.records)
    load_before = os.getloadavg()
    floor = floor_seconds(args.data)
    reports = args.data.parent / "reconcile_1m_reports"
    base = ["reconcile", str(args.data), "--pack", "debt_platform", "--param", "province=460000",  # 海南省 data
            "--report-dir", str(reports), "--quiet"]
    runs = {"json": timed_run([*base, "--format", "json"])}
    doc = json.loads((reports / "reconcile.json").read_text("utf-8"))
    got = {cls: n for cls, n in doc["summary"]["groups"].items() if n}
    assert got == expected, f"class counts differ from the planted ones:\n got      {got}\n expected {expected}"
    assert doc["summary"]["records_debt"] == doc["summary"]["records_creditor"] == args.records
    if not args.skip_all_formats:
        runs["json_html_xlsx"] = timed_run([*base, "--format", "json,html,xlsx"])
        runs["json_html_xlsx"]["workbooks"] = len(list((reports / "feedback").glob("*.xlsx")))
        runs["json_html_xlsx"]["html_mb"] = round((reports / "reconcile.html").stat().st_size / 2**20, 1)
    result = {
        "command": f"jianhe reconcile {args.data.relative_to(ROOT) if args.data.is_relative_to(ROOT) else args.data} "
                   "--pack debt_platform --report-dir DIR --format json --quiet (default DuckDB memory limit 1GB; "
                   "under /usr/bin/time -v)",
        "records_debt": args.records, "records_creditor": args.records,
        "planted": expected, "classes_match_planted": True,
        "findings": len(doc["findings"]), "recipients": doc["summary"]["recipients"],
        "duckdb_floor_s": round(floor, 2), "runs": runs, "ratio_json_to_floor": round(runs["json"]["wall_s"] / floor, 1),
        "records_per_s": int(2 * args.records / runs["json"]["wall_s"]), "machine": machine(),
        "load_average_1min": {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2)},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
