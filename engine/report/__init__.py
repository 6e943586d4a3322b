"""Report renderers: every renderer reads one :class:`engine.results.RunResult`.

``RENDERERS`` maps a ``--format`` name to ``render(result, out_dir) -> Path``; each writes exactly
one file into ``out_dir`` (created if missing) and returns its path. Adding a format = one module
exposing ``render`` + one line below. The console summary is separate (it writes to a stream).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..results import RunResult
from . import html, json_report, junit, manifest, sarif, xlsx
from .console import render_console
from .folder import ReportFolder

Renderer = Callable[[RunResult, Path], Path]

RENDERERS: dict[str, Renderer] = {
    "json": json_report.render,
    "html": html.render,
    "junit": junit.render,
    "manifest": manifest.render,
    "xlsx": xlsx.render,
    "sarif": sarif.render,
}
FILENAMES = {name: module.FILENAME for name, module in
             (("json", json_report), ("html", html), ("junit", junit), ("manifest", manifest), ("xlsx", xlsx),
                                         ("sarif", sarif))}


def report_folder(out_dir: Path) -> ReportFolder:
    """The folder ``validate`` writes into, claimed for one run (see engine/report/folder.py)."""
    return ReportFolder(out_dir, lambda _: FILENAMES.values())


def write_reports(result: RunResult, out_dir: Path, formats: list[str], folder: ReportFolder | None = None) -> list[Path]:
    """Render into a hidden folder, then rename each file into place: no half-written report is
    ever visible under its final name, and only files jianhe wrote are replaced. The manifest is
    always written. ``folder``: one the caller already claimed (the CLI claims it before the run)."""
    names = list(dict.fromkeys([*formats, "manifest"]))

    def render(staging: Path) -> list[Path]:
        return [RENDERERS[name](result, staging) for name in names]

    if folder is not None:
        return folder.publish(render)
    with report_folder(out_dir) as claimed:
        return claimed.publish(render)


__all__ = ["FILENAMES", "RENDERERS", "Renderer", "ReportFolder", "render_console", "report_folder", "write_reports"]
