"""What the approach processes share: the data files and the RESULT line."""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from ..gen import CUSTOMERS, LOANS, east_name
from ..rules import REFERENCE, TABLE

FIELDS_CACHE: dict[str, list[str]] = {}


def fields_of(table: str) -> list[str]:
    """Field codes of an EAST table in file order (from the spec, read without the engine)."""
    if table not in FIELDS_CACHE:
        import yaml
        root = Path(__file__).resolve().parents[2]
        doc = yaml.safe_load((root / "specs" / "east5" / "tables" / f"{table}.yaml").read_text(encoding="utf-8"))
        FIELDS_CACHE[table] = [f["code"] for f in doc["fields"]]
    return FIELDS_CACHE[table]


def text_source(data: Path, table: str) -> str:
    """A DuckDB relation over an EAST text file: 0x01-separated, no quoting, every field VARCHAR."""
    path = data / "text" / east_name(table, "txt")
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in fields_of(table)) + "}"
    return (f"read_csv('{path}', delim=chr(1), quote='', escape='', header=false, columns={spec}, "
            f"auto_detect=false, new_line='\\n')")


def parquet_source(data: Path, table: str) -> str:
    return f"read_parquet('{data / 'parquet' / east_name(table, 'parquet')}')"


def source(data: Path, table: str, fmt: str) -> str:
    return text_source(data, table) if fmt == "text" else parquet_source(data, table)


def emit(counts: dict, work_s: float, **extra) -> None:
    print("RESULT " + json.dumps({"counts": {k: int(v) for k, v in counts.items()}, "work_s": round(work_s, 3),
                                  **extra}, ensure_ascii=False))
    sys.stdout.flush()


def floor_main(query: Callable[[duckdb.DuckDBPyConnection, Path, str, str], str]) -> None:
    """A floor approach's process: ``query(con, data, format, table)`` is the read of one table
    (``SELECT count(*), sum(…)``); both tables are read, timed, and their rows reported."""
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--format", choices=("text", "parquet"), default="text")
    args = parser.parse_args()
    con = duckdb.connect()
    queries = {table: query(con, args.data, args.format, table) for table in (LOANS, CUSTOMERS)}
    rows = {}
    with Timer() as t:
        for table, sql in queries.items():
            rows[table], _ = con.execute(sql).fetchone()
    emit({}, t.seconds, rows=rows[LOANS], reference_rows=rows[CUSTOMERS])


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


__all__ = ["CUSTOMERS", "LOANS", "REFERENCE", "TABLE", "Timer", "emit", "fields_of", "floor_main", "source"]
