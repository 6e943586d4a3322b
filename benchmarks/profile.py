"""Where jianhe's time goes on the benchmark's loan table: each stage of its one-pass scan timed
alone, in one process, on the suite's data (generated if missing).

    python -m benchmarks.profile --rows 1000000 [--format text|parquet] [--reps 3]

Stages, each a query over the same file (the best of ``--reps`` runs; each includes the ones
before it, so the differences are what a stage adds):

- ``read``: the file as DuckDB reads it (EAST text: its lines; Parquet: every column);
- ``fields``: the table's relation as the scan sees it (EAST lines split on 0x01, control
  characters and quotes marked per field; Parquet columns as text, marked likewise);
- ``rules``: the 28 row rules fused, as ``TablePlan.scan_sql`` evaluates them, counted only;
- ``rules + store``: the same, stored in the scratch database as the run stores it.

Then each row rule alone over the relation loaded into a table: its own cost,
without reading. The figures say which part of the scan to work on; the suite
(benchmarks/run.py) says how the whole compares with other tools.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from engine.compile import build_plan
from engine.identifiers import install_macros
from engine.ruleset import load_pack
from engine.backends.duckdb.scan import OPENERS, STORE, storing_sql
from engine.dialects.quoting import sql_quote
from engine.sources import discover
from engine.sources.load import LINES

from .gen import LOANS, generate, label
from .rules import PACK

ROOT = Path(__file__).resolve().parents[1]


def best_of(con: duckdb.DuckDBPyConnection, sql: str, reps: int) -> float:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        con.execute(sql).fetchall()
        times.append(time.perf_counter() - started)
    return min(times)


def stages(con, tp, rel_sql: str, reads: str, reps: int, scratch: Path) -> list[tuple[str, float]]:
    view = f'"t_{LOANS}"'
    con.execute(f"CREATE OR REPLACE VIEW {view} AS {rel_sql}")
    con.execute(f"ATTACH '{scratch / 'rows.duckdb'}' AS {STORE}")
    con.execute("SET preserve_insertion_order = true")
    out = [("read", best_of(con, reads, reps)),
           ("fields", best_of(con, f"SELECT count(_ctrl), count(_quote), count(*) FILTER (_bad) FROM {view}", reps)),
           ("rules", best_of(con, f"SELECT count(_hits), count(_key) FROM ({tp.scan_sql})", reps))]
    store = f"CREATE OR REPLACE TABLE {STORE}.stored AS {storing_sql(tp.scan_sql)}"
    out.append(("rules + store", best_of(con, store, reps)))
    return out


def rule_costs(con, plan, tp, reps: int) -> list[tuple[float, str]]:
    """Each row rule alone over the relation loaded into a table: its own cost, without reading."""
    con.execute(f'CREATE OR REPLACE TABLE loaded AS SELECT * FROM "t_{LOANS}"')
    names = {e.index: e.rule.id for e in plan.entries}
    costs = [(best_of(con, f"SELECT count(*) FILTER ({pred}) FROM loaded", reps), names.get(idx, str(idx)))
             for idx, pred, _ in tp.checks]
    return sorted(costs, reverse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", choices=("text", "parquet"), default="text")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args(argv)
    data = ROOT / "benchmarks" / "data" / label(args.rows)
    generate(args.rows, data, formats=(args.format,))  # once: kept data is reused
    pack = load_pack(PACK)
    plan = build_plan(pack, False, params={})
    tp = plan.tables[LOANS]
    files, _ = discover(data / args.format, pack.catalog)
    src = next(f for f in files if f.table == LOANS)
    scratch = Path(tempfile.mkdtemp(prefix="jianhe-profile-"))
    con = duckdb.connect(config={"temp_directory": str(scratch / "spill")})
    con.execute("SET memory_limit = '1GB'")
    install_macros(con)
    with ThreadPoolExecutor(1) as pool:
        if src.format == "east":
            rel = OPENERS["east"](src, tp.table, scratch, pool)
            reads = f"SELECT count(raw) FROM {LINES.format(path=sql_quote(str(src.path)), longest='')}"
        else:
            rel = OPENERS[src.format](con, src, tp.table, scratch, pool)
            reads = f"SELECT count(COLUMNS(*)) FROM read_parquet({sql_quote(str(src.path))})"
        measured = stages(con, tp, rel.sql, reads, args.reps, scratch)
    print(f"{args.rows:,} rows of {LOANS} ({args.format}), {len(tp.checks)} row rules; best of {args.reps}")
    before = 0.0
    for name, seconds in measured:
        print(f"  {name:<16} {seconds:7.2f} s   (+{seconds - before:.2f} s)")
        before = seconds
    print("each row rule alone, over the loaded columns:")
    for seconds, name in rule_costs(con, plan, tp, args.reps):
        print(f"  {seconds:7.3f} s  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
