"""Small tables made from Python lists (the shipped reference lists, the working-day calendar): on a
DuckDB connection, where lists go in as query parameters (handing DuckDB an Arrow table would make
it import pandas, a third of a second of every run's start), or as Arrow tables for Spark."""
from __future__ import annotations

import duckdb
import pyarrow as pa

from .dialects.quoting import quote_ident

Columns = dict[str, tuple[str, list]]  # column name → (DuckDB type, values)


def create_table(con: duckdb.DuckDBPyConnection, name: str, columns: Columns, temp: bool = False) -> None:
    """``CREATE OR REPLACE [TEMP] TABLE name`` holding ``columns`` (all of one length)."""
    select = ", ".join(f"unnest(${i}::{kind}[]) AS {quote_ident(column)}"
                       for i, (column, (kind, _)) in enumerate(columns.items(), start=1))
    con.execute(f"CREATE OR REPLACE {'TEMP ' if temp else ''}TABLE {quote_ident(name)} AS SELECT {select}",
                [values for _, values in columns.values()])


ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "BOOLEAN": pa.bool_(),
               "DATE": pa.date32()}


def arrow_table(columns: Columns) -> pa.Table:
    """The same table as an Arrow table (the Spark backend's temp views)."""
    return pa.table({name: pa.array(values, ARROW_TYPES[kind]) for name, (kind, values) in columns.items()})


__all__ = ["ARROW_TYPES", "Columns", "arrow_table", "create_table"]
