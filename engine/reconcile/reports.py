"""Write the reconciliation reports: ``reconcile.json``, ``reconcile.html`` and one
``feedback/<recipient>.xlsx`` per recipient.

Like ``validate``'s reports they are rendered into a hidden staging folder and renamed into
place, so no half-written report is ever visible; reports of an earlier run are removed first.
Adding a format = one module with ``render(result, out_dir) -> list[Path]`` + one line below.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import render_html, render_json, render_xlsx
from .model import ReconcileResult

Renderer = Callable[[ReconcileResult, Path], list[Path]]

RENDERERS: dict[str, Renderer] = {
    "json": render_json.render,
    "html": render_html.render,
    "xlsx": render_xlsx.render,
}


def clear_reports(out_dir: Path) -> None:
    """Remove the files an earlier run wrote (and only those)."""
    out_dir = Path(out_dir)
    for name in (render_json.FILENAME, render_html.FILENAME):
        (out_dir / name).unlink(missing_ok=True)
    feedback = out_dir / render_xlsx.FOLDER
    if feedback.is_dir():
        for path in feedback.glob("*.xlsx"):
            path.unlink()
        if not any(feedback.iterdir()):
            feedback.rmdir()


def write_reports(result: ReconcileResult, out_dir: Path, formats: list[str]) -> list[Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".jianhe-", dir=out_dir))
    try:
        written: list[Path] = []
        for name in dict.fromkeys(formats):
            written += RENDERERS[name](result, staging)
        final = []
        for path in written:
            target = out_dir / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
            final.append(target)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
