"""The true floor: the cheapest DuckDB read that sees every byte jianhe's checks need.

- EAST text: every line of both tables read once as one value (not split into fields), its
  length summed — the file checks look at every byte of every line;
- Parquet: of both tables, the columns the 30 rules name plus every text column (the
  control-character check reads every field), their lengths summed; the rest is not read."""
from __future__ import annotations

from pathlib import Path

import duckdb

from ..gen import east_name
from ..rules import load_rules, needed_columns
from .common import LOANS, floor_main

LINES = ("read_csv('{path}', columns={{'raw': 'VARCHAR'}}, delim=chr(0), quote='', escape='', header=false, "
         "auto_detect=false, new_line='\\n', strict_mode=false)")


def text_sql(data: Path, table: str) -> str:
    return f"SELECT count(*), sum(strlen(raw)) FROM {LINES.format(path=data / 'text' / east_name(table, 'txt'))}"


def parquet_sql(con: duckdb.DuckDBPyConnection, data: Path, table: str) -> str:
    source = f"read_parquet('{data / 'parquet' / east_name(table, 'parquet')}')"
    named = set(needed_columns(load_rules())) if table == LOANS else set()
    columns = [name for name, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
               if kind == "VARCHAR" or name in named]
    touch = " + ".join(f"coalesce(strlen({c}::VARCHAR), 0)" for c in columns) or "0"
    return f"SELECT count(*), sum({touch}) FROM {source}"


def query(con: duckdb.DuckDBPyConnection, data: Path, fmt: str, table: str) -> str:
    return text_sql(data, table) if fmt == "text" else parquet_sql(con, data, table)


if __name__ == "__main__":
    floor_main(query)
