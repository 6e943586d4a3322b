"""The `jianhe` command line.

Exit codes: 0 ready to file · 1 rules at or above --fail-on failed · 2 usage or rule-file
error · 3 the data could not be read.
"""
from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import sys
from pathlib import Path

import duckdb

from . import signals
from .compile import build_plan, rule_sql
from .errors import DataReadError, JianheError, UsageError
from .outputs import Input, check_distinct, check_output, parse_date
from .parameters import parse_override
from .reconcile import cli as reconcile_cli
from .survey import cli as survey_cli
from .history import cli as history_cli
from .results import SEVERITY_ZH
from .ruleset import RulePack, load_pack

DEFAULT_PACK = "east5_core"
EXIT_CODES = """exit codes:
  0    ready to file: no rule at or above --fail-on failed
  1    a rule at or above --fail-on failed (with --baseline: newly failing or grown), or a waiver expired
  2    usage error, or a malformed spec / rule file (file, line and rule named)
  3    the submission could not be read, the reports could not be written, or an internal error
  130  interrupted (Ctrl-C); 143 stopped by SIGTERM: no report written"""


DEFAULT_FORMATS = "json,html,junit"
STDOUT = "-"
DATABASE_FLAGS = {"schema": "--schema", "table_map": "--table-map", "source_mode": "--source-mode",
                  "pushdown_rows": "--pushdown-rows"}


def default_pack() -> str:
    """The shipped core pack, by name (found as engine/ruleset.pack_roots says)."""
    return DEFAULT_PACK


def _version() -> str:
    from .backends.shared import engine_versions
    versions = engine_versions()
    return f"jianhe {versions['jianhe']} (DuckDB {versions['duckdb']}, Python {versions['python']})"


def _format_names() -> list[str]:
    from .report import RENDERERS
    return list(RENDERERS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jianhe", description="检核 — regulatory data-quality rule engine",
                                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="validate a submission folder (EAST .txt, CSV, Parquet) or database tables")
    v.add_argument("submission", help="submission folder or file, or a SQLAlchemy database URL "
                                      "(e.g. postgresql://user@host/db; tables found by code or Chinese name)")
    v.add_argument("--schema", default=None, help="database URL: the schema holding the tables")
    v.add_argument("--table-map", type=Path, default=None,
                   help="database URL: YAML mapping tables (and columns) to the spec's, with optional filters")
    v.add_argument("--source-mode", choices=("stream", "pushdown", "auto"), default=None,
                   help="database URL: stream rows into DuckDB (default), run the checks in the database "
                        "(pushdown; only failing rows leave it), or auto (streams, as measured faster; "
                        "with --pushdown-rows N, pushdown for tables of N rows or more)")
    v.add_argument("--pushdown-rows", type=int, default=None,
                   help="with --source-mode auto: tables from this many rows are checked in the database")
    v.add_argument("--pack", default=None, help=f"rule pack folder or name (shipped: east5_core, east5, …; more with $JIANHE_PACK_PATH; "
                        f"default {DEFAULT_PACK})")
    v.add_argument("--pack-version", default=None, help="pack version to apply (default: the latest)")
    v.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="override a pack parameter (a threshold declared in pack.yaml); repeatable")
    v.add_argument("--table", action="append", default=None, metavar="TABLE",
                   help="check only this table (code or Chinese name; repeatable): rules needing another "
                        "table are reported not run instead of failing")
    v.add_argument("--require-tables", default=None, metavar="all|T1,T2",
                   help="tables that must be present: each absent one fails the run (FILE.NOT_SUBMITTED)")
    v.add_argument("--report-dir", "-o", default=None,
                   help="where to write reports; '-' writes the JSON report to stdout (and nothing else)")
    v.add_argument("--format", default=None,
                   help=f"comma-separated: {', '.join(_format_names())} (default {DEFAULT_FORMATS}; needs --report-dir)")
    v.add_argument("--fail-on", choices=("strong", "weak", "info", "none"), default="strong",
                   help="exit 1 when a rule of this severity or above fails (default strong)")
    v.add_argument("--failures", type=Path, default=None, help="write every failure to this Parquet file")
    v.add_argument("--show-pii", action="store_true", help="show personal data unmasked (recorded in the report)")
    v.add_argument("--sample-limit", type=int, default=50, help="failing records kept per rule in reports")
    v.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 2GB")
    v.add_argument("--previous-date", default=None, help="previous 采集日期 YYYYMMDD, for the scope checks")
    v.add_argument("--calendar", type=Path, default=None,
                   help="working-day calendar file (year, holidays, workdays) for deadline checks in years "
                        "the calendar package does not cover; overrides the pack's")
    v.add_argument("--quiet", action="store_true", help="no console summary")
    v.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress per table on stderr (default: only when stderr is a terminal, not in CI or --quiet)")
    v.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                   help="where the rules run: duckdb (default, this process) or spark (pip install 'jianhe[spark]')")
    v.add_argument("--spark-master", default=None, metavar="URL",
                   help="Spark master, e.g. local[4], spark://host:7077, yarn (default: spark-submit's, else local[*])")
    v.add_argument("--spark-conf", action="append", default=[], metavar="KEY=VALUE",
                   help="Spark setting, e.g. spark.executor.memory=8g (repeatable)")
    v.add_argument("--waivers", type=Path, default=None,
                   help="waivers file (rule × table × key, reason, approver, expiry): waived failures do not count")
    v.add_argument("--baseline", type=Path, default=None,
                   help="a previous report.json: fail only on rules newly failing or grown since then")
    v.add_argument("--baseline-tolerance", default=None, metavar="N|P%",
                   help="new failing records a rule may gain before it counts as grown (default 0)")

    r = sub.add_parser("rules", help="list rules; `rules show ID` prints one with its SQL; "
                                      "`rules diff V1 V2` the changelog between pack versions; "
                                      "`rules test` runs every rule on its pass/fail fixtures; "
                                      "`rules coverage` the source's requirements and their status")
    r.add_argument("action", nargs="?", choices=("list", "show", "diff", "test", "coverage"), default="list")
    r.add_argument("args", nargs="*", help="rule id (show) or two versions (diff)")
    r.add_argument("--pack", default=None)
    r.add_argument("--pack-version", default=None)
    r.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="override a pack parameter")
    r.add_argument("--count", action="store_true", help="print counts per category and severity instead of rules")
    r.add_argument("--table", help="table code or Chinese name")
    r.add_argument("--kind")
    r.add_argument("--output", choices=("table", "json", "csv"), default="table", help="rules coverage: output form")

    c = sub.add_parser("compile", help="print the fused SQL for a table")
    c.add_argument("--table", required=True, help="table code or Chinese name")
    c.add_argument("--pack", default=None)
    c.add_argument("--pack-version", default=None)
    c.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="override a pack parameter")
    reconcile_cli.register(sub)
    survey_cli.register(sub)
    history_cli.register(sub)

    i = sub.add_parser("init", help="scaffold a spec and a rule pack for a new table from a sample file")
    i.add_argument("--sample", type=Path, required=True, help="CSV/Parquet with a header, or EAST text with --fields")
    i.add_argument("--table", required=True, help="table code, e.g. DKXXB")
    i.add_argument("--name", default=None, help="Chinese table name, e.g. 贷款信息表")
    i.add_argument("--fields", default=None, help="field codes of an EAST text sample, comma-separated")
    i.add_argument("--out", type=Path, default=None, help="output folder (default jianhe-<table>)")

    lt = sub.add_parser("lint", help="check a rule pack: unknown names, duplicates, rules that never fire, overlaps")
    lt.add_argument("--pack", default=None)

    x = sub.add_parser("export", help="export a pack's rules for another tool (gx: Great Expectations 1.x suites)")
    x.add_argument("target", choices=("gx",))
    x.add_argument("--pack", default=None)
    x.add_argument("--pack-version", default=None)
    x.add_argument("--table", default=None, help="one table (code or Chinese name): its suite goes to the file --out")
    x.add_argument("--out", type=Path, required=True, help="suite file (with --table) or folder (one <TABLE>.json each)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    signals.install()
    for name in ("stdout", "stderr"):  # started with a closed descriptor: Python gives None
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
    try:
        return COMMANDS[args.command](args)
    except JianheError as exc:
        print("jianhe: error: " + str(exc).replace("\r", "\\r").replace("\n", "\\n"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return _on_interrupt()
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        silence_stdout()
        return 0
    except Exception as exc:
        if signals.is_interrupt(exc):
            return _on_interrupt()
        if isinstance(exc, duckdb.Error):
            print(f"jianhe: error: the data could not be read: {str(exc).splitlines()[0]}", file=sys.stderr)
            return DataReadError.exit_code
        if isinstance(exc, OSError) and exc.filename and not os.environ.get("JIANHE_DEBUG"):
            return _on_os_error(exc)
        if os.environ.get("JIANHE_DEBUG"):  # a bug: one clear line, the traceback only on request
            raise
        print(f"jianhe: internal error ({type(exc).__name__}: {exc}); set JIANHE_DEBUG=1 for the traceback",
              file=sys.stderr)
        return DataReadError.exit_code


def _on_interrupt() -> int:
    print("jianhe: interrupted; no report was written", file=sys.stderr)
    return signals.exit_code()


def _on_os_error(exc: OSError) -> int:
    """A path the system refused (full disk, no permission, not a folder): one line naming it.
    Full or failing storage is exit 3 (nothing the user typed is wrong); the rest is exit 2."""
    print(f"jianhe: error: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
    return DataReadError.exit_code if exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT) else 2


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that the exit's final flush cannot fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@contextlib.contextmanager
def stdout_may_close():
    """Console output whose reader may be gone (``| head``): the verdict must not depend on it."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()


def _pack(args) -> RulePack:
    overrides = dict(parse_override(p) for p in getattr(args, "param", None) or [])
    return load_pack(args.pack or default_pack(), getattr(args, "pack_version", None), overrides or None)


def _table_code(pack: RulePack, ref: str | None) -> str | None:
    if ref is None:
        return None
    table = pack.catalog.table(ref)
    if table is None:
        raise UsageError(f"unknown table '{ref}' (known: {', '.join(sorted(pack.catalog.tables))})")
    return table.code


def _submission(args, pack):
    """The source of the run (engine/sources/submission.py); a database is read on DuckDB only."""
    from .sources.submission import open_submission
    from .sources.warehouse import is_url
    if is_url(args.submission) and getattr(args, "engine", "duckdb") != "duckdb":
        raise UsageError("a database URL is validated on the DuckDB engine (--engine duckdb)")
    return open_submission(args.submission, pack, schema=args.schema, table_map=args.table_map,
                           source_mode=args.source_mode, pushdown_rows=args.pushdown_rows, names=DATABASE_FLAGS)


def cmd_validate(args) -> int:
    from .backends import get_backend
    from .report import FILENAMES, RENDERERS, render_console, report_folder, write_reports

    formats = report_formats(args.format, args.report_dir, list(RENDERERS), DEFAULT_FORMATS, "the JSON report")
    to_stdout = args.report_dir == STDOUT
    args.report_dir = None if args.report_dir in (None, STDOUT) else Path(args.report_dir)
    if args.sample_limit < 0:
        raise UsageError("--sample-limit must be >= 0")
    check_memory_limit(args.memory_limit)
    parse_date("--previous-date", args.previous_date)
    _check_validate_outputs(args, FILENAMES.values())
    pack = _pack(args)
    waivers, baseline, tolerance = _gates(args, pack)
    if args.calendar:  # a bad calendar file stops the run before anything is written
        from .workdays import load_calendar_file
        load_calendar_file(args.calendar)
    folder = None
    try:
        with _submission(args, pack) as submission:
            if args.report_dir:  # from here on, an earlier run's report must not pass for this run's
                folder = report_folder(args.report_dir).claim()
                folder.withdraw()
            result = get_backend(args.engine).validate(
                submission, pack, fail_on=args.fail_on, show_pii=args.show_pii, sample_limit=args.sample_limit,
                failures_path=args.failures, memory_limit=args.memory_limit, previous_date=args.previous_date,
                waivers=waivers, calendar=args.calendar, tables=args.table, require_tables=args.require_tables,
                **_engine_options(args), **_progress_option(args))
        if baseline is not None:
            from .baseline import apply_baseline
            apply_baseline(result, baseline, tolerance)
        written = write_reports(result, args.report_dir, formats, folder) if folder else []
    finally:
        if folder:
            folder.release()
    with stdout_may_close():
        if to_stdout:
            from .report.json_report import dumps
            sys.stdout.write(dumps(result) + "\n")
        elif not args.quiet:
            for path in written:
                print(f"wrote {path}")
            render_console(result, sys.stdout, color=use_color(sys.stdout))
    for reason in result.verdict_reasons:
        print(f"jianhe: {reason}", file=sys.stderr)
    return 1 if result.verdict == "not_ready" else 0


def check_memory_limit(text: str | None) -> None:
    """--memory-limit as DuckDB takes it (2GB, 512MiB), checked before anything runs."""
    if text and not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", text):
        raise UsageError(f"--memory-limit must look like 2GB or 512MiB, not {text!r}")


def report_formats(asked: str | None, report_dir, known: list[str], default: str, document: str) -> list[str]:
    """The report formats asked for (``asked``, else ``default``), checked against ``known``; on stdout
    (``--report-dir -``) the JSON ``document`` alone. Asking for a format with nowhere to write it is a
    mistake, not a no-op. Shared by ``validate`` and ``reconcile``."""
    formats = [f.strip() for f in (asked or default).split(",") if f.strip()]
    unknown = [f for f in formats if f not in known]
    if unknown:
        raise UsageError(f"unknown report format(s): {', '.join(unknown)} (known: {', '.join(known)})")
    if report_dir == STDOUT:
        if asked is not None and formats != ["json"]:
            raise UsageError(f"--report-dir - writes {document} to stdout; other formats need a folder")
        return ["json"]
    if asked is not None and report_dir is None:
        raise UsageError(f"--format {asked} needs --report-dir DIR (or --report-dir - for {document} on stdout)")
    return formats


def use_color(stream) -> bool:
    """Colour on a terminal; NO_COLOR (any value) turns it off, FORCE_COLOR turns it on (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def _check_validate_outputs(args, report_names) -> None:
    """--report-dir and --failures: never on or inside an input, never the same file twice."""
    from .sources.warehouse import is_url
    inputs = [Input(option, Path(path)) for option, path in (
        ("the submission", None if is_url(args.submission) else args.submission), ("--baseline", args.baseline),
        ("--waivers", args.waivers), ("--calendar", args.calendar), ("--table-map", args.table_map)) if path]
    if args.report_dir:
        check_output("--report-dir", args.report_dir, inputs, folder=True)
    if args.failures:
        check_output("--failures", args.failures, inputs, folder=False)
        if args.report_dir:
            check_distinct({"--failures": args.failures,
                            **{f"the report {name}": Path(args.report_dir) / name for name in report_names}})


def _progress_option(args) -> dict:
    """Progress lines for the DuckDB engine (engine/progress.py decides when they are wanted)."""
    from .progress import Progress
    progress = Progress.for_cli(args.progress, quiet=args.quiet) if args.engine == "duckdb" else None
    return {"progress": progress} if progress else {}


def _engine_options(args) -> dict:
    """Options only the chosen engine takes (--spark-conf KEY=VALUE pairs checked here)."""
    if args.engine != "spark":
        if args.spark_master or args.spark_conf:
            raise UsageError("--spark-master and --spark-conf need --engine spark")
        return {}
    bad = [c for c in args.spark_conf if "=" not in c or not c.split("=", 1)[0].strip()]
    if bad:
        raise UsageError(f"--spark-conf must look like KEY=VALUE, not {bad[0]!r}")
    conf = dict(c.split("=", 1) for c in args.spark_conf)
    return {"spark_master": args.spark_master, "spark_conf": {k.strip(): v.strip() for k, v in conf.items()}}


def _gates(args, pack: RulePack):
    """Waivers and baseline are read before the run, so a bad file stops it at once (exit 2)."""
    waivers = baseline = tolerance = None
    if args.waivers:
        from .waivers import check_against, load_waivers
        waivers = check_against(load_waivers(args.waivers), pack)
    if args.baseline_tolerance is not None and not args.baseline:
        raise UsageError("--baseline-tolerance needs --baseline")
    if args.baseline:
        from .baseline import Tolerance, load_baseline
        tolerance = Tolerance.parse(args.baseline_tolerance)
        baseline = load_baseline(args.baseline)
    return waivers, baseline, tolerance


def cmd_rules(args) -> int:
    pack = _pack(args)
    table = _table_code(pack, args.table)
    if args.action == "diff":
        if len(args.args) != 2:
            raise UsageError("usage: jianhe rules diff <version> <version>")
        from . import changelog
        pack.at(args.args[0]), pack.at(args.args[1])  # unknown versions are usage errors
        print(changelog.render(changelog.diff(pack, *args.args), *args.args))
        return 0
    if args.action == "test":
        from . import conformance
        report = conformance.check(pack)
        for problem in report.problems:
            print(f"FAIL {problem}")
        for rule in report.untested:
            print(f"NO FIXTURE {rule}")
        print(f"{pack.name} {pack.version}: {report.checked} rules checked on their fixtures, "
              f"{len(report.problems)} problems, {len(report.untested)} without fixtures")
        return 0 if report.ok and not report.untested else 1
    if args.action == "coverage":
        from . import coverage
        with stdout_may_close():
            print(coverage.render(coverage.load_coverage(pack), args.output))
        return 0
    if args.action == "show":
        if len(args.args) != 1:
            raise UsageError("usage: jianhe rules show <rule id> [--table T]")
        from .changelog import canonical_id  # an old id of a renamed rule shows the rule
        return _show_rule(pack, canonical_id(pack, args.args[0]), table)
    rules = [r for r in pack.rules if (table is None or r.table == table) and (args.kind is None or r.kind == args.kind)]
    if args.count:
        _print_counts(pack, rules)
        return 0
    for r in rules:
        print(f"{r.id:<32} {r.table:<10} {r.kind:<15} {SEVERITY_ZH[r.severity]}  {r.message_zh}")
    print(f"{len(rules)} rules", file=sys.stderr)
    return 0


def _show_rule(pack: RulePack, rule_id: str, table: str | None) -> int:
    plan = build_plan(pack, tables=[table] if table else None)
    matches = [e for e in plan.entries if e.rule.id == rule_id and (table is None or e.rule.table == table)]
    if not matches and _show_retired(pack, rule_id, table):
        return 0
    if not matches:
        raise UsageError(f"no rule with id '{rule_id}'" + (f" in table {table}" if table else "")
                         + f" in {pack.name} {pack.version}")
    for entry in matches:
        r = entry.rule
        history = "; ".join(f"{c['version']} {'retired' if c.get('retire') else 'changed'}: {c.get('reason', '')}"
                            for c in r.changes) or "-"
        print(f"id:        {r.id} ({r.number_kind})\ntable:     {r.table} {pack.catalog.tables[r.table].name}\n"
              f"kind:      {r.kind}\nfield:     {r.field or '-'}\nseverity:  {r.severity} {SEVERITY_ZH[r.severity]}\n"
              f"category:  {r.category}\nwhen:      {r.when or '-'}\nparams:    {r.params or '-'}\n"
              f"message:   {r.message_zh}\n           {r.message_en}\norigin:    {r.origin} {r.source or ''}\n"
              f"history:   since {r.since or pack.versions[0]['id']}; {history}\n"
              f"sql:\n{rule_sql(plan, entry)}\n")
    return 0


def _show_retired(pack: RulePack, rule_id: str, table: str | None) -> bool:
    """A rule not active in this version: say when it was retired (or from which version it applies)."""
    found = [r for r in pack.base_rules if r.id == rule_id and (table is None or r.table == table)]
    for r in found:
        retired = next((c for c in r.changes if c.get("retire")), None)
        state = (f"retired in {retired['version']}: {retired.get('reason', '')}".rstrip(": ") if retired
                 else f"not yet in {pack.version}: applies from {r.since}")
        history = "; ".join(f"{c['version']} {'retired' if c.get('retire') else 'changed'}: {c.get('reason', '')}"
                            for c in r.changes) or "-"
        print(f"id:        {r.id} ({r.number_kind})\ntable:     {r.table} {pack.catalog.tables[r.table].name}\n"
              f"kind:      {r.kind}\nfield:     {r.field or '-'}\nstatus:    {state}\n"
              f"history:   since {r.since or pack.versions[0]['id']}; {history}\n"
              + (f"message:   {r.message_zh}\n           {r.message_en}\n" if r.message_zh else ""))
    return bool(found)


def _print_counts(pack: RulePack, rules) -> None:
    from collections import Counter
    tables = {r.table for r in rules}
    print(f"{pack.name} {pack.version}: {len(rules)} active rules over {len(tables)} tables")
    for label, counter in (("category", Counter(r.category for r in rules)),
                           ("severity", Counter(SEVERITY_ZH[r.severity] for r in rules)),
                           ("kind", Counter(r.kind for r in rules)), ("origin", Counter(r.origin for r in rules))):
        print(f"  by {label}: " + ", ".join(f"{k} {v}" for k, v in counter.most_common()))


def cmd_compile(args) -> int:
    pack = _pack(args)
    table = _table_code(pack, args.table)
    plan = build_plan(pack, tables=[table])
    tp = plan.tables[table]
    print(f"-- {table} {tp.table.name}: {len(tp.row_rules)} row rules fused into one scan")
    print(tp.fused_sql + ";")
    for entry in tp.set_rules:
        print(f"\n-- set rule {entry.rule.id} ({entry.rule.kind})")
        print(rule_sql(plan, entry) + ";")
    return 0


def cmd_init(args) -> int:
    from . import scaffold
    fields = [f.strip() for f in args.fields.split(",") if f.strip()] if args.fields else None
    result = scaffold.scaffold(args.sample, args.table, args.name, args.out, fields)
    print("\n".join(scaffold.summary(result)))
    _, failed = scaffold.self_check(result, args.sample, fields)
    for r in failed:
        print(f"warning: the sample fails {r.id} ({r.failed} rows): {r.message_zh}", file=sys.stderr)
    print(f"check: jianhe validate <folder with the table's files> --pack {result.pack_dir}"
          + ("" if failed else "  (the sample passes every rule)"))
    return 0


def cmd_export(args) -> int:
    """Write the suites; list on stdout what each holds and every rule left out, with the reason."""
    from .export.gx import write_suites
    pack = _pack(args)
    suites = write_suites(pack, args.out, args.table)
    for suite in suites:
        rules = len({e["meta"]["rule_id"] for e in suite.expectations})
        print(f"{suite.table.code} {suite.table.name}: {rules} rules as {len(suite.expectations)} expectations, "
              f"{len(suite.not_exported)} not expressible in GX")
        for item in suite.not_exported:
            print(f"  not exported: {item['rule']} ({item['kind']}): {item['reason']}")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def cmd_lint(args) -> int:
    from .lint import lint
    findings = lint(args.pack or default_pack())
    for finding in findings:
        print(finding)
    print(f"{len(findings)} finding(s)", file=sys.stderr)
    return 1 if findings else 0


COMMANDS = {"validate": cmd_validate, "rules": cmd_rules, "compile": cmd_compile, "reconcile": reconcile_cli.handle,
            "survey": survey_cli.handle, "history": history_cli.handle,
            "init": cmd_init, "lint": cmd_lint, "export": cmd_export}

if __name__ == "__main__":
    sys.exit(main())
