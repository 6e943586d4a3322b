"""Submissions that are not a folder of files: tables in a database (engine/sources/warehouse.py)
or in memory (engine/api.py).

The DuckDB backend (engine/backends/duckdb/run.py) accepts a ``TableSource`` in place of a folder: the source
fills the ``t_<CODE>`` relations (the same columns as the file loader: ``_file`` names the
table where it lives, ``_line`` is the row's ordinal there) and may run some tables' rules where
the data lives (``runner``). Findings still point at one record: the ordinal and the row's key.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from ..results import FileInfo, TableResult
from ..dialects.quoting import quote_ident
from ..spec import TableSpec
from .findings import FileFinding
from .load import _marks_sql, create_relation


class TableSource:
    """What a non-file submission provides to the run; ``label`` is what the reports call it."""

    label = ""
    # File checks with nothing to check where there is no file (names, bytes, encodings, line
    # lengths, the date in a file name): reported "not applicable", never "passed".
    not_applicable: frozenset[str] = frozenset({
        "FILE.NAME", "FILE.UNKNOWN_TABLE", "FILE.DUPLICATE", "FILE.BATCH_DATE", "FILE.BOM", "FILE.CRLF",
        "FILE.GB18030", "FILE.ENCODING", "FILE.LINE_LENGTH", "FILE.CJRQ_MISMATCH"})

    def __str__(self) -> str:
        return self.label

    def load(self, con: duckdb.DuckDBPyConnection, plan, findings: list[FileFinding],
             workdir: Path) -> dict[str, TableResult]:
        """Create and fill ``t_<CODE>`` for every table of the plan; append findings."""
        raise NotImplementedError

    def runner(self, code: str):
        """An object running this table's rules where the data lives, or None (run in DuckDB).

        It has ``row_rules(con, tp, not_run) -> bool`` and ``set_rule(con, plan, entry, not_run)
        -> bool``; False means "not done here": the run executes the DuckDB SQL instead (the
        runner has then made sure the tables it needs are loaded)."""
        return None

    def inputs(self, tables: dict[str, TableResult]) -> list[dict]:
        """The manifest's ``inputs``: one entry per table read."""
        raise NotImplementedError


def empty_tables(con: duckdb.DuckDBPyConnection, plan) -> dict[str, TableResult]:
    """Create every table's relation, empty, and its result record (absent until loaded)."""
    tables: dict[str, TableResult] = {}
    for code, tp in plan.tables.items():
        create_relation(con, tp.table)
        tables[code] = TableResult(code, tp.table.name, tp.table.kind, present=False)
    return tables


def insert_rows(con: duckdb.DuckDBPyConnection, table: TableSpec, relation: str, fields: dict[str, str],
                line_sql: str, label: str) -> int:
    """Append the rows of a registered relation to ``t_<CODE>``: ``fields`` maps each field code to
    the SQL giving its text; the control-character and quote marks are computed as for files."""
    inner = ", ".join([f"{line_sql} AS _line"] + [f"{fields[f.code]} AS {quote_ident(f.code)}" for f in table.fields])
    cols = [quote_ident(f.code) for f in table.fields]
    values = "[" + ", ".join(cols) + "]"
    raw = "concat_ws(chr(1), " + ", ".join(f"coalesce({c}, '')" for c in cols) + ")"
    sql = (f"INSERT INTO {quote_ident('t_' + table.code)} SELECT ?, _line, NULL, {_marks_sql(table, values, raw)}, "
           f"{', '.join(cols)} FROM (SELECT {inner} FROM {relation})")
    return con.execute(sql, [label]).fetchone()[0]


def record(tables: dict[str, TableResult], code: str, info: FileInfo) -> None:
    """Count a loaded source in its table's result."""
    t = tables[code]
    t.present = True
    t.files.append(info)
    t.rows_read += info.rows_read
    t.rows_rejected += info.rows_rejected
    t.rows_checked = t.rows_read - t.rows_rejected


def missing_columns(table: TableSpec, mapped: set[str], code: str, label: str) -> list[FileFinding]:
    """One FILE.FIELD_COUNT finding per field without a column (the table is then not checked)."""
    return [FileFinding("FILE.FIELD_COUNT", code, label, None, f"missing column {f.code} {f.name}")
            for f in table.fields if f.code not in mapped]


__all__ = ["TableSource", "empty_tables", "insert_rows", "missing_columns", "record"]
