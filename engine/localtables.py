"""Small tables made from Python lists on a DuckDB connection (the shipped reference lists, the
working-day calendar). Lists go in as query parameters: handing DuckDB an Arrow table would make
it import pandas, a third of a second of every run's start."""
from __future__ import annotations

import duckdb

from .dialects.quoting import quote_ident

Columns = dict[str, tuple[str, list]]  # column name → (DuckDB type, values)


def create_table(con: duckdb.DuckDBPyConnection, name: str, columns: Columns, temp: bool = False) -> None:
    """``CREATE OR REPLACE [TEMP] TABLE name`` holding ``columns`` (all of one length)."""
    select = ", ".join(f"unnest(${i}::{kind}[]) AS {quote_ident(column)}"
                       for i, (column, (kind, _)) in enumerate(columns.items(), start=1))
    con.execute(f"CREATE OR REPLACE {'TEMP ' if temp else ''}TABLE {quote_ident(name)} AS SELECT {select}",
                [values for _, values in columns.values()])


__all__ = ["Columns", "create_table"]
