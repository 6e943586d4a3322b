"""Typed values as the text a bank's EAST file would hold — one rule for every typed source
(Parquet files, in-memory frames): see engine/sources/frame.py's docstring for the forms."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import duckdb

from ..errors import UsageError
from ..dialects.quoting import quote_ident
from ..spec import Field

TIME_FORMATS = {"date": "%Y%m%d", "yearmonth": "%Y%m", "time": "%H%M%S"}
DATE_FORMATS = {"yearmonth": "%Y%m"}
STAMP = "%Y%m%d%H%M%S"
INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                 "UBIGINT", "UHUGEINT")
FLOAT_UDF = "jh_float_text"


def float_text(value: float | None) -> str | None:
    """Shortest round-trip digits, positional, no trailing ``.0``; NaN is missing."""
    if value is None or math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "0"  # also -0.0, as DuckDB's integral path writes it
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _missing(value) -> bool:
    """None, NaN, pandas' NA and NaT."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ in ("NAType",
                                                                                                      "NaTType")


def python_text(value, spec_field: Field) -> str | None:
    """One Python value (a pandas object column) as text; see the module docstring."""
    if _missing(value):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, Decimal):
        return None if value.is_nan() else format(value, "f")
    if isinstance(value, dt.datetime):
        return value.strftime(TIME_FORMATS.get(spec_field.format.kind, STAMP))
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMATS.get(spec_field.format.kind, "%Y%m%d"))
    if isinstance(value, dt.time):
        return value.strftime("%H%M%S")
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if hasattr(value, "item") and not isinstance(value, (list, dict, tuple)):  # numpy scalars
        return python_text(value.item(), spec_field)
    return str(value)


def install_float_text(con: duckdb.DuckDBPyConnection) -> None:
    """The ``float_text`` function in SQL (idempotent): floats DuckDB would write with an exponent."""
    try:
        con.create_function(FLOAT_UDF, float_text, ["DOUBLE"], "VARCHAR", null_handling="special", side_effects=False)
    except (duckdb.CatalogException, duckdb.NotImplementedException):
        pass  # already there (a second read of a typed file on the same connection: records, a retry)


def text_sql(column: str, duck_type: str, spec_field: Field) -> str:
    """DuckDB SQL giving a typed column's text; see the module docstring."""
    col = quote_ident(column)
    base = duck_type.split("(")[0].upper()
    if base in ("VARCHAR", "ENUM") or duck_type.upper().startswith("ENUM"):
        return f"CAST({col} AS VARCHAR)"
    if base == '"NULL"' or base == "NULL":
        return "CAST(NULL AS VARCHAR)"
    if base == "BOOLEAN":
        return f"CASE WHEN {col} THEN 'true' WHEN NOT {col} THEN 'false' END"
    if base in INTEGER_TYPES or base == "DECIMAL":
        return f"CAST({col} AS VARCHAR)"
    if base in ("DOUBLE", "FLOAT"):
        # DuckDB writes the shortest round-trip digits; it switches to exponents outside [1e-4, 1e15)
        return (f"CASE WHEN isnan({col}) THEN NULL WHEN {col} = trunc({col}) AND abs({col}) < 1e15 "
                f"THEN CAST(CAST({col} AS HUGEINT) AS VARCHAR) WHEN abs({col}) >= 1e-4 AND abs({col}) < 1e15 "
                f"THEN CAST({col} AS VARCHAR) ELSE {FLOAT_UDF}(CAST({col} AS DOUBLE)) END")
    if base == "DATE":
        return f"strftime({col}, '{DATE_FORMATS.get(spec_field.format.kind, '%Y%m%d')}')"
    if base.startswith("TIMESTAMP"):
        if "TIME ZONE" in duck_type.upper():
            raise UsageError(f"column {column}: time-zone-aware timestamps are converted before loading")
        return f"strftime(CAST({col} AS TIMESTAMP), '{TIME_FORMATS.get(spec_field.format.kind, STAMP)}')"
    if base == "TIME":
        return f"strftime(DATE '2000-01-01' + {col}, '%H%M%S')"
    raise UsageError(f"column {column} has type {duck_type}: only scalar values can be checked")


PLAIN_TYPES = INTEGER_TYPES + ("FLOAT", "DOUBLE", "DECIMAL", "BOOLEAN", "DATE", "TIME", "TIMESTAMP", "INTERVAL", "UUID")


def plain_type(duck_type: str) -> bool:
    """A type whose text is digits, signs and separators only: no control character, no quote."""
    return duck_type.split("(")[0] in PLAIN_TYPES or duck_type.startswith(("TIMESTAMP", "TIME "))


def column_text_sql(con: duckdb.DuckDBPyConnection, column: str, duck_type: str, spec_field: Field) -> str:
    """A file column's values as EAST text (``text_sql``: a DATE as 20240630, as in an EAST file);
    nested values and time-zone-aware stamps as DuckDB casts them (a file has no zone name)."""
    if duck_type == "VARCHAR":
        return quote_ident(column)
    try:
        sql = text_sql(column, duck_type, spec_field)
    except UsageError:
        return f"CAST({quote_ident(column)} AS VARCHAR)"
    if FLOAT_UDF in sql:
        install_float_text(con)
    return sql
