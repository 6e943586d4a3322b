"""What every backend shares: which rules a run may execute, the 备注 excuse groups, the options
a report records and the results model built from a run's counts — once, so that DuckDB, Spark
and reconciliation cannot drift apart in what their reports say.
"""
from __future__ import annotations

import platform
import time
from importlib import metadata
from pathlib import Path
from typing import Iterator

import duckdb

from ..compile import SUBMISSION, Plan, TablePlan, natural_key
from ..excuses import REMARK_FIELD
from ..results import Finding, RuleResult, RunResult, TableResult, verdict_for
from ..rules import REGISTRY
from ..ruleset import RulePack
from ..scope import Scope
from ..sources import FileFinding
from ..waivers import gate_expired

SUBMISSION_NAME = "提交批次"
ABSENT_NOTE = "table not in the submission"


def engine_versions() -> dict:
    try:
        version = metadata.version("jianhe")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    return {"jianhe": version, "duckdb": duckdb.__version__, "python": platform.python_version()}


def skip_absent(tp: TablePlan, tables: dict[str, TableResult], not_run: dict[int, str]) -> bool:
    """A table not in the submission: its rules are reported not run (never failed); True if so."""
    if tables[tp.table.code].present:
        return False
    for entry in tp.row_rules + tp.set_rules:
        not_run[entry.index] = ABSENT_NOTE
    return True


def runnable_set_rules(plan: Plan, tp: TablePlan, tables: dict[str, TableResult], findings: list[FileFinding],
                       not_run: dict[int, str], scope: Scope) -> Iterator[tuple[int, object]]:
    """The table's set rules that can run, numbered from 1 among all its set rules; a rule needing a
    table that is not there is noted not run (and, where the scope requires that table, a finding)."""
    for done, entry in enumerate(tp.set_rules, start=1):
        if entry.index in not_run:
            continue
        needed = {plan.pack.catalog.table(n).code for n in REGISTRY[entry.rule.kind].tables_needed(entry.rule)}
        missing = scope.missing_tables(needed, tables)
        if missing:
            not_run[entry.index] = scope.missing_note(missing)
            findings += scope.missing_findings(tp.table.code, missing, entry.rule.id)
            continue
        yield done, entry


def excuse_groups(plan: Plan, tables: dict[str, TableResult]) -> dict[tuple[str, tuple[str, ...]], list[int]]:
    """(table, excusing 备注 tokens) → the rules they excuse, for tables present with a 备注 field."""
    excuses = plan.pack.options.get("excuses") or {}
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for entry in plan.entries:
        tokens = excuses.get(entry.rule.id)
        table = plan.tables.get(entry.rule.table)
        if tokens and table and table.table.field(REMARK_FIELD) and tables[entry.rule.table].present:
            groups.setdefault((entry.rule.table, tuple(sorted(tokens))), []).append(entry.index)
    return groups


def samples_sql(failures: str, limit: int) -> str:
    """The first ``limit`` failures of each rule, counted ones first, then by place (both dialects)."""
    return ("SELECT _rule, _file, _line, _key, _value, _excused, _waived FROM (SELECT *, row_number() OVER "
            "(PARTITION BY _rule ORDER BY _excused OR _waived, _file ASC NULLS FIRST, _line ASC NULLS FIRST, "
            f"_key ASC NULLS LAST, _value ASC NULLS LAST) AS _n FROM {failures}) WHERE _n <= {int(limit)} "
            "ORDER BY _rule, _n")


def samples_by_rule(plan: Plan, rows) -> dict[int, list[Finding]]:
    """Rows of ``samples_sql`` as each rule's sample findings."""
    out: dict[int, list[Finding]] = {}
    for idx, file, line, key, value, excused, waived in rows:
        rule = plan.entries[idx].rule
        out.setdefault(idx, []).append(Finding(rule.id, rule.table, file, line, key, value, excused, waived))
    return out


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
    """The results model from a run's counts, samples and rules not run. ``not_applicable``: file
    checks this kind of source has nothing for (a database table has no file name or bytes)."""
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


__all__ = ["ABSENT_NOTE", "SUBMISSION_NAME", "build_result", "engine_versions", "excuse_groups", "rule_results",
           "run_options", "runnable_set_rules", "samples_by_rule", "samples_sql", "skip_absent"]
