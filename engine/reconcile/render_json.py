"""``reconcile.json``: the document described by reports/reconcile.schema.json."""
from __future__ import annotations

from pathlib import Path

import orjson

from ..report.common import write_bytes
from .gc_pause import gc_paused
from .model import ReconcileResult

FILENAME = "reconcile.json"


def dumps(result: ReconcileResult) -> bytes:
    """Compact UTF-8 JSON. orjson writes the 10⁵ findings of a large run about nine times as fast as
    the standard library's C encoder, and serialises the model's dataclasses in field order itself."""
    with gc_paused():
        return orjson.dumps(result.to_dict(), option=orjson.OPT_APPEND_NEWLINE)


def render(result: ReconcileResult, out_dir: Path) -> list[Path]:
    return [write_bytes(out_dir, FILENAME, dumps(result))]
