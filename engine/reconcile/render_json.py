"""``reconcile.json``: the document described by reports/reconcile.schema.json."""
from __future__ import annotations

import json
from pathlib import Path

from ..report.common import write_text
from .model import ReconcileResult

FILENAME = "reconcile.json"


def dumps(result: ReconcileResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=1) + "\n"


def render(result: ReconcileResult, out_dir: Path) -> list[Path]:
    return [write_text(out_dir, FILENAME, dumps(result))]
