"""Run a plan on DuckDB: load the submission, one fused scan per table, joins for set rules.

All failures land in one DuckDB table ``_failures(_rule, _file, _line, _key, _value)``;
counts, samples and the --failures export are all read from it.
"""
from __future__ import annotations

import os
import platform
import shutil
import time
import uuid
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import duckdb
import pyarrow as pa

from .errors import OutputError
from .compile import SUBMISSION, Plan, build_plan, natural_key, set_rule_sql, single_check_sql
from .results import Finding, RuleResult, RunResult, TableResult, verdict_for
from .ruleset import RulePack
from .rules import REGISTRY
from .sources import FileFinding, discover
from .sources.discover import submission_entries
from .excuses import REMARK_FIELD
from .identifiers import install_macros
from .dialects.quoting import quote_ident, sql_quote
from .waivers import WaiverSet, apply_waivers, gate_expired
from .signals import is_interrupt
from .scope import Scope
from .scratch import scratch_dir
from .sources.load import file_sha256
from .sources.source import TableSource
from .progress import Progress
from .scan import collect_hits, collect_line_findings, load_and_scan

SUBMISSION_NAME = "提交批次"
DEFAULT_MEMORY_LIMIT = "1GB"
FAILURE_COLUMNS = "_rule INTEGER, _file VARCHAR, _line BIGINT, _key VARCHAR, _value VARCHAR"
INSERT_FAILURES = "INSERT INTO _failures (_rule, _file, _line, _key, _value)"


def engine_versions() -> dict:
    try:
        version = metadata.version("jianhe")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    return {"jianhe": version, "duckdb": duckdb.__version__, "python": platform.python_version()}


def validate_submission(submission: Path | TableSource, pack: RulePack, *, fail_on: str = "strong", show_pii: bool = False,
                        sample_limit: int = 50, failures_path: Path | None = None,
                        memory_limit: str | None = None, previous_date: str | None = None,
                        waivers: WaiverSet | None = None, calendar: Path | None = None,
                        progress: Progress | None = None, tables: list[str] | None = None,
                        require_tables: str | list[str] | None = None) -> RunResult:
    """Validate one submission folder (or file, or a TableSource: database, memory) against a rule
    pack and return the results model. ``tables`` narrows the run to those tables (rules needing
    another are not run); ``require_tables`` ('all' or names) makes absent tables fail (engine/scope.py)."""
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    source = submission if isinstance(submission, TableSource) else None
    files, findings = ([], []) if source else discover(Path(submission), pack.catalog)
    scope = Scope.build(pack, tables, require_tables)
    plan = build_plan(pack, show_pii, tables=list(scope.only) if scope.narrowed else None,
                      params={"previous_date": previous_date})
    timings: dict[str, float] = {}
    per_table: dict[str, dict] = {}  # rows, seconds and rows/s of each table
    workdir = scratch_dir()
    # in-memory, but DuckDB spills loaded tables to the scratch folder when they outgrow the limit
    con = duckdb.connect(":memory:", config={"temp_directory": str(workdir / "spill")})
    con.execute(f"SET memory_limit = '{memory_limit or DEFAULT_MEMORY_LIMIT}'")
    calendars = [f for f in (pack.options.get("calendar"), calendar) if f]  # working-day files, later wins
    try:
        install_macros(con, calendars)
        mark = time.perf_counter()
        if progress:
            progress.run_started(plan)
        tables = (source.load(con, plan, findings, workdir) if source
                  else _load(con, plan, files, findings, workdir, progress, per_table))
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
        samples = _samples(con, plan, sample_limit)
        if failures_path:
            _export_failures(con, plan, Path(failures_path))
    finally:
        con.close()
        shutil.rmtree(workdir, ignore_errors=True)
    options = run_options(fail_on, show_pii, sample_limit, previous_date, failures_path, calendars)
    inputs = source.inputs(tables) if source else submission_inputs(Path(submission), tables)
    return build_result(submission, pack, plan, tables, counts, samples, not_run, options=options, inputs=inputs,
                        waiver_records=waiver_records, timings=timings, table_timings=_table_timings(per_table),
                        engine=engine_versions(), started=started, started_at=started_at, fail_on=fail_on,
                        not_applicable=source.not_applicable if source else frozenset())


def run_options(fail_on: str, show_pii: bool, sample_limit: int, previous_date: str | None,
                failures_path: Path | None, calendars: list) -> dict:
    """The options a report records, the same for every engine."""
    return {"fail_on": fail_on, "show_pii": show_pii, "sample_limit": sample_limit, "previous_date": previous_date,
            "failures": str(failures_path) if failures_path else None,
            "calendar": [str(f) for f in calendars] or None}


def build_result(submission, pack: RulePack, plan: Plan, tables: dict[str, TableResult], counts: dict, samples: dict,
                 not_run: dict, *, options: dict, inputs: list[dict], waiver_records: list[dict], timings: dict,
                 table_timings: dict | None = None, engine: dict, started: float, started_at: str,
                 fail_on: str, not_applicable: frozenset[str] = frozenset()) -> RunResult:
    """The results model from a run's counts, samples and rules not run: shared by every engine,
    so that their reports cannot drift apart. ``not_applicable``: file checks this kind of source
    has nothing for (a database table has no file name or bytes)."""
    rules = rule_results(plan, tables, counts, samples, not_run, not_applicable)
    duration = time.perf_counter() - started
    timings = {**timings, "total_s": duration}
    manifest = {"inputs": inputs, "waivers": waiver_records,
                "timings": {**{k: round(v, 3) for k, v in timings.items()}, **(table_timings or {})}}
    result = RunResult(
        submission=str(submission), pack={"name": pack.name, "version": pack.version, "digest": pack.digest},
        engine=engine, options=options, started_at=started_at,
        duration_s=round(duration, 3), fail_on=fail_on,
        tables=[tables[c] for c in sorted(tables)], rules=rules, manifest=manifest)
    result.verdict = verdict_for(rules, fail_on)
    gate_expired(result)
    return result


def submission_inputs(submission: Path, tables: dict[str, TableResult]) -> list[dict]:
    """Every file of the submission with size and SHA-256 (hashes of loaded files come from the pre-scan)."""
    loaded = {f.path: (code, f) for code, t in tables.items() for f in t.files}
    paths = [submission] if submission.is_file() else sorted(p for p in submission.iterdir() if p.is_file())
    odd = {p: why for p, why in submission_entries(submission) if why}  # named like data, never opened
    out = []
    for path in sorted([*paths, *odd]):
        if path in odd:
            out.append({"file": path.name, "table": None, "bytes": None, "sha256": None, "rows_read": 0,
                        "rows_rejected": 0, "note": f"not a regular file but {odd[path]}; not read"})
            continue
        code, info = loaded.get(path.name, (None, None))
        readable = os.access(path, os.R_OK)
        out.append({"file": path.name, "table": code, "bytes": path.stat().st_size,
                    "sha256": info.sha256 if info and info.sha256 else file_sha256(path) if readable else None,
                    "rows_read": info.rows_read if info else 0, "rows_rejected": info.rows_rejected if info else 0})
    return out


def _load(con, plan: Plan, files, findings: list[FileFinding], workdir: Path, progress: Progress | None = None,
          per_table: dict[str, dict] | None = None) -> dict[str, TableResult]:
    """Every table of the plan from its files; row rules run while reading them (engine/scan.py)."""
    return load_and_scan(con, plan, files, findings, workdir, progress, per_table)


def _run_rules(con, plan: Plan, tables: dict[str, TableResult], findings: list[FileFinding],
               source: TableSource | None = None, progress: Progress | None = None,
               per_table: dict[str, dict] | None = None, scope: Scope | None = None) -> dict[int, str]:
    """Execute fused scans and set rules (a source may run a table's where its data lives);
    returns notes for rules that could not run."""
    not_run: dict[int, str] = dict(plan.not_run)
    scope = scope or Scope()
    started = time.perf_counter()
    for code, tp in plan.tables.items():
        if not tables[code].present:
            for entry in tp.row_rules + tp.set_rules:
                not_run[entry.index] = "table not in the submission"
            continue
        remote = source.runner(code) if source else None
        mark = time.perf_counter()
        if code in plan.scanned:  # the row rules ran while the files were read
            collect_hits(con, tp)
        elif not (remote and remote.row_rules(con, tp, not_run)):
            _run_guarded(con, f"{INSERT_FAILURES} {tp.fused_sql}", not_run,
                         fallback=lambda: _run_row_rules_one_by_one(con, tp, not_run))
        for done, entry in enumerate(tp.set_rules, start=1):
            set_mark = time.perf_counter()
            if entry.index in not_run:
                continue
            needed = {plan.pack.catalog.table(n).code for n in REGISTRY[entry.rule.kind].tables_needed(entry.rule)}
            missing = scope.missing_tables(needed, tables)
            if missing:
                not_run[entry.index] = scope.missing_note(missing)
                findings += scope.missing_findings(code, missing, entry.rule.id)
                continue
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
    """Bulk-insert file findings (a CRLF file can yield one per line) through Arrow, not row by row."""
    if not findings:
        return
    index = {(e.rule.id, e.rule.table): e.index for e in plan.entries}
    batch = pa.table({
        "_rule": pa.array([index[(f.rule_id, f.table)] for f in findings], pa.int32()),
        "_file": pa.array([f.file for f in findings], pa.string()),
        "_line": pa.array([f.line for f in findings], pa.int64()),
        "_key": pa.nulls(len(findings), pa.string()),
        "_value": pa.array([f.value for f in findings], pa.string()),
    })
    con.register("_file_findings", batch)
    con.execute(f"{INSERT_FAILURES} SELECT * FROM _file_findings")
    con.unregister("_file_findings")


def _apply_excuses(con, plan: Plan, tables: dict[str, TableResult]) -> None:
    """Mark failures whose row's 备注 carries a token that excuses the rule (they stay recorded)."""
    excuses = plan.pack.options.get("excuses") or {}
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for entry in plan.entries:
        tokens = excuses.get(entry.rule.id)
        table = plan.tables.get(entry.rule.table)
        if tokens and table and table.table.field(REMARK_FIELD) and tables[entry.rule.table].present:
            groups.setdefault((entry.rule.table, tuple(sorted(tokens))), []).append(entry.index)
    for (code, tokens), indexes in groups.items():
        token_list = "[" + ", ".join(sql_quote(t) for t in tokens) + "]"
        con.execute(
            f"UPDATE _failures f SET _excused = TRUE FROM {quote_ident('t_' + code)} t "
            f"WHERE f._rule IN ({', '.join(map(str, indexes))}) AND f._file = t._file AND f._line = t._line "
            f"AND list_has_any(string_split(coalesce(t.{quote_ident(REMARK_FIELD)}, ''), ';'), {token_list})")


def _samples(con, plan: Plan, limit: int) -> dict[int, list[Finding]]:
    rows = con.execute(
        "SELECT _rule, _file, _line, _key, _value, _excused, _waived FROM (SELECT *, row_number() OVER (PARTITION BY _rule "
        "ORDER BY _excused OR _waived, _file NULLS FIRST, _line NULLS FIRST, _key, _value) AS _n FROM _failures) WHERE _n <= ? "
        "ORDER BY _rule, _n", [limit]).fetchall()
    out: dict[int, list[Finding]] = {}
    for idx, file, line, key, value, excused, waived in rows:
        rule = plan.entries[idx].rule
        out.setdefault(idx, []).append(Finding(rule.id, rule.table, file, line, key, value, excused, waived))
    return out


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


def rule_results(plan: Plan, tables: dict[str, TableResult], counts: dict, samples: dict, not_run: dict,
                 not_applicable: frozenset[str] = frozenset()) -> list[RuleResult]:
    results = []
    catalog = plan.pack.catalog
    for entry in plan.entries:
        rule = entry.rule
        failed, excused, waived = counts.get(entry.index, (0, 0, 0))
        table = tables.get(rule.table)
        table_name = table.name if table else SUBMISSION_NAME
        checked = (table.rows_read if rule.kind == "file" else table.rows_checked) if table else sum(
            t.rows_read for t in tables.values())
        status = "not_run" if entry.index in not_run else ("failed" if failed else "passed")
        note = not_run.get(entry.index)
        if status == "passed" and rule.kind == "file" and rule.id in not_applicable:
            status, note = "not_applicable", "not applicable: this source has no files (names, bytes, encodings)"
        checked = 0 if status in ("not_run", "not_applicable") else checked
        spec_field = catalog.tables[rule.table].field(rule.field) if rule.field and rule.table in catalog.tables else None
        results.append(RuleResult(
            id=rule.id, table=rule.table, table_name=table_name, kind=rule.kind, category=rule.category,
            severity=rule.severity, message_zh=rule.message_zh, message_en=rule.message_en,
            field=rule.field, field_name=spec_field.name if spec_field else None, origin=rule.origin,
            number_kind=rule.number_kind, when=rule.when, status=status, checked=checked, failed=failed,
            rate=round(failed / checked, 6) if checked else 0.0, note=note, excused=excused,
            samples=samples.get(entry.index, []), waived=waived))
        if table is not None and status not in ("not_run", "not_applicable"):
            table.rules += rule.kind != "file"
            table.rules_failed += status == "failed"
    return sorted(results, key=lambda r: (r.table != SUBMISSION, r.table, r.kind != "file", natural_key(r.id)))
