"""Report renderers: every renderer reads one :class:`engine.results.RunResult`.

``RENDERERS`` maps a ``--format`` name to ``render(result, out_dir) -> Path``; each writes exactly
one file into ``out_dir`` (created if missing) and returns its path. Adding a format = one module
exposing ``render`` + one line below. The console summary is separate (it writes to a stream).
"""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..results import RunResult
from . import html, json_report, junit, manifest, sarif, xlsx
from .console import render_console

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


def clear_reports(out_dir: Path) -> None:
    """Remove reports of an earlier run before a new one starts, so an interrupted run leaves none."""
    for name in FILENAMES.values():
        (Path(out_dir) / name).unlink(missing_ok=True)


def write_reports(result: RunResult, out_dir: Path, formats: list[str]) -> list[Path]:
    """Render into a hidden folder, then rename each file into place: no half-written report is
    ever visible under its final name. The manifest is always written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".jianhe-", dir=out_dir))
    try:
        rendered = [RENDERERS[name](result, staging) for name in dict.fromkeys([*formats, "manifest"])]
        final = []
        for path in rendered:
            os.replace(path, out_dir / path.name)
            final.append(out_dir / path.name)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)


__all__ = ["FILENAMES", "RENDERERS", "Renderer", "clear_reports", "render_console", "write_reports"]
