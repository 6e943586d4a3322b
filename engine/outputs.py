"""Where a run may write: never on or inside anything it reads.

Inputs are opened only for reading; an output path that resolves onto an input file, or into an
input folder, would overwrite the data (``--failures`` on a submission file) or be read back as
data by the next run (reports inside the submission folder). Both are refused before anything
runs, with the option named, so nothing is lost.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .errors import UsageError


@dataclass(frozen=True)
class Input:
    option: str  # how the user gave it: "the submission", "--baseline", …
    path: Path


def _resolved(path: Path) -> Path:
    return Path(path).expanduser().resolve(strict=False)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output(option: str, output: Path, inputs: Iterable[Input], *, folder: bool) -> None:
    """Refuse an output (a file, or a folder when ``folder``) that lands on or inside an input."""
    out = _resolved(output)
    for given in inputs:
        source = _resolved(given.path)
        if out == source or (source.is_dir() and _inside(out, source)):
            where = "is" if out == source else "is inside"
            raise UsageError(f"{option} {output} {where} {given.option} {given.path}: outputs are never written "
                             "on or inside what jianhe reads; choose another path")
    if not folder:
        _check_file_target(option, output)


def _check_file_target(option: str, output: Path) -> None:
    """A file output must be a file path in an existing folder (DuckDB's message would blame the data)."""
    path = Path(output)
    if path.is_dir():
        raise UsageError(f"{option} {output} is a folder; give a file path such as {Path(output) / 'failures.parquet'}")
    if path.exists() and not path.is_file():
        raise UsageError(f"{option} {output} is not a regular file")
    parent = path.parent
    if not parent.is_dir():
        raise UsageError(f"{option} {output}: the folder {parent} does not exist")


def check_distinct(outputs: dict[str, Path | None]) -> None:
    """Two outputs of one run must not be the same path (one would overwrite the other)."""
    seen: dict[Path, str] = {}
    for option, path in outputs.items():
        if path is None:
            continue
        resolved = _resolved(path)
        if resolved in seen:
            raise UsageError(f"{option} and {seen[resolved]} are the same path: {path}")
        seen[resolved] = option


def parse_date(option: str, text: str | None) -> str | None:
    """A YYYYMMDD option that is a real calendar date (20240631 and 20241399 are refused)."""
    if text is None:
        return None
    try:
        if len(text) != 8 or not text.isascii() or not text.isdigit():
            raise ValueError
        datetime.strptime(text, "%Y%m%d")
    except ValueError:
        raise UsageError(f"{option} must be a real date written YYYYMMDD, not {text!r}") from None
    return text
