"""Find the files of a submission and which table each holds.

EAST text files: ``<licence>-<TABLECODE>-<YYYYMMDD>.txt``. CSV (with header) and Parquet
files are named ``<TABLECODE>.csv`` / ``<TABLECODE>.parquet`` (or with the EAST-style name).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataReadError
from ..spec import Catalog
from .findings import FileFinding

EAST_NAME = re.compile(r"^(?P<licence>[A-Za-z0-9]+)-(?P<code>[A-Z0-9_]+)-(?P<date>\d{8})\.(?P<ext>txt|csv|parquet)$")
PLAIN_NAME = re.compile(r"^(?P<code>[A-Z][A-Z0-9_]*)\.(?P<ext>csv|parquet)$")
EXTENSIONS = {".txt", ".csv", ".parquet"}


@dataclass(frozen=True)
class SourceFile:
    path: Path
    table: str
    format: str  # east | csv | parquet
    collection_date: str | None = None
    licence: str | None = None


def discover(root: Path, catalog: Catalog) -> tuple[list[SourceFile], list[FileFinding]]:
    root = Path(root)
    if not root.exists():
        raise DataReadError(f"submission not found: {root}")
    paths = [root] if root.is_file() else sorted(p for p in root.iterdir() if p.is_file() and p.suffix.lower() in EXTENSIONS)
    if not paths:
        raise DataReadError(f"no .txt, .csv or .parquet files in {root}")
    files: list[SourceFile] = []
    findings: list[FileFinding] = []
    for path in paths:
        m = EAST_NAME.match(path.name) or PLAIN_NAME.match(path.name)
        if not m:
            findings.append(FileFinding("FILE.NAME", "*", path.name))
            continue
        code = m["code"]
        if catalog.table(code) is None:
            findings.append(FileFinding("FILE.UNKNOWN_TABLE", "*", path.name, value=code))
            continue
        ext = m["ext"]
        fmt = "east" if ext == "txt" else ext
        gd = m.groupdict()
        files.append(SourceFile(path, code, fmt, gd.get("date"), gd.get("licence")))
    findings += _batch_checks(files)
    return files, findings


def _batch_checks(files: list[SourceFile]) -> list[FileFinding]:
    findings = []
    seen: dict[str, SourceFile] = {}
    for f in files:
        if f.table in seen:
            findings.append(FileFinding("FILE.DUPLICATE", f.table, f.path.name, value=f"also {seen[f.table].path.name}"))
        seen.setdefault(f.table, f)
    dates = sorted({f.collection_date for f in files if f.collection_date})
    if len(dates) > 1:
        first = files[0].collection_date
        for f in files:
            if f.collection_date and f.collection_date != first:
                findings.append(FileFinding("FILE.BATCH_DATE", f.table, f.path.name, value=f"{f.collection_date} ≠ {first}"))
    return findings
