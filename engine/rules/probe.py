"""Sample values judged by the engine's own SQL: whether a text fits a format code, values every
format accepts, whether a pattern matches them all. Rule kinds use these for their lint facts
(a code list none of whose codes fits, a regex the format already implies); lint for ``when``."""
from __future__ import annotations

from functools import lru_cache

import duckdb

from ..dialects.quoting import sql_quote
from ..formats import FormatCode, violation_sql


@lru_cache(maxsize=1)
def _probe_connection() -> duckdb.DuckDBPyConnection:
    """A connection of its own: the module-wide default one belongs to the caller (API users, tests)."""
    return duckdb.connect()


def _scalar(sql: str, params: list | None = None):
    return _probe_connection().execute(sql, params).fetchall()[0][0]


@lru_cache(maxsize=4096)
def _fits_sql(sql: str) -> bool:
    return not _scalar(f"SELECT coalesce({sql}, FALSE)")


def fits(value: str, fmt: FormatCode) -> bool:
    """Whether a (non-empty) text satisfies a format code — judged by the engine's own SQL."""
    return _fits_sql(violation_sql(fmt, sql_quote(value)))


def samples(fmt: FormatCode) -> list[str]:
    """Varied values that satisfy the format (what a redundant regex accepts every one of)."""
    if fmt.kind == "date":
        return ["20240101", "19991231", "20240229", "99991231", "20001010", "21001130"]
    if fmt.kind == "yearmonth":
        return ["202401", "199912", "999912", "210010"]
    if fmt.kind == "time":
        return ["000000", "235959", "120000", "083015"]
    if fmt.kind == "int":
        return [v for v in ["0", "1", "-1", "42", "-987", "1234567", "90817263544536271809"]
                if not fmt.width or len(v.lstrip("-")) <= fmt.width]
    if fmt.kind in ("decimal", "float"):
        values = ["0", "1", "-1", "12.5", "0.01", "-3.75", "123456.78", "98765"]
        return [v for v in values if fmt.kind == "float" or fits(v, fmt)]
    base = ["A", "abc", "中文", "1", "a b", "-_/.", "测试ABC123", "Zz9", "（全角）", "x" * 40]
    if fmt.fixed:
        base = [(v * fmt.width)[: fmt.width] for v in ("A", "1", "aB3", "x-")] + (
            ["中" * (fmt.width // 3)] if fmt.width % 3 == 0 else [])
    return [v for v in base if v and fits(v, fmt)]


def all_match(pattern: str, values: list[str]) -> bool:
    """Whether DuckDB's RE2 fully matches every value with the pattern (False when it cannot compile it)."""
    try:
        return bool(_scalar("SELECT bool_and(regexp_full_match(v, ?)) FROM unnest(?) t(v)", [pattern, values]))
    except duckdb.Error:
        return False


__all__ = ["all_match", "fits", "samples"]
