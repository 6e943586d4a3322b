"""The summary's renderers (``--format`` name → module with FILENAME and render(summary, out_dir)),
published together through the claimed report folder: no half-written summary is ever visible."""
from __future__ import annotations

from pathlib import Path

from ..report.folder import ReportFolder
from . import render_html, render_json, render_xlsx

RENDERERS = {"json": render_json, "html": render_html, "xlsx": render_xlsx}


def write_summary(summary: dict, formats: list[str], folder: ReportFolder) -> list[Path]:
    return folder.publish(lambda staging: [RENDERERS[name].render(summary, staging) for name in formats])
