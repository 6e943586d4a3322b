"""How the engine writes names and text into SQL: one place, so no module builds a quoted
identifier or string literal by hand (a name like ``名"称`` or a value like ``it's`` must never end
or escape the SQL around it; tests/security/test_identifiers.py tries the nasty ones).

Both forms are standard SQL and read the same in DuckDB, PostgreSQL and Spark SQL with ANSI
quoting: an identifier in double quotes, a string in single quotes, the quote doubled inside.
"""
from __future__ import annotations


def quote_ident(name: str) -> str:
    """``name`` as one identifier, whatever characters it holds."""
    return '"' + name.replace('"', '""') + '"'


def sql_quote(text: str) -> str:
    """``text`` as one string literal, whatever characters it holds."""
    return "'" + text.replace("'", "''") + "'"


__all__ = ["quote_ident", "sql_quote"]
