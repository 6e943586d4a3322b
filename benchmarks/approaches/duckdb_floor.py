"""The DuckDB floor: one scan of both tables touching every column (sum of every field's length)."""
from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from .common import CUSTOMERS, LOANS, Timer, emit, fields_of, source


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--format", choices=("text", "parquet"), default="text")
    args = parser.parse_args()
    con = duckdb.connect()
    rows = {}
    with Timer() as t:
        for table in (LOANS, CUSTOMERS):
            touch = " + ".join(f"coalesce(strlen({c}), 0)" for c in fields_of(table))
            rows[table], _ = con.execute(f"SELECT count(*), sum({touch}) FROM {source(args.data, table, args.format)}").fetchone()
    emit({}, t.seconds, rows=rows[LOANS], reference_rows=rows[CUSTOMERS])


if __name__ == "__main__":
    main()
