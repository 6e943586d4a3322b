"""``survey.json``: the cross-submission summary, as described by engine/schemas/survey.schema.json."""
from __future__ import annotations

import json
from pathlib import Path

from ..report.common import write_text

FILENAME = "survey.json"


def dumps(summary: dict) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"


def render(summary: dict, out_dir: Path) -> Path:
    return write_text(out_dir, FILENAME, dumps(summary))
