"""Find the batches in a regulator's folder: one per institution (金融许可证号) and 采集日期.

Two layouts, mixed freely: a sub-folder per batch (its name, else its files' names, say whose it
is), and data files lying directly in the folder, grouped by the licence and date their names carry
(``<licence>-<TABLE>-<YYYYMMDD>.txt``). A sub-folder holding only folders (one per period, say) is
searched the same way. A loose file with no licence and date in its name cannot be
given to anyone: it is reported, never silently dropped.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataReadError, UsageError

EAST_NAME = re.compile(r"^(?P<licence>[A-Za-z0-9]+)-(?P<code>[A-Z0-9_]+)-(?P<date>\d{8})\.(?:txt|csv|parquet)$", re.I)
BATCH_NAME = re.compile(r"^(?P<licence>[A-Za-z0-9]+)-(?P<date>\d{8})$")
DATA_SUFFIXES = {".txt", ".csv", ".parquet"}


@dataclass
class Batch:
    """One institution's submission for one 采集日期: a folder, or loose files of the survey folder."""

    licence: str
    date: str
    path: Path | None = None  # the batch's own folder
    files: list[Path] = field(default_factory=list)  # loose files (grouped by name)

    @property
    def label(self) -> str:
        """``<licence>-<date>``: the batch's name in the summary and its report folder's name."""
        return f"{self.licence}-{self.date}" if self.date else self.licence

    @property
    def source(self) -> str:
        return str(self.path) if self.path else ", ".join(p.name for p in self.files)


@dataclass
class Discovery:
    batches: list[Batch]
    ignored: list[tuple[str, str]]  # (entry name, why it is not part of any batch)


def discover(root: Path) -> Discovery:
    """Every batch under ``root`` in label order; entries that belong to no batch, with the reason."""
    root = Path(root)
    if not root.is_dir():
        raise DataReadError(f"survey folder not found: {root}" if not root.exists() else f"not a folder: {root}")
    batches: list[Batch] = []
    loose: dict[tuple[str, str], list[Path]] = defaultdict(list)
    ignored: list[tuple[str, str]] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and _is_group(entry):
            found = discover(entry)  # a folder of batches (a period's, a region's): its batches join
            batches += found.batches
            ignored += [(f"{entry.name}/{name}", why) for name, why in found.ignored]
        elif entry.is_dir():
            batches.append(_folder_batch(entry))
        elif entry.suffix.lower() in DATA_SUFFIXES:
            m = EAST_NAME.match(entry.name)
            if m:
                loose[(m["licence"], m["date"])].append(entry)
            else:
                ignored.append((entry.name, "no <licence>-<TABLE>-<YYYYMMDD> in its name: belongs to no batch"))
    batches += [Batch(licence, date, files=sorted(files)) for (licence, date), files in loose.items()]
    _check_unique(batches)
    return Discovery(sorted(batches, key=lambda b: (b.licence, b.date)), ignored)


def _is_group(folder: Path) -> bool:
    """A folder holding batch folders and no data file of its own (e.g. one per period)."""
    try:
        entries = [e for e in folder.iterdir() if not e.name.startswith(".")]
    except OSError:
        return False
    return any(e.is_dir() for e in entries) and not any(e.suffix.lower() in DATA_SUFFIXES and e.is_file()
                                                       for e in entries)


def _folder_batch(folder: Path) -> Batch:
    """A sub-folder: named ``<licence>-<date>``, else named after the licence and date of its files."""
    m = BATCH_NAME.match(folder.name)
    if m:
        return Batch(m["licence"], m["date"], path=folder)
    try:
        names = sorted(p.name for p in folder.iterdir())
    except OSError:
        names = []
    pairs = {(m["licence"], m["date"]) for m in map(EAST_NAME.match, names) if m}
    if len(pairs) == 1:
        licence, date = pairs.pop()
        return Batch(licence, date, path=folder)
    return Batch(folder.name, "", path=folder)  # run as it is; its own report says what is wrong


def _check_unique(batches: list[Batch]) -> None:
    """Two batches of one institution and date would overwrite each other's report folder."""
    seen: dict[str, Batch] = {}
    for batch in batches:
        other = seen.get(batch.label)
        if other is not None:
            raise UsageError(f"two batches of {batch.label}: {other.source} and {batch.source}; "
                                "keep one per institution and 采集日期")
        seen[batch.label] = batch
