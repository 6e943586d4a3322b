"""Time `jianhe validate` on a generated batch of N personal loans against the DuckDB floor.

    python benchmarks/validate_1m.py [--loans 1000000] [--data benchmarks/data/1m]

Both run in this one process on the same files: the floor is DuckDB reading every column of
the three large files (借据表, 合同表, 分户账) once; jianhe is the full validation (all rules of
the east5-core pack, failing-row evidence kept). Peak memory: run the CLI under
`/usr/bin/time -v` (see the README of benchmarks/results).
"""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples" / "east5"))

from engine.ruleset import load_pack  # noqa: E402
from engine.run import validate_submission  # noqa: E402
import generate  # noqa: E402

BIG_TABLES = ("GRXDYWJJB", "XDHTB", "GRXDFHZ")


def floor_seconds(folder: Path) -> float:
    """Read every column of every large file once (the least any full check must do)."""
    con = duckdb.connect()
    start = time.perf_counter()
    for table in BIG_TABLES:
        path = folder / generate.file_name(table)
        cols = generate.fields_of(table)
        spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cols) + "}"
        touch = " + ".join(f"coalesce(strlen({c}), 0)" for c in cols)
        con.execute(f"SELECT count(*), sum({touch}) FROM read_csv('{path}', delim=chr(1), quote='', escape='', "
                    f"header=false, columns={spec}, auto_detect=false)").fetchall()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / "data" / "1m")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "validate_1m.json")
    args = parser.parse_args()
    marker = args.data / f".loans-{args.loans}"
    if not marker.exists():
        generate.write_scaled_batch(args.loans, args.data)
        marker.touch()
    pack = load_pack(ROOT / "rulesets" / "east5_core")
    floor = floor_seconds(args.data)
    start = time.perf_counter()
    result = validate_submission(args.data, pack)
    jianhe = time.perf_counter() - start
    rows = sum(t.rows_read for t in result.tables)
    report = {"loans": args.loans, "rows_all_tables": rows, "rules": len(result.rules),
              "machine": f"{platform.machine()} {platform.processor() or ''} python {platform.python_version()} "
                         f"duckdb {duckdb.__version__}".strip(),
              "duckdb_floor_s": round(floor, 2), "jianhe_s": round(jianhe, 2), "ratio": round(jianhe / floor, 2),
              "rows_per_s": int(rows / jianhe), "verdict": result.verdict}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
