"""Run manifest: ``manifest.json`` — inputs with sizes and SHA-256, pack and its hash, engine
versions, options, waivers and timings, so a run can be reproduced and audited."""
from __future__ import annotations

import json
from pathlib import Path

from ..results import RunResult
from .common import write_text

FILENAME = "manifest.json"


def render(result: RunResult, out_dir: Path) -> Path:
    return write_text(out_dir, FILENAME, json.dumps(result.manifest_dict(), ensure_ascii=False, indent=2) + "\n")
