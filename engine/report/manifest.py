"""Run manifest: ``manifest.json`` — inputs with sizes and SHA-256, pack and its hash, engine
versions, options, waivers and timings, so a run can be reproduced and audited."""
from __future__ import annotations

import json
from pathlib import Path

from ..results import RunResult

FILENAME = "manifest.json"


def render(result: RunResult, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILENAME
    path.write_text(json.dumps(result.manifest_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
