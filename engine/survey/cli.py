"""``jianhe survey``: many institutions' batches in one run — each batch its own report folder,
verdict and manifest, plus one cross-submission summary (survey.json / .html / .xlsx) ranking them.

Exit codes: 0 every batch ready · 1 a batch not ready, or one that could not be checked (listed in
the summary; the others are checked all the same) · 2 usage or rule-file error · 3 no batch could
be checked, or the summary could not be written.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from ..errors import DataReadError, UsageError

FORMATS = ("json", "html", "xlsx")
BATCH_FORMATS = ("json", "html", "junit", "xlsx", "sarif")
DEFAULT_PACK = "east5_core"


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("survey", help="check many institutions' batches at once and rank them "
                                             "(监管抽查: one summary across submissions)")
    p.add_argument("folder", type=Path, help="folder of batches: one sub-folder per batch, or files named "
                                             "<licence>-<TABLE>-<YYYYMMDD>.txt grouped by licence and date")
    p.add_argument("--report-dir", "-o", type=Path, required=True,
                   help="writes survey.{json,html,xlsx} and batches/<licence>-<date>/ (each batch's own reports)")
    p.add_argument("--format", default=",".join(FORMATS), help=f"summary formats: {', '.join(FORMATS)}")
    p.add_argument("--batch-format", default="json,html",
                   help=f"each batch's report formats: {', '.join(BATCH_FORMATS)} (a manifest is always written)")
    p.add_argument("--pack", default=DEFAULT_PACK, help=f"rule pack folder or name (default {DEFAULT_PACK})")
    p.add_argument("--pack-version", default=None, help="pack version to apply (default: the latest)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="override a pack parameter")
    p.add_argument("--fail-on", choices=("strong", "weak", "info", "none"), default="strong",
                   help="a batch is not ready when a rule of this severity or above fails (default strong)")
    p.add_argument("--previous-date", default=None, help="previous 采集日期 YYYYMMDD, for the scope checks")
    p.add_argument("--jobs", "-j", type=int, default=None, help="batches checked at once (default: CPU cores)")
    p.add_argument("--memory-limit", default=None,
                   help="DuckDB memory for the whole run, e.g. 4GB: split evenly across the parallel batches")
    p.add_argument("--sample-rows", type=int, default=None, metavar="N",
                   help="spot check: row rules on N random rows of each table (set rules on every row)")
    p.add_argument("--sample-fraction", type=float, default=None, metavar="P",
                   help="spot check: row rules on a fraction P (0 < P < 1) of each table's rows")
    p.add_argument("--seed", type=int, default=0, help="seed of the spot-check sample (same seed, same rows)")
    p.add_argument("--quiet", action="store_true", help="no console summary")
    return p


def handle(args) -> int:
    from ..cli import check_memory_limit, stdout_may_close
    from ..outputs import Input, check_output, parse_date
    from ..parameters import parse_override
    from ..report.folder import ReportFolder
    from ..ruleset import load_pack
    from . import model
    from .discover import discover
    from .render import RENDERERS, write_summary
    from .run import RunOptions, plan_workers, run_batches

    formats = _formats(args.format, FORMATS, "--format")
    batch_formats = _formats(args.batch_format, BATCH_FORMATS, "--batch-format")
    check_memory_limit(args.memory_limit)
    parse_date("--previous-date", args.previous_date)
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    sample = _sample(args)
    check_output("--report-dir", args.report_dir, [Input("the survey folder", args.folder)], folder=True)
    found = discover(args.folder)
    if not found.batches:
        raise DataReadError(f"no batches in {args.folder}: expected sub-folders or files named "
                            "<licence>-<TABLE>-<YYYYMMDD>.txt")
    params = tuple(parse_override(p) for p in args.param)
    pack = load_pack(args.pack, args.pack_version, dict(params) or None)  # a bad pack stops here, exit 2
    workers, per_worker = plan_workers(len(found.batches), args.jobs, args.memory_limit)
    options = RunOptions(pack=str(args.pack), pack_version=args.pack_version, params=params, fail_on=args.fail_on,
                         previous_date=args.previous_date, formats=tuple(batch_formats), memory_limit=per_worker,
                         sample=sample)
    folder = ReportFolder(args.report_dir, lambda _: [RENDERERS[f].FILENAME for f in FORMATS]).claim()
    try:
        folder.withdraw()
        started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        started = time.perf_counter()
        progress = _progress(args.quiet, len(found.batches))
        outcomes = run_batches(found.batches, args.report_dir, options, workers, on_done=progress)
        summary = model.build(outcomes, folder=str(args.folder), pack={"name": pack.name, "version": pack.version},
                              options={"fail_on": args.fail_on, "batch_formats": batch_formats, "workers": workers,
                                       "memory_limit_per_worker": per_worker, "previous_date": args.previous_date,
                                       "sampling": sample},
                              started_at=started_at, duration_s=time.perf_counter() - started, ignored=found.ignored)
        written = write_summary(summary, formats, folder)
    finally:
        folder.release()
    with stdout_may_close():
        if not args.quiet:
            for path in written:
                print(f"wrote {path}")
            _console(summary)
    return model.exit_code(summary)


def _formats(text: str, known: tuple[str, ...], option: str) -> list[str]:
    formats = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in formats if f not in known]
    if unknown or not formats:
        raise UsageError(f"{option}: unknown format(s) {', '.join(unknown) or '(none given)'} (known: {', '.join(known)})")
    return formats


def _sample(args) -> dict | None:
    """The spot-check request, or None: a number of rows or a fraction, never both."""
    if args.sample_rows is None and args.sample_fraction is None:
        return None
    if args.sample_rows is not None and args.sample_fraction is not None:
        raise UsageError("give --sample-rows or --sample-fraction, not both")
    if args.sample_rows is not None and args.sample_rows < 1:
        raise UsageError("--sample-rows must be at least 1")
    if args.sample_fraction is not None and not 0 < args.sample_fraction < 1:
        raise UsageError("--sample-fraction must be between 0 and 1 (exclusive)")
    return {"rows": args.sample_rows, "fraction": args.sample_fraction, "seed": args.seed}


def _progress(quiet: bool, total: int):
    done = [0]

    def report(outcome) -> None:
        done[0] += 1
        if quiet:
            return
        state = outcome.verdict or f"unreadable: {outcome.error}"
        print(f"[{done[0]}/{total}] {outcome.label}: {state} ({outcome.duration_s:.1f} s)", file=sys.stderr)
    return report


def _console(summary: dict) -> None:
    t = summary["totals"]
    print(f"检核汇总 survey: {t['batches']} batches — ready {t['ready']}, not ready {t['not_ready']}, "
          f"unreadable {t['unreadable']}; rows {t['rows']:,}, findings {t['findings']:,}")
    for inst in summary["institutions"]:
        if inst["verdict"] == "unreadable":
            print(f"  --  {inst['label']:<26} unreadable: {inst['error']}")
        else:
            print(f"  {inst['rank']:>2}  {inst['label']:<26} {inst['verdict']:<9} {inst['findings_per_10k']:>10.1f} "
                  f"per 10k rows  findings {inst['findings']:,}  rules failed {inst['rules_failed']}")
