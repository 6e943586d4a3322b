"""Stream or push down? Both source modes side by side on real PostgreSQL and MariaDB servers.

For each size the benchmark's loans (benchmarks/gen.py: 个人信贷业务借据表 and the 个人基础信息表 it
references, every value as text) are loaded into each server, then ``jianhe validate URL --pack
benchmarks/pack`` runs with ``--source-mode stream`` and ``--source-mode pushdown`` in turn (each
in its own process, alternating, ``--reps`` times; the median counts), the failure counts of both
modes are compared, and the crossover — the smallest size from which push-down is faster — is
what ``--source-mode auto`` uses for that dialect (engine/sources/warehouse.AUTO_PUSHDOWN_ROWS).

    python -m benchmarks.warehouse_modes --sizes 10000,100000,1000000 --reps 3
    → benchmarks/results/warehouse_modes.json

Needs the PostgreSQL server of the test suite (127.0.0.1:5432) and the ``warehouse`` extra; without
it the benchmark says so and stops. MySQL/MariaDB have no push-down lowering (engine/dialects/):
their tables are always streamed, so there is nothing to compare there.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

import duckdb

from .gen import CUSTOMERS, LOANS, east_name, generate
from .run import ROOT, load_average, machine, measured

PACK = ROOT / "benchmarks" / "pack"
RESULTS = ROOT / "benchmarks" / "results" / "warehouse_modes.json"
SCHEMA = "jianhe_bench_modes"
SERVERS = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
}
MODES = ("stream", "pushdown")


def _columns(parquet: Path) -> list[str]:
    return [row[0] for row in duckdb.sql(f"DESCRIBE SELECT * FROM '{parquet}'").fetchall()]


def _tsv(parquet: Path, out: Path) -> Path:
    """The table as tab-separated text, NULL as \\N (what COPY and LOAD DATA both read)."""
    duckdb.sql(f"COPY (SELECT * FROM '{parquet}') TO '{out}' (FORMAT csv, DELIMITER '\t', HEADER false, "
               "QUOTE '', ESCAPE '', NULLSTR '\\N')")
    return out


def load_postgres(tables: dict[str, Path], scratch: Path) -> None:
    import psycopg
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as con:
        con.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        con.execute(f"CREATE SCHEMA {SCHEMA}")
        for code, parquet in tables.items():
            cols = _columns(parquet)
            con.execute(f"CREATE TABLE {SCHEMA}.{code} ({', '.join(f'{c} TEXT' for c in cols)})")
            with con.cursor().copy(f"COPY {SCHEMA}.{code} FROM STDIN") as copy, \
                    open(_tsv(parquet, scratch / f"{code}.tsv"), "rb") as fh:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
            con.execute(f"ANALYZE {SCHEMA}.{code}")


LOADERS = {"postgresql": load_postgres}


def answers(server: str) -> bool:
    import socket
    port = 5432
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def run_mode(url: str, schema: str, mode: str) -> tuple[float, float, dict[str, int]]:
    """(wall s, peak RSS MB, failures per rule) of one validation in its own process."""
    wall, rss, out, err, rc = measured([sys.executable, "-m", "engine", "validate", url, "--pack", str(PACK),
                                        "--schema", schema, "--source-mode", mode, "--report-dir", "-",
                                        "--fail-on", "none"])
    if rc != 0:
        raise SystemExit(f"{mode} on {url.split('://')[0]} exited {rc}: {err.strip().splitlines()[-1:]}")
    report = json.loads(out)
    return wall, rss, {r["id"]: r["failed"] for r in report["rules"]}


def measure(server: str, rows: int, reps: int, scratch: Path) -> dict:
    data = generate(rows, formats=("parquet",), quiet=True) / "parquet"
    LOADERS[server]({code: data / east_name(code, "parquet") for code in (LOANS, CUSTOMERS)}, scratch)
    times: dict[str, list[float]] = {m: [] for m in MODES}
    peaks: dict[str, list[float]] = {m: [] for m in MODES}
    counts: dict[str, dict[str, int]] = {}
    for _ in range(reps):
        for mode in MODES:
            wall, rss, failed = run_mode(SERVERS[server], SCHEMA, mode)
            times[mode].append(wall)
            peaks[mode].append(rss)
            counts[mode] = failed
    medians = {m: round(statistics.median(times[m]), 3) for m in MODES}
    return {"server": server, "rows": rows, "seconds": medians, "all_seconds": times,
            "peak_rss_mb": {m: round(max(peaks[m]), 1) for m in MODES},
            "pushdown_over_stream": round(medians["pushdown"] / medians["stream"], 3),
            "counts_agree": counts["stream"] == counts["pushdown"]}


def crossover(points: list[dict]) -> int | None:
    """The smallest size from which push-down was faster at that size and every larger one (None: never)."""
    ordered = sorted(points, key=lambda p: p["rows"])
    for i, point in enumerate(ordered):
        if all(p["pushdown_over_stream"] < 1.0 for p in ordered[i:]):
            return point["rows"]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--servers", default=",".join(SERVERS))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    points = []
    with tempfile.TemporaryDirectory(prefix="jianhe-bench-modes-") as tmp:
        for server in args.servers.split(","):
            if not answers(server):
                print(f"{server}: no server on its port, skipped")
                continue
            for rows in sizes:
                point = measure(server, rows, args.reps, Path(tmp))
                points.append(point)
                print(f"{server:10} {rows:>10,} rows  stream {point['seconds']['stream']:7.2f} s  pushdown "
                      f"{point['seconds']['pushdown']:7.2f} s  ratio {point['pushdown_over_stream']:.2f}  "
                      f"counts agree: {point['counts_agree']}", flush=True)
    servers = sorted({p["server"] for p in points})
    doc = {"machine": machine(), "load_average": load_average(), "reps": args.reps, "pack": "benchmarks/pack (30 rules)",
           "points": points,
           "crossover_rows": {s: crossover([p for p in points if p["server"] == s]) for s in servers}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"crossover (push-down faster from): {doc['crossover_rows']} → {args.out}")
    return 0 if all(p["counts_agree"] for p in points) else 1


if __name__ == "__main__":
    sys.exit(main())
