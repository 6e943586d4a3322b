"""``jianhe reconcile``: the two-sided reconciliation of a debt-platform folder.

Exit codes as ``validate``: 0 everything matched · 1 differences (or records that could not be
read, or a rule that could not run) · 2 usage or rule-file error · 3 the data could not be read.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import DataReadError, UsageError

DEFAULT_PACK = "debt_platform"


def formats() -> list[str]:
    """The report formats: the keys of the renderer registry (engine/reconcile/reports.py)."""
    from .reports import RENDERERS
    return list(RENDERERS)


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("reconcile", help="reconcile debt-side records with creditor / registry records "
                                                "(债务监测平台对账)")
    p.add_argument("folder", type=Path, help="this month's folder (both sides' tables)")
    p.add_argument("--pack", default=DEFAULT_PACK, help=f"rule pack with reconcile rules (default {DEFAULT_PACK})")
    p.add_argument("--pack-version", default=None, help="pack version to apply (default: the latest)")
    p.add_argument("--previous", type=Path, default=None, metavar="DIR",
                   help="last month's agreed data: report new/changed/settled/vanished debts and reconcile only those")
    p.add_argument("--replies", type=Path, default=None, metavar="DIR",
                   help="the recipients' returned feedback workbooks (last month's feedback folder): each difference "
                        "carries its status (待确认/已确认/有异议) and replies; read from its own folder, never the report folder")
    p.add_argument("--report-dir", default=None, help="write reconcile.json, reconcile.html, feedback/*.xlsx; '-' writes "
                                                      "reconcile.json to stdout (and nothing else)")
    p.add_argument("--format", default=None, help=f"comma-separated: {', '.join(formats())} (default all)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="override a pack parameter (a threshold declared in pack.yaml), e.g. conceal_min_balance=1000000")
    p.add_argument("--set", action="append", default=[], metavar="[RULE:]PATH=VALUE", dest="overrides",
                   help="override any parameter of the reconcile rules, e.g. compare.RATE.abs=0.05 or "
                        "DP.RECON.LOAN:balance.rel=0")
    p.add_argument("--memory-limit", default=None, help="DuckDB memory limit, e.g. 2GB")
    p.add_argument("--quiet", action="store_true", help="no console summary")
    return p


def handle(args) -> int:
    from ..cli import STDOUT, check_memory_limit, report_formats, stdout_may_close
    from ..outputs import Input, check_output
    from ..parameters import parse_override
    from ..ruleset import load_pack
    from .console import render_console
    from .reports import report_folder, write_reports
    from .run import reconcile_submission

    names = report_formats(args.format, args.report_dir, formats(), ",".join(formats()), "reconcile.json")
    to_stdout = args.report_dir == STDOUT
    args.report_dir = None if args.report_dir in (None, STDOUT) else Path(args.report_dir)
    check_memory_limit(args.memory_limit)
    if args.previous is not None and not args.previous.is_dir():
        raise UsageError(f"--previous must be a folder: {args.previous}")
    if args.replies is not None and not args.replies.is_dir():
        raise UsageError(f"--replies must be a folder (the returned feedback workbooks): {args.replies}")
    if args.report_dir:
        inputs = [Input("the folder", args.folder)] + ([Input("--previous", args.previous)] if args.previous else [])
        inputs += [Input("--replies", args.replies)] if args.replies else []
        check_output("--report-dir", args.report_dir, inputs, folder=True)
        if args.replies and _within(args.report_dir, args.replies):
            raise UsageError(f"--replies {args.replies} is inside --report-dir {args.report_dir}: the report folder's "
                             f"workbooks are jianhe's own and replaced by each run; put the returned workbooks in a "
                             f"folder of their own")
    if not Path(args.folder).is_dir():  # before the report folder is touched
        raise DataReadError(f"folder not found: {args.folder}")
    pack = load_pack(args.pack, args.pack_version, dict(parse_override(p) for p in args.param) or None)
    folder = report_folder(args.report_dir).claim() if args.report_dir else None
    try:
        if folder:  # from here on, an earlier run's report must not pass for this run's
            folder.withdraw()
        result = reconcile_submission(args.folder, pack, previous=args.previous, overrides=args.overrides,
                                      memory_limit=args.memory_limit, replies=args.replies)
        written = write_reports(result, args.report_dir, names, folder) if folder else []
    finally:
        if folder:
            folder.release()
    with stdout_may_close():
        if to_stdout:
            from .render_json import dumps
            sys.stdout.flush()
            sys.stdout.buffer.write(dumps(result) + b"\n")
        elif not args.quiet:
            shown = [p for p in written if p.suffix != ".xlsx"]
            for path in shown:
                print(f"wrote {path}")
            if len(written) > len(shown):
                print(f"wrote {len(written) - len(shown)} feedback workbook(s) in {Path(args.report_dir) / 'feedback'}")
            render_console(result, sys.stdout)
    return 0 if result.verdict == "matched" else 1


def _within(outer: Path, inner: Path) -> bool:
    """``inner`` is ``outer`` or inside it (resolved paths)."""
    try:
        a, b = Path(outer).resolve(), Path(inner).resolve()
    except OSError:
        return False
    return b == a or a in b.parents
