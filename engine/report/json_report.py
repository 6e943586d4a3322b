"""JSON report: ``report.json``, the document described by reports/result.schema.json."""
from __future__ import annotations

import json
from pathlib import Path

from ..results import RunResult

FILENAME = "report.json"


def dumps(result: RunResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def render(result: RunResult, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILENAME
    path.write_text(dumps(result), encoding="utf-8")
    return path
