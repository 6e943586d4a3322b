"""``reconcile.json``: the document described by reports/reconcile.schema.json."""
from __future__ import annotations

import json
from pathlib import Path

from ..report.common import write_text
from .gc_pause import gc_paused
from .model import ReconcileResult

FILENAME = "reconcile.json"


def dumps(result: ReconcileResult) -> str:
    """Compact (the C encoder: indenting takes the pure-Python one, several times slower on 10⁵ findings)."""
    with gc_paused():
        return json.dumps(result.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"


def render(result: ReconcileResult, out_dir: Path) -> list[Path]:
    return [write_text(out_dir, FILENAME, dumps(result))]
