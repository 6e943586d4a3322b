"""``jianhe history``: quality over time from past reports (report.json files, or folders of them —
a survey's report folder, a folder of validate runs), per institution and period.

Exit codes: 0 written · 2 usage error · 3 no report could be read, or the pages could not be written.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from ..errors import DataReadError, UsageError

FORMATS = ("json", "html")


def register(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("history", help="quality over time from past reports: per period and institution, "
                                              "rules new / fixed / recurring, trends (质量趋势)")
    p.add_argument("paths", nargs="+", type=Path, help="report.json files, or folders searched for them "
                                                       "(survey report folders, folders of validate runs)")
    p.add_argument("--report-dir", "-o", type=Path, required=True, help="writes history.json and history.html")
    p.add_argument("--format", default=",".join(FORMATS), help=f"comma-separated: {', '.join(FORMATS)}")
    p.add_argument("--institution", action="append", default=None, metavar="LICENCE",
                   help="only this institution (金融许可证号; repeatable)")
    p.add_argument("--quiet", action="store_true", help="no console summary")
    return p


def handle(args) -> int:
    from ..cli import stdout_may_close
    from ..outputs import Input, check_output
    from ..report.folder import ReportFolder
    from . import model, render_html, render_json
    from .load import load

    renderers = {"json": render_json, "html": render_html}
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = [f for f in formats if f not in renderers]
    if unknown or not formats:
        raise UsageError(f"unknown format(s) {', '.join(unknown) or '(none given)'} (known: {', '.join(FORMATS)})")
    check_output("--report-dir", args.report_dir, [Input("a report path", p) for p in args.paths], folder=True)
    loaded = load(args.paths)
    if args.institution:
        wanted = set(args.institution)
        loaded.reports = [r for r in loaded.reports if r.licence in wanted]
    if not loaded.reports:
        why = "; ".join(f"{p}: {w}" for p, w in loaded.skipped[:3])
        raise DataReadError(f"no jianhe report.json found under {', '.join(map(str, args.paths))}"
                            + (f" ({why})" if why else ""))
    history = model.build(loaded, sources=[str(p) for p in args.paths],
                          generated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    with ReportFolder(args.report_dir, lambda _: [renderers[f].FILENAME for f in FORMATS]) as folder:
        written = folder.publish(lambda staging: [renderers[f].render(history, staging) for f in formats])
    with stdout_may_close():
        if not args.quiet:
            for path in written:
                print(f"wrote {path}")
            _console(history)
    return 0


def _console(history: dict) -> None:
    periods = [p["period"] for p in history["periods"]]
    print(f"质量趋势 history: {len(history['institutions'])} institutions, periods {', '.join(periods)}")
    for inst in history["institutions"]:
        values = " → ".join(f"{p['findings_per_10k']:.1f}" for p in inst["periods"])
        last = inst["periods"][-1]
        print(f"  {inst['licence']:<18} {inst['trend']:<10} per 10k rows {values}  "
              f"(last: new {len(last['new'])}, fixed {len(last['fixed'])}, recurring {len(last['recurring'])})")
    if history["skipped"]:
        print(f"  {len(history['skipped'])} report(s) not read (listed in the pages)")
