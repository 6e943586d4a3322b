"""JSON report: ``report.json``, the document described by reports/result.schema.json."""
from __future__ import annotations

import json
from pathlib import Path

from ..results import RunResult
from .common import write_text

FILENAME = "report.json"


def dumps(result: RunResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def render(result: RunResult, out_dir: Path) -> Path:
    return write_text(out_dir, FILENAME, dumps(result))
