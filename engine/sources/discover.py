"""Find the files of a submission and which table each holds.

EAST text files: ``<licence>-<TABLECODE>-<YYYYMMDD>.txt``. CSV (with header) and Parquet
files are named ``<TABLECODE>.csv`` / ``<TABLECODE>.parquet`` (or with the EAST-style name).
An entry named like one that is not a regular file — a directory, a FIFO, a dangling symbolic
link — is a finding (FILE.UNREADABLE when it names a table) and is never opened: reading a FIFO
would wait forever.
"""
from __future__ import annotations

import re
import stat
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
    entries = submission_entries(root)
    if not entries:
        raise DataReadError(f"no .txt, .csv or .parquet files in {root}")
    files: list[SourceFile] = []
    findings: list[FileFinding] = []
    for path, why in entries:
        m = EAST_NAME.match(path.name) or PLAIN_NAME.match(path.name)
        if not m:
            findings.append(FileFinding("FILE.NAME", "*", path.name, value=why and f"not a regular file but {why}"))
            continue
        code = m["code"]
        if catalog.table(code) is None:
            findings.append(FileFinding("FILE.UNKNOWN_TABLE", "*", path.name, value=code))
            continue
        if why:
            findings.append(FileFinding("FILE.UNREADABLE", code, path.name, None,
                                        f"{path.name}: not a regular file but {why}; not read"))
            continue
        ext = m["ext"]
        fmt = "east" if ext == "txt" else ext
        gd = m.groupdict()
        files.append(SourceFile(path, code, fmt, gd.get("date"), gd.get("licence")))
    findings += _batch_checks(files)
    return files, findings


def submission_entries(root: Path) -> list[tuple[Path, str | None]]:
    """The entries of a submission named like data files, sorted, each with why it is not a regular
    file (None when it is). The submission itself may be one file."""
    if root.is_file():
        return [(root, None)]
    if not root.is_dir():
        raise DataReadError(f"submission not found: {root}" if not root.exists() and not root.is_symlink()
                            else f"submission is neither a folder nor a regular file: {root}")
    return [(p, not_regular(p)) for p in sorted(root.iterdir()) if p.suffix.lower() in EXTENSIONS]


KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
         (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def not_regular(path: Path) -> str | None:
    """Why a directory entry is not a regular file, or None: found with stat, never by opening it."""
    try:
        mode = path.stat().st_mode  # through a symbolic link
    except FileNotFoundError:
        return "a dangling symbolic link" if path.is_symlink() else "gone"
    except OSError as exc:
        return f"cannot be examined: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in KINDS if test(mode)), "not a regular file")
    return f"{kind}, through a symbolic link" if path.is_symlink() else kind


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
