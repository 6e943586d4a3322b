"""Read each table's files and evaluate its row rules in the same pass.

For every file of a table, its rows as text (engine/sources/load.py: an EAST file's lines split on
0x01, CSV/Parquet rows cast to text) are the view ``t_<CODE>``; one statement reads that view once,
evaluates every row rule of the table (``TablePlan.scan_sql``) and stores, per row, the failing
rules (``_hits``) and the fields later queries read (``TablePlan.stored``: set rules, the key,
备注) in a DuckDB database file in the run's scratch folder (``_rows``: compressed, read through
the buffer pool, so memory stays bounded however large the files are). Rows are stored in file
order, every line included, so a row's place in the stored table is its line number: lines are
numbered there rather than while reading (``row_number()`` would read the file on one thread),
and lines with the wrong number of fields are found there (``_bad``) instead of by reading the
file again. ``t_<CODE>`` then becomes a view of the stored good rows with every field (those not
stored are empty), and ``collect_hits`` moves the hits into ``_failures``. A table of Parquet files
only is not stored row by row: its rows are numbered in the files, so only the rows a row rule fails
are stored (with file and line), and ``t_<CODE>`` is the files themselves, read again by the set
rules (a few columns of a columnar file cost less to read than a stored copy costs to write).

EAST files are read by DuckDB as they are while a thread computes their SHA-256 and checks their
bytes for CR, NUL, control characters, double quotes and invisible characters (a small file is
checked before it is read). A file holding some, or one DuckDB refuses (invalid UTF-8), is read
again the careful way (pre-scan, cleaned copy, per-line findings; engine/sources/load.py) — clean
files, the rule, are read once, without looking into their fields. If the rules themselves fail on
the data, the rows are stored without them and the run isolates the failing rule
(engine/backends/duckdb/run.py).
"""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ... import sampling
from ...compile import Plan, TablePlan, hits_sql
from ...dialects.quoting import quote_ident, sql_quote
from ...progress import Progress
from ...results import FileInfo, TableResult
from ...signals import is_interrupt
from ...sources.discover import SourceFile
from ...sources.findings import FileFinding
from ...sources.load import (MIB, FileRelation, careful_relation, create_relation, csv_relation, east_relation,
                           finish_relation, line_notes_sql, load_table, needs_care, parquet_relation)

OPENERS = {"east": east_relation, "csv": csv_relation, "parquet": parquet_relation}
INSERT_FAILURES = "INSERT INTO _failures (_rule, _file, _line, _key, _value)"
STORE = "_rows"  # the attached database holding the scanned tables
# per-line file findings (FIELD_COUNT, and CRLF, ENCODING, … of cleaned files), kept in DuckDB
# however many lines are bad: ``collect_line_findings`` moves them into ``_failures``
LINE_FINDINGS = f"{STORE}.main.{quote_ident('#line_findings')}"


def load_and_scan(con: duckdb.DuckDBPyConnection, plan: Plan, files: list[SourceFile], findings: list[FileFinding],
                  workdir: Path, progress: Progress | None = None,
                  timings: dict[str, dict] | None = None) -> dict[str, TableResult]:
    """Load every table of the plan and run its row rules while reading it; tables whose rules ran
    are added to ``plan.scanned``. ``timings`` receives per table: rows, seconds, rows per second."""
    tables: dict[str, TableResult] = {}
    by_table: dict[str, list[SourceFile]] = {}
    con.execute(f"ATTACH {sql_quote(str(workdir / 'rows.duckdb'))} AS {STORE}")
    con.execute("SET preserve_insertion_order = true")  # rows are stored in file order: their place is their line
    con.execute(f"CREATE TABLE {LINE_FINDINGS} (_rule_id VARCHAR, _table VARCHAR, _file VARCHAR, _line BIGINT, "
                "_value VARCHAR)")
    for src in files:
        if src.table in plan.tables:
            by_table.setdefault(src.table, []).append(src)
    with ThreadPoolExecutor(1, thread_name_prefix="jianhe-bytes") as bytes_pool:  # hashes and byte checks
        for code, tp in plan.tables.items():
            tables[code] = TableResult(code, tp.table.name, tp.table.kind, present=False)
            if code not in by_table:
                create_relation(con, tp.table)
                continue
            started = time.perf_counter()
            if progress:
                progress.table_started(tp, by_table[code])
            opened = [_open(con, src, tp, workdir, bytes_pool) for src in by_table[code]]
            infos = _scan_table(con, plan, tp, opened, workdir, findings, progress)
            table = tables[code]
            for info in infos:
                _record(table, info)
            seconds = time.perf_counter() - started
            if timings is not None:
                timings[code] = {"rows": table.rows_read, "scan_s": round(seconds, 3),
                                 "rows_per_s": int(table.rows_read / seconds) if seconds > 0 else 0}
            if progress:
                progress.table_scanned(tp, table.rows_read, seconds, code in plan.scanned)
    return tables


class _Unreadable:
    """A file the run may not open: reported, never read."""

    def __init__(self, src: SourceFile):
        self.src = src


@dataclass
class _Staged:
    """A file of a format without a relation, appended by ``load_table`` to a table of its own."""
    src: SourceFile
    info: FileInfo
    findings: list[FileFinding]
    sql: str  # its rows in the scan's shape


def _open(con, src: SourceFile, tp: TablePlan, workdir: Path, pool):
    if not os.access(src.path, os.R_OK):
        return _Unreadable(src)
    opener = OPENERS.get(src.format)
    if opener is None:
        return _stage(con, src, tp, workdir)
    if src.format == "east":
        return opener(src, tp.table, workdir, pool)
    return opener(con, src, tp.table, workdir, pool)


def _stage(con, src: SourceFile, tp: TablePlan, workdir: Path) -> _Staged:
    rel = quote_ident("t_" + tp.table.code)
    stage = f"{STORE}.main.{quote_ident('stage_' + tp.table.code + '_' + str(abs(hash(src.path))))}"
    create_relation(con, tp.table)
    info, file_findings = load_table(con, src, tp.table, workdir)
    con.execute(f"CREATE OR REPLACE TABLE {stage} AS SELECT * FROM {rel}")
    con.execute(f"DROP TABLE {rel}")
    return _Staged(src, info, file_findings, f"SELECT *, FALSE AS _bad, NULL::INTEGER AS _nf FROM {stage}")


@dataclass
class _Part:
    """Where a file's rows sit in the stored table: rowids [start, start + rows)."""
    start: int
    rows: int
    first_line: int | None  # line number of its first row when lines are numbered by place
    file: str
    date: str | None


def _scan_table(con, plan: Plan, tp: TablePlan, sources: list, workdir: Path, findings: list[FileFinding],
                progress: Progress | None) -> list[FileInfo]:
    code = tp.table.code
    view, table = quote_ident("t_" + code), stored(code)
    items = list(sources)
    readable = [i for i, s in enumerate(items) if not isinstance(s, _Unreadable)]
    east = [i for i in readable if isinstance(items[i], FileRelation)]

    def store(select: str, direct: bool = False) -> tuple[duckdb.Error | None, dict[int, _Part]]:
        """Every file in turn through the view into the stored table; its place in that table
        (``direct``: only the rows a rule fails, each with its file and line)."""
        con.execute(f"DROP TABLE IF EXISTS {table}")
        parts, total = {}, 0
        for i in readable:
            src = items[i].src
            parts[i] = _Part(total, 0, getattr(items[i], "first_line", None), src.path.name, src.collection_date)
            if not items[i].sql:  # nothing checkable in the file (e.g. CSV lacking columns)
                continue
            con.execute(f"CREATE OR REPLACE VIEW {view} AS {items[i].sql}")
            head = f"INSERT INTO {table} " if total or _exists(con, code) else f"CREATE TABLE {table} AS "
            if direct:  # rows that carry their file and line: their order in the store tells nothing
                con.execute("SET preserve_insertion_order = false")
            try:
                error = _run(con, head + (hits_only_sql(select) if direct else storing_sql(select)), progress, code)
            finally:
                con.execute("SET preserve_insertion_order = true")
            if error is not None:
                return error, parts
            if direct:  # the file's rows, from its metadata
                parts[i].rows = items[i].rows = con.execute(f"SELECT count(*) FROM ({items[i].direct_sql})").fetchone()[0]
                continue
            parts[i].rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] - total
            total += parts[i].rows
        if not _exists(con, code):  # no file had a checkable row: the table, empty
            con.execute(f"CREATE OR REPLACE VIEW {view} AS {_empty(tp)}")
            error = _run(con, f"CREATE TABLE {table} AS {storing_sql(select)}", None, code)
            if error is not None:
                return error, parts
        return None, parts

    direct = _direct(items, readable)
    if direct:
        error, parts = store(tp.scan_sql, direct=True)
        if error is None:
            plan.scanned.add(code)
            _direct_views(con, tp, [items[i] for i in readable])
            return [_file_info(con, tp, item, parts.get(i), findings) for i, item in enumerate(items)]
    error, parts = store(tp.scan_sql)
    # read again the careful way: every file read as it is if the read failed (e.g. invalid UTF-8
    # past the first MiB), else those whose bytes turned out to need it (CR, NUL, control characters)
    redo = [i for i in east if items[i].optimistic and (error is not None or needs_care(items[i]))]
    if redo:
        for i in redo:
            items[i] = careful_relation(items[i].src, tp.table, workdir, scan=True)
        error, parts = store(tp.scan_sql)
    if error is not None and any([items[i].long_lines(tp.table) for i in east]):  # a line over 2 MB?
        error, parts = store(tp.scan_sql)
    if isinstance(error, duckdb.OutOfMemoryException) and _shorten_lines(items, east, tp, workdir):
        error, parts = store(tp.scan_sql)
    if error is None:
        plan.scanned.add(code)
    else:  # a rule fails on this data: store every field, no rule; run.py finds the rule(s) at fault
        error, parts = store(f"SELECT * FROM {view}")
        if error is not None:
            raise error
    _reject_pre_scanned(con, code, items, parts)
    _number_lines(con, code, tp, parts, code in plan.scanned)
    _store_wrong_field_counts(con, tp)
    return [_file_info(con, tp, item, parts.get(i), findings) for i, item in enumerate(items)]


def _direct(items: list, readable: list[int]) -> bool:
    """Whether set rules can read the table's files themselves rather than a stored copy of every
    row: every file is Parquet (its rows are numbered in the file, and reading a few columns again
    costs less than storing them), and no spot check samples the stored rows."""
    return (bool(readable) and sampling.active() is None
            and all(getattr(items[i], "direct_sql", "") for i in readable))


def _direct_views(con, tp: TablePlan, items: list) -> None:
    """After a direct scan: ``<CODE>#lines`` is the stored rows (those a rule fails), ``t_<CODE>``
    the files themselves."""
    code = tp.table.code
    con.execute(f"CREATE OR REPLACE VIEW {numbered(code)} AS SELECT * FROM {stored(code)}")
    con.execute(f"CREATE OR REPLACE VIEW {quote_ident('t_' + code)} AS "
                + " UNION ALL ".join(f"({item.direct_sql})" for item in items))


def _shorten_lines(items: list, east: list[int], tp: TablePlan, workdir: Path) -> bool:
    """After DuckDB ran out of memory: the EAST files read with buffers for long lines are read
    again with every line over 1 MiB left out (rejected, with its finding), so that none needs
    more memory than a file of short lines. False when there is none."""
    shortened = False
    for i in east:
        rel = items[i]
        if rel.longest and rel.path is not None:
            rel.discard()
            items[i] = careful_relation(rel.src, tp.table, workdir, scan=True, cap=MIB)
            shortened = True
    return shortened


def _file_info(con, tp: TablePlan, item, part: "_Part | None", findings: list[FileFinding]) -> FileInfo:
    """A file's counts once its table is stored; its findings are appended."""
    src = item.src
    if isinstance(item, _Unreadable):
        findings.append(FileFinding("FILE.UNREADABLE", src.table, src.path.name, None, "permission denied"))
        return FileInfo(src.path.name, src.path.stat().st_size, 0, 0, src.collection_date)
    if isinstance(item, _Staged):
        findings.extend(item.findings)
        return item.info
    rejected = _rejected(con, tp.table.code, part)
    info, file_findings = finish_relation(con, item, tp.table, part.rows - rejected, stored=(part.rows, rejected))
    findings.extend(file_findings)
    if info.rows_read == 0 and not any(f.rule_id == "FILE.UNREADABLE" for f in file_findings):  # unread, not empty
        findings.append(FileFinding("FILE.EMPTY", src.table, src.path.name))
    return info


def _reject_pre_scanned(con, code: str, items: list, parts: dict[int, _Part]) -> None:
    """The per-line findings of cleaned files go to LINE_FINDINGS, and the lines the cleaning
    rejected (invalid encoding, over LINE_CAP: empty in the cleaned copy) become rejected rows
    with no field count (their finding is the cleaning's) — by SQL over its findings file, so
    that millions of bad lines never become Python objects."""
    for i, item in enumerate(items):
        part = parts.get(i)
        if not isinstance(item, FileRelation) or item.lines_file is None or part is None or part.first_line is None:
            continue
        notes = line_notes_sql(item.lines_file)
        con.execute(f"INSERT INTO {LINE_FINDINGS} SELECT rule, ?, ?, line, value FROM {notes}",
                    [item.src.table, item.src.path.name])
        con.execute(f"UPDATE {stored(code)} SET _bad = TRUE, _nf = NULL "
                    f"WHERE rowid IN (SELECT line - {part.first_line - part.start} FROM {notes} "
                    f"WHERE reject = 1 AND line - {part.first_line} < {part.rows})")


def _store_wrong_field_counts(con, tp: TablePlan) -> None:
    """FILE.FIELD_COUNT of every stored line with the wrong number of fields, into LINE_FINDINGS."""
    code, n = tp.table.code, len(tp.table.fields)
    con.execute(f"INSERT INTO {LINE_FINDINGS} SELECT 'FILE.FIELD_COUNT', ?, _file, _line, "
                f"_nf || ' fields, expected {n}' FROM {numbered(code)} WHERE _bad AND _nf IS NOT NULL", [code])


def _rejected(con, code: str, part: _Part) -> int:
    """How many of a file's stored rows are rejected."""
    if not part.rows:
        return 0
    return con.execute(f"SELECT count(*) FROM {stored(code)} WHERE _bad AND rowid >= ? AND rowid < ?",
                       [part.start, part.start + part.rows]).fetchone()[0]


def collect_line_findings(con, plan: Plan) -> None:
    """Move the per-line file findings the scan stored (LINE_FINDINGS) into ``_failures``, by SQL."""
    if not _exists(con, "#line_findings"):
        return
    index = [(e.index, e.rule.id, e.rule.table) for e in plan.entries if e.rule.kind == "file"]
    if not index:
        return
    rules = ", ".join(f"({i}, {sql_quote(rule)}, {sql_quote(table)})" for i, rule, table in index)
    con.execute(f"{INSERT_FAILURES} SELECT r._rule, f._file, f._line, NULL, f._value FROM {LINE_FINDINGS} f "
                f"JOIN (VALUES {rules}) r(_rule, _rule_id, _table) USING (_rule_id, _table)")


def storing_sql(select: str) -> str:
    """What is stored of each row: not its file name and date (the same for all rows of a file:
    ``_number_lines`` restores them from the row's place), its field count only when rejected."""
    return f"SELECT * EXCLUDE (_file, _file_date) REPLACE (CASE WHEN _bad THEN _nf END AS _nf) FROM ({select})"


def hits_only_sql(select: str) -> str:
    """What a direct scan stores: the rows a rule fails, with their file and line."""
    return f"SELECT * FROM ({select}) WHERE _hits IS NOT NULL"


def _empty(tp: TablePlan) -> str:
    """No row, in the shape of a file's relation for the scan."""
    cols = ", ".join(f"NULL::VARCHAR AS {quote_ident(f.code)}" for f in tp.table.fields)
    return (f"SELECT NULL::VARCHAR AS _file, NULL::BIGINT AS _line, NULL::VARCHAR AS _file_date, NULL::VARCHAR AS _ctrl, "
            f"NULL::VARCHAR AS _quote, {cols}, FALSE AS _bad, NULL::INTEGER AS _nf WHERE false")


def _exists(con, code: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
                            [STORE, code]).fetchone()[0])


def _by_place(parts: dict[int, _Part], value) -> str:
    """SQL giving, for a stored row (``_rowid``), ``value(part)`` of the file it came from."""
    cases = [f"WHEN _rowid < {p.start + p.rows} THEN {value(p)}"
             for p in sorted(parts.values(), key=lambda p: p.start) if p.rows]
    return f"CASE {' '.join(cases)} END" if cases else "NULL"


def _line_sql(parts: dict[int, _Part]) -> str:
    """A stored row's line: its own ``_line`` (Parquet, staged files), else its place in its file."""
    if all(p.first_line is None for p in parts.values()):
        return "_line"
    place = _by_place(parts, lambda p: f"_rowid - {p.start - p.first_line}" if p.first_line is not None else "NULL")
    return f"coalesce(_line, {place})"


def _number_lines(con, code: str, tp: TablePlan, parts: dict[int, _Part], hits: bool) -> None:
    """``_rows.<CODE>#lines``: the stored rows with their line numbers, and no failing rules on a
    rejected row (``_reject_pre_scanned`` cannot clear them: updating a list moves the row, and its
    place is its line); ``t_<CODE>``: its good rows with every field of the table (those not stored
    are empty)."""
    lines, view = numbered(code), quote_ident("t_" + code)
    file = _by_place(parts, lambda p: sql_quote(p.file))
    date = _by_place(parts, lambda p: sql_quote(p.date) if p.date else "NULL")
    sample = sampling.row_filter(con, tp, stored(code), f"{STORE}.main.{quote_ident(code + '#sample')}") if hits else ""
    unjudged = f", CASE WHEN NOT _bad{sample} THEN _hits END AS _hits" if hits else ""
    con.execute(f"CREATE OR REPLACE VIEW {lines} AS SELECT {file}::VARCHAR AS _file, {date}::VARCHAR AS _file_date, "
                f"* REPLACE ({_line_sql(parts)} AS _line{unjudged}) FROM (SELECT *, rowid AS _rowid FROM {stored(code)})")
    columns = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {lines}").fetchall()}
    fields = ", ".join(quote_ident(f.code) if f.code in columns else f"NULL::VARCHAR AS {quote_ident(f.code)}"
                       for f in tp.table.fields)
    con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT _file, _line, _file_date, _ctrl, _quote, {fields} "
                f"FROM {lines} WHERE NOT _bad")


def _run(con, sql: str, progress: Progress | None, code: str) -> duckdb.Error | None:
    """Execute; a DuckDB error is returned (interrupts are raised)."""
    try:
        if progress:
            with progress.watch(con, code):
                con.execute(sql)
        else:
            con.execute(sql)
    except duckdb.Error as exc:
        if is_interrupt(exc):
            raise
        return exc
    return None


def _record(table: TableResult, info: FileInfo) -> None:
    table.present = True
    table.files.append(info)
    table.rows_read += info.rows_read
    table.rows_rejected += info.rows_rejected
    table.rows_checked = table.rows_read - table.rows_rejected


def stored(code: str) -> str:
    """The stored rows of a scanned table, in file order."""
    return f"{STORE}.main.{quote_ident(code)}"


def numbered(code: str) -> str:
    """The stored rows of a table with their line numbers (``t_<CODE>`` is a view of its good rows)."""
    return f"{STORE}.main.{quote_ident(code + '#lines')}"


def collect_hits(con, tp: TablePlan) -> None:
    """Move the failures a table's scan recorded into ``_failures``."""
    con.execute(f"{INSERT_FAILURES} {hits_sql(tp, numbered(tp.table.code))}")


__all__ = ["LINE_FINDINGS", "OPENERS", "STORE", "collect_hits", "collect_line_findings", "load_and_scan", "numbered",
           "stored", "storing_sql"]
