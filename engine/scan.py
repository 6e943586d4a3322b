"""Read each table's files and evaluate its row rules in the same pass.

For every table of the plan, its files become one relation: the view ``t_<CODE>``, the union of
each file's rows as text (engine/sources/load.py: an EAST file's lines split on 0x01 with their
line numbers, CSV/Parquet rows cast to text). One statement reads that view once, evaluates
every row rule of the table (``TablePlan.scan_sql``) and stores, per row, the failing rules
(``_hits``) and the fields later queries read (``TablePlan.stored``: set rules, the key, 备注) in
a DuckDB database file in the run's scratch folder (``_rows``: compressed, read through the
buffer pool, so memory stays bounded however large the files are); ``t_<CODE>`` then becomes
a view of that table with every field (those not stored are empty). No file is split twice.
``collect_hits`` moves the hits into ``_failures``.

EAST files: a thread checks each file's bytes for CR, NUL and control characters before its
table is read (started for all files at once, so it runs while earlier tables are read); a file
with CR or NUL goes the careful way (pre-scan, cleaned copy, per-line findings, engine/sources/
load.py), any other is read by DuckDB as it is — DuckDB refuses invalid UTF-8, whereupon the file
is read again the careful way and its table scanned again — while a second thread computes its
SHA-256 and line count. If the rules themselves fail on the data, the rows are stored without
them and the run isolates the failing rule (engine/run.py).
"""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from .compile import Plan, TablePlan, hits_sql
from .progress import Progress
from .results import FileInfo, TableResult
from .formats import sql_quote
from .rules.base import quote_ident
from .sources.discover import SourceFile
from .sources.findings import FileFinding
from .sources.load import (FileRelation, careful_relation, control_bytes, create_relation, csv_relation,
                           east_relation, finish_relation, load_table, parquet_relation)

OPENERS = {"east": east_relation, "csv": csv_relation, "parquet": parquet_relation}
INSERT_FAILURES = "INSERT INTO _failures (_rule, _file, _line, _key, _value)"
STORE = "_rows"  # the attached database holding the scanned tables


def load_and_scan(con: duckdb.DuckDBPyConnection, plan: Plan, files: list[SourceFile], findings: list[FileFinding],
                  workdir: Path, progress: Progress | None = None,
                  timings: dict[str, dict] | None = None) -> dict[str, TableResult]:
    """Load every table of the plan and run its row rules while reading it; tables whose rules ran
    are added to ``plan.scanned``. ``timings`` receives per table: rows, seconds, rows per second."""
    tables: dict[str, TableResult] = {}
    by_table: dict[str, list[SourceFile]] = {}
    con.execute(f"ATTACH {sql_quote(str(workdir / 'rows.duckdb'))} AS {STORE}")
    for src in files:
        if src.table in plan.tables:
            by_table.setdefault(src.table, []).append(src)
    # the control-byte checks of every EAST file start now, in table order, so that a table's
    # check runs while the tables before it are read; hashes and line counts run beside each read
    with ThreadPoolExecutor(1, thread_name_prefix="jianhe-gate") as gates, \
            ThreadPoolExecutor(1, thread_name_prefix="jianhe-hash") as hashes:
        gate = {src.path: gates.submit(control_bytes, src.path) for code in plan.tables for src in by_table.get(code, [])
                if src.format == "east" and os.access(src.path, os.R_OK)}
        for code, tp in plan.tables.items():
            tables[code] = TableResult(code, tp.table.name, tp.table.kind, present=False)
            if code not in by_table:
                create_relation(con, tp.table)
                continue
            started = time.perf_counter()
            if progress:
                progress.table_started(tp, by_table[code])
            opened = [_open(con, src, tp, workdir, hashes, gate.get(src.path)) for src in by_table[code]]
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


class _Staged:
    """A file of a format without a relation: appended to a staging table by ``load_table``."""

    def __init__(self, src: SourceFile, info: FileInfo, findings: list[FileFinding]):
        self.src, self.info, self.findings = src, info, findings


def _open(con, src: SourceFile, tp: TablePlan, workdir: Path, pool, gate):
    if not os.access(src.path, os.R_OK):
        return _Unreadable(src)
    opener = OPENERS.get(src.format)
    if opener is None:
        stage, rel = quote_ident("_stage_" + tp.table.code), quote_ident("t_" + tp.table.code)
        create_relation(con, tp.table)
        info, file_findings = load_table(con, src, tp.table, workdir)
        if con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?",
                       ["_stage_" + tp.table.code]).fetchone()[0]:
            con.execute(f"INSERT INTO {stage} SELECT * FROM {rel}")
            con.execute(f"DROP TABLE {rel}")
        else:
            con.execute(f"ALTER TABLE {rel} RENAME TO {stage}")
        return _Staged(src, info, file_findings)
    if src.format == "east":
        return opener(src, tp.table, workdir, pool, gate)
    return opener(con, src, tp.table, workdir, pool)


def _scan_table(con, plan: Plan, tp: TablePlan, sources: list, workdir: Path, findings: list[FileFinding],
                progress: Progress | None) -> list[FileInfo]:
    code = tp.table.code
    view, scanned_table = quote_ident("t_" + code), stored(code)
    items = list(sources)
    rel_at = [i for i, s in enumerate(items) if isinstance(s, FileRelation)]
    staged = any(isinstance(s, _Staged) for s in items)

    def attempt() -> duckdb.Error | None:
        _create_view(con, view, [items[i] for i in rel_at], staged, tp)
        return _run(con, f"CREATE OR REPLACE TABLE {scanned_table} AS {tp.scan_sql}", progress, code)

    error = attempt()
    redo = [i for i in rel_at if items[i].optimistic] if error is not None else []
    if redo:  # e.g. invalid UTF-8 past the first MiB: read those files again the careful way
        for i in redo:
            items[i] = careful_relation(items[i].src, tp.table, workdir)
        error = attempt()
    if error is not None and any([items[i].long_lines(tp.table) for i in rel_at]):  # a line over 2 MB?
        error = attempt()
    if error is None:
        plan.scanned.add(code)
    else:  # a rule fails on this data: keep every field; run.py finds the rule(s) at fault one by one
        con.execute(f"CREATE OR REPLACE TABLE {scanned_table} AS SELECT * FROM {view}")
    fields = ", ".join(quote_ident(f.code) if error is not None or tp.stored is None or f.code in tp.stored
                       else f"NULL::VARCHAR AS {quote_ident(f.code)}" for f in tp.table.fields)
    con.execute(f"CREATE OR REPLACE VIEW {view} AS SELECT _file, _line, _file_date, _ctrl, _quote, {fields} "
                f"FROM {scanned_table}")
    if staged:
        con.execute(f"DROP TABLE IF EXISTS {quote_ident('_stage_' + code)}")
    counts = dict(con.execute(f"SELECT _file, count(*) FROM {view} GROUP BY _file").fetchall())
    infos = []
    for item in items:
        if isinstance(item, _Unreadable):
            info = FileInfo(item.src.path.name, item.src.path.stat().st_size, 0, 0, item.src.collection_date)
            findings.append(FileFinding("FILE.UNREADABLE", item.src.table, item.src.path.name, None, "permission denied"))
        elif isinstance(item, _Staged):
            info = item.info
            findings.extend(item.findings)
        else:
            info, file_findings = finish_relation(con, item, tp.table, counts.get(item.src.path.name, 0))
            findings.extend(file_findings)
        infos.append(info)
    return infos


def _create_view(con, view: str, rels: list[FileRelation], staged: bool, tp: TablePlan) -> None:
    parts = [rel.sql for rel in rels if rel.sql]
    if staged:
        parts.append(f"SELECT * FROM {quote_ident('_stage_' + tp.table.code)}")
    if not parts:  # nothing checkable (e.g. CSV lacking columns): an empty relation of the right shape
        cols = ", ".join(f"NULL::VARCHAR AS {quote_ident(f.code)}" for f in tp.table.fields)
        parts.append(f"SELECT NULL::VARCHAR AS _file, NULL::BIGINT AS _line, NULL::VARCHAR AS _file_date, "
                     f"NULL::VARCHAR AS _ctrl, NULL::VARCHAR AS _quote, {cols} WHERE false")
    con.execute(f"CREATE OR REPLACE VIEW {view} AS " + "\nUNION ALL\n".join(parts))


def _run(con, sql: str, progress: Progress | None, code: str) -> duckdb.Error | None:
    """Execute; a DuckDB error is returned (interrupts are raised)."""
    try:
        if progress:
            with progress.watch(con, code):
                con.execute(sql)
        else:
            con.execute(sql)
    except duckdb.Error as exc:
        if isinstance(exc, duckdb.InterruptException) or "interrupted" in str(exc).lower():
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
    """The stored rows of a scanned table (``t_<CODE>`` is a view of them)."""
    return f"{STORE}.main.{quote_ident(code)}"


def collect_hits(con, tp: TablePlan) -> None:
    """Move the failures a table's scan recorded into ``_failures``."""
    con.execute(f"{INSERT_FAILURES} {hits_sql(tp, stored(tp.table.code))}")


__all__ = ["collect_hits", "load_and_scan"]
