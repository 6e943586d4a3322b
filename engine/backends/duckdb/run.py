"""Run a plan on DuckDB: load the submission, one fused scan per table, joins for set rules.

All failures land in one DuckDB table ``_failures(_rule, _file, _line, _key, _value)``;
counts, samples and the --failures export are all read from it. Files are read by
engine/backends/duckdb/scan.py (row rules evaluated while reading); a database or in-memory
source fills its tables itself and may run rules where the data lives (engine/sources/source.py).
"""
from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from ...errors import OutputError
from ...compile import Plan, build_plan, set_rule_sql, single_check_sql
from ...results import RunResult, TableResult
from ...ruleset import RulePack
from ...sources import FileFinding
from ...sources.files import FileSource
from ...excuses import REMARK_FIELD
from ...dialects.quoting import quote_ident, sql_quote
from ...localtables import create_table
from ...waivers import WaiverSet, apply_waivers
from ...signals import is_interrupt
from ...scope import Scope
from ...sources.source import TableSource
from ...progress import Progress
from ..shared import (build_result, engine_versions, excuse_groups, run_options, runnable_set_rules, samples_by_rule,
                      samples_sql, skip_absent)
from .connection import run_connection
from .records import fetch_records
from .scan import collect_hits, collect_line_findings, load_and_scan

FAILURE_COLUMNS = "_rule INTEGER, _file VARCHAR, _line BIGINT, _key VARCHAR, _value VARCHAR"
INSERT_FAILURES = "INSERT INTO _failures (_rule, _file, _line, _key, _value)"
Submission = FileSource | TableSource


def validate_submission(submission: Path | Submission, pack: RulePack, *, fail_on: str = "strong",
                        show_pii: bool = False, sample_limit: int = 50, failures_path: Path | None = None,
                        memory_limit: str | None = None, previous_date: str | None = None,
                        waivers: WaiverSet | None = None, calendar: Path | None = None,
                        progress: Progress | None = None, tables: list[str] | None = None,
                        require_tables: str | list[str] | None = None) -> RunResult:
    """Validate one submission (a folder or file of files, a database, tables in memory) against a
    rule pack and return the results model. ``tables`` narrows the run to those tables (rules needing
    another are not run); ``require_tables`` ('all' or names) makes absent tables fail (engine/scope.py)."""
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    source = submission if isinstance(submission, (FileSource, TableSource)) else FileSource(submission)
    scope = Scope.build(pack, tables, require_tables)
    plan = build_plan(pack, show_pii, tables=list(scope.only) if scope.narrowed else None,
                      params={"previous_date": previous_date})
    timings: dict[str, float] = {}
    per_table: dict[str, dict] = {}  # rows, seconds and rows/s of each table
    calendars = [f for f in (pack.options.get("calendar"), calendar) if f]  # working-day files, later wins
    with run_connection(memory_limit, calendars) as (con, workdir):
        mark = time.perf_counter()
        if progress:
            progress.run_started(plan)
        findings: list[FileFinding] = []
        tables = _load(con, source, plan, findings, workdir, progress, per_table)
        findings += scope.absent_findings(tables)
        timings["load_s"] = time.perf_counter() - mark
        mark = time.perf_counter()
        con.execute(f"CREATE TABLE _failures ({FAILURE_COLUMNS}, _excused BOOLEAN DEFAULT FALSE, "
                    "_waived BOOLEAN DEFAULT FALSE)")
        not_run = _run_rules(con, plan, tables, findings, source, progress, per_table, scope)
        _insert_file_findings(con, plan, findings)
        collect_line_findings(con, plan)  # per-line ones the scan kept in DuckDB (millions, possibly)
        _apply_excuses(con, plan, tables)
        waiver_records = apply_waivers(con, plan, waivers)
        timings["rules_s"] = time.perf_counter() - mark
        counts = {rule: (failed, excused, waived) for rule, failed, excused, waived in con.execute(
            "SELECT _rule, count(*) FILTER (WHERE NOT _excused AND NOT _waived), count(*) FILTER (WHERE _excused), "
            "count(*) FILTER (WHERE _waived) FROM _failures GROUP BY 1").fetchall()}
        samples = samples_by_rule(plan, con.execute(samples_sql("_failures", sample_limit)).fetchall())
        records = fetch_records(con, source, plan, samples, tables, workdir)  # whole records behind samples
        if failures_path:
            _export_failures(con, plan, Path(failures_path))
    options = run_options(fail_on, show_pii, sample_limit, previous_date, failures_path, calendars)
    result = build_result(source, pack, plan, tables, counts, samples, not_run, options=options,
                          inputs=source.inputs(tables), waiver_records=waiver_records, timings=timings,
                          table_timings=_table_timings(per_table), engine=engine_versions(), started=started,
                          started_at=started_at, fail_on=fail_on, not_applicable=source.not_applicable)
    result.records = records
    return result


def _load(con, source: Submission, plan: Plan, findings: list[FileFinding], workdir: Path,
          progress: Progress | None, per_table: dict[str, dict]) -> dict[str, TableResult]:
    """Every table of the plan into ``t_<CODE>``: files are read with their row rules evaluated in
    the same pass (scan.py); other sources fill their tables themselves."""
    if isinstance(source, FileSource):
        files, found = source.discover(plan.pack.catalog)
        findings += found
        return load_and_scan(con, plan, files, findings, workdir, progress, per_table)
    return source.load(con, plan, findings, workdir)


def _run_rules(con, plan: Plan, tables: dict[str, TableResult], findings: list[FileFinding], source: Submission,
               progress: Progress | None = None, per_table: dict[str, dict] | None = None,
               scope: Scope | None = None) -> dict[int, str]:
    """Execute fused scans and set rules (a source may run a table's where its data lives);
    returns notes for rules that could not run."""
    not_run: dict[int, str] = dict(plan.not_run)
    scope = scope or Scope()
    started = time.perf_counter()
    for code, tp in plan.tables.items():
        if skip_absent(tp, tables, not_run):
            continue
        remote = source.runner(code)
        mark = time.perf_counter()
        if code in plan.scanned:  # the row rules ran while the files were read
            collect_hits(con, tp)
        elif not (remote and remote.row_rules(con, tp, not_run)):
            _run_guarded(con, f"{INSERT_FAILURES} {tp.fused_sql}", not_run,
                         fallback=lambda: _run_row_rules_one_by_one(con, tp, not_run))
        for done, entry in runnable_set_rules(plan, tp, tables, findings, not_run, scope):
            set_mark = time.perf_counter()
            if not (remote and remote.set_rule(con, plan, entry, not_run)):
                _run_guarded(con, f"{INSERT_FAILURES} {set_rule_sql(plan, entry)}", not_run, entry.index)
            if progress:
                progress.set_rule(tp, entry, done, len(tp.set_rules), time.perf_counter() - set_mark)
        if per_table is not None:
            _add_rule_timing(per_table, code, tables[code].rows_read, time.perf_counter() - mark)
    if progress:
        progress.run_finished(plan, not_run, time.perf_counter() - started)
    return not_run


def _table_timings(per_table: dict[str, dict]) -> dict[str, float]:
    """Per-table figures as flat manifest timings: ``<CODE>.rows``, ``.scan_s``, ``.rules_s``, ``.rows_per_s``."""
    return {f"{code}.{key}": value for code in sorted(per_table) for key, value in per_table[code].items()}


def _add_rule_timing(per_table: dict[str, dict], code: str, rows: int, seconds: float) -> None:
    """Per table: rows, reading with row rules (scan_s), set rules (rules_s) and rows/s over both."""
    entry = per_table.setdefault(code, {"rows": rows, "scan_s": 0.0})
    entry["rules_s"] = round(seconds, 3)
    total = entry["scan_s"] + seconds
    entry["rows_per_s"] = int(rows / total) if total > 0 else 0


def _run_guarded(con, sql: str, not_run: dict[int, str], index: int | None = None, fallback=None) -> None:
    """Run one statement; a rule that fails on the data (e.g. a conversion error) is reported as
    not run with DuckDB's reason, and the run goes on. Interrupts still stop the run."""
    try:
        con.execute(sql)
    except duckdb.Error as exc:
        if is_interrupt(exc):
            raise
        if fallback is not None:
            fallback()
        else:
            not_run[index] = f"failed on this data: {str(exc).splitlines()[0]}"


def _run_row_rules_one_by_one(con, tp, not_run: dict[int, str]) -> None:
    """The fused scan failed: find the rule(s) at fault by running each row rule alone."""
    for check in tp.checks:
        _run_guarded(con, f"{INSERT_FAILURES} {single_check_sql(tp, check)}", not_run, check[0])


def _insert_file_findings(con, plan: Plan, findings: list[FileFinding]) -> None:
    """Bulk-insert file findings (a CRLF file can yield one per line) as columns, not row by row."""
    if not findings:
        return
    index = {(e.rule.id, e.rule.table): e.index for e in plan.entries}
    create_table(con, "_file_findings", {
        "_rule": ("INTEGER", [index[(f.rule_id, f.table)] for f in findings]),
        "_file": ("VARCHAR", [f.file for f in findings]),
        "_line": ("BIGINT", [f.line for f in findings]),
        "_value": ("VARCHAR", [f.value for f in findings]),
    }, temp=True)
    con.execute(f"{INSERT_FAILURES} SELECT _rule, _file, _line, NULL, _value FROM _file_findings")
    con.execute("DROP TABLE _file_findings")


def _apply_excuses(con, plan: Plan, tables: dict[str, TableResult]) -> None:
    """Mark failures whose row's 备注 carries a token that excuses the rule (they stay recorded)."""
    for (code, tokens), indexes in excuse_groups(plan, tables).items():
        token_list = "[" + ", ".join(sql_quote(t) for t in tokens) + "]"
        con.execute(
            f"UPDATE _failures f SET _excused = TRUE FROM {quote_ident('t_' + code)} t "
            f"WHERE f._rule IN ({', '.join(map(str, indexes))}) AND f._file = t._file AND f._line = t._line "
            f"AND list_has_any(string_split(coalesce(t.{quote_ident(REMARK_FIELD)}, ''), ';'), {token_list})")


def _export_failures(con, plan: Plan, path: Path) -> None:
    """Every failure as (rule_id, table, file, line, key, value), in Parquet."""
    con.execute("CREATE TEMP TABLE _rule_ids (_rule INTEGER, rule_id VARCHAR, tbl VARCHAR, severity VARCHAR)")
    con.executemany("INSERT INTO _rule_ids VALUES (?, ?, ?, ?)",
                    [(e.index, e.rule.id, e.rule.table, e.rule.severity) for e in plan.entries])
    path.parent.mkdir(parents=True, exist_ok=True)
    # written beside the target and renamed: a reader (or a second run) never sees half a file
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.partial")
    try:
        con.execute(
            "COPY (SELECT r.rule_id, r.tbl AS \"table\", r.severity, f._file AS file, f._line AS line, f._key AS key, "
            "f._value AS value, f._excused AS excused, f._waived AS waived FROM _failures f JOIN _rule_ids r USING (_rule) ORDER BY r.tbl, r.rule_id, file, line) "
            f"TO '{str(partial).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)")
        os.replace(partial, path)
    except (duckdb.IOException, OSError) as exc:  # full disk, failing storage: not the data's fault
        raise OutputError(f"--failures {path} could not be written: {str(exc).splitlines()[0]}") from None
    finally:
        partial.unlink(missing_ok=True)
