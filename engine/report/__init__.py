"""Report renderers: every renderer reads one :class:`engine.results.RunResult`.

``RENDERERS`` maps a ``--format`` name to ``render(result, out_dir) -> Path``; each writes exactly
one file into ``out_dir`` (created if missing) and returns its path. Adding a format = one module
exposing ``render`` + one line below. The console summary is separate (it writes to a stream).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..results import RunResult
from . import html, json_report, junit
from .console import render_console

Renderer = Callable[[RunResult, Path], Path]

RENDERERS: dict[str, Renderer] = {
    "json": json_report.render,
    "html": html.render,
    "junit": junit.render,
}

__all__ = ["RENDERERS", "Renderer", "render_console"]
