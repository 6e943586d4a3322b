"""Write the reconciliation reports: ``reconcile.json``, ``reconcile.html`` and one
``feedback/<recipient>.xlsx`` per recipient.

Like ``validate``'s reports they are rendered into a hidden staging folder and renamed into
place, so no half-written report is ever visible; only files jianhe wrote are replaced
(engine/report/folder.py).
Adding a format = one module with ``render(result, out_dir) -> list[Path]`` + one line below.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..report.folder import ReportFolder
from . import render_html, render_json, render_xlsx
from .model import ReconcileResult

Renderer = Callable[[ReconcileResult, Path], list[Path]]

RENDERERS: dict[str, Renderer] = {
    "json": render_json.render,
    "html": render_html.render,
    "xlsx": render_xlsx.render,
}


def _names(out_dir: Path) -> list[str]:
    """Every report name in the folder: the two reports and each feedback workbook."""
    feedback = sorted(p.relative_to(out_dir).as_posix() for p in (out_dir / render_xlsx.FOLDER).glob("*.xlsx"))
    return [render_json.FILENAME, render_html.FILENAME, *feedback]


def report_folder(out_dir: Path) -> ReportFolder:
    """The folder ``reconcile`` writes into, claimed for one run (see engine/report/folder.py)."""
    return ReportFolder(out_dir, _names)


def write_reports(result: ReconcileResult, out_dir: Path, formats: list[str],
                  folder: ReportFolder | None = None) -> list[Path]:
    """Render into a hidden folder and rename into place; only files jianhe wrote are replaced."""
    def render(staging: Path) -> list[Path]:
        written: list[Path] = []
        for name in dict.fromkeys(formats):
            written += RENDERERS[name](result, staging)
        return written

    if folder is not None:
        return folder.publish(render)
    with report_folder(out_dir) as claimed:
        return claimed.publish(render)
