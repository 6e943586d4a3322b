"""A submission given as files: a folder (or one file) of EAST text, CSV or Parquet files.

Beside the warehouse and in-memory sources (engine/sources/source.py), so that every run is
"a source, a plan, a backend": the source says which files hold which table and what the
manifest records of them; each backend reads the files its own way (DuckDB: engine/backends/
duckdb/scan.py, Spark: engine/backends/spark/load.py).
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import DataReadError, UsageError
from ..results import TableResult
from ..spec import Catalog
from .discover import SourceFile, discover, submission_entries
from .findings import FileFinding
from .load import file_sha256


class FileSource:
    """The files of one submission; checked to exist (and not to be a FIFO) when made."""

    not_applicable: frozenset[str] = frozenset()  # every file check has something to check

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        if not self.path.exists():  # before a report folder is touched
            raise DataReadError(f"submission not found: {self.path}")
        if not (self.path.is_dir() or self.path.is_file()):  # a FIFO would block the run for ever
            raise UsageError(f"the submission {self.path} is neither a folder nor a regular file")

    @property
    def label(self) -> str:
        return str(self.path)

    def __str__(self) -> str:
        return self.label

    def __enter__(self) -> "FileSource":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def discover(self, catalog: Catalog) -> tuple[list[SourceFile], list[FileFinding]]:
        """Which file holds which table, and the findings about names and the batch."""
        return discover(self.path, catalog)

    def runner(self, code: str) -> None:
        """Files are read by the backend: no rule runs where they lie."""
        return None

    def inputs(self, tables: dict[str, TableResult]) -> list[dict]:
        """Every file of the submission with size and SHA-256 (hashes of loaded files come from the pre-scan)."""
        submission = self.path
        loaded = {f.path: (code, f) for code, t in tables.items() for f in t.files}
        paths = [submission] if submission.is_file() else sorted(p for p in submission.iterdir() if p.is_file())
        odd = {p: why for p, why in submission_entries(submission) if why}  # named like data, never opened
        out = []
        for path in sorted([*paths, *odd]):
            if path in odd:
                out.append({"file": path.name, "table": None, "bytes": None, "sha256": None, "rows_read": 0,
                            "rows_rejected": 0, "note": f"not a regular file but {odd[path]}; not read"})
                continue
            code, info = loaded.get(path.name, (None, None))
            readable = os.access(path, os.R_OK)
            out.append({"file": path.name, "table": code, "bytes": path.stat().st_size,
                        "sha256": info.sha256 if info and info.sha256 else file_sha256(path) if readable else None,
                        "rows_read": info.rows_read if info else 0, "rows_rejected": info.rows_rejected if info else 0})
        return out


__all__ = ["FileSource"]
