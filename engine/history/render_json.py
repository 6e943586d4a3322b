"""``history.json``: quality over time, as described by engine/schemas/history.schema.json."""
from __future__ import annotations

import json
from pathlib import Path

from ..report.common import write_text

FILENAME = "history.json"


def render(history: dict, out_dir: Path) -> Path:
    return write_text(out_dir, FILENAME, json.dumps(history, ensure_ascii=False, indent=2) + "\n")
