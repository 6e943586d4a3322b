"""The DuckDB floor: one scan of both tables touching every column (sum of every field's length)."""
from __future__ import annotations

from pathlib import Path

import duckdb

from .common import fields_of, floor_main, source


def query(con: duckdb.DuckDBPyConnection, data: Path, fmt: str, table: str) -> str:
    touch = " + ".join(f"coalesce(strlen({c}), 0)" for c in fields_of(table))
    return f"SELECT count(*), sum({touch}) FROM {source(data, table, fmt)}"


if __name__ == "__main__":
    floor_main(query)
