"""What every generating tool here does last: write its files, or with ``--check`` compare them and say which
are stale (the tests run each tool with ``--check`` so a hand edit of a generated file is caught)."""
from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(files: dict[Path, str], check: bool, tool: str) -> int:
    """Write ``files`` (path -> text), or with ``check`` write nothing and return 1 when any differs."""
    if check:
        stale = [p for p, text in files.items() if not p.exists() or p.read_text("utf-8") != text]
        for p in stale:
            print(f"{p} is not current: run {Path(tool).name}", file=sys.stderr)
        return 1 if stale else 0
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return 0
