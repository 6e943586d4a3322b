"""The run's scratch folder: private to the user, and gone after the run however it ended.

Each run stores rows (possibly personal data) in ``$TMPDIR/jianhe-<pid>-…`` (mode 0700, as
``mkdtemp`` makes it). Ctrl-C and SIGTERM remove it through the run's ``finally``; a run killed
outright (SIGKILL, power loss) cannot, so the next run removes the folders of processes that no
longer exist (only the current user's, and only names this module gives).
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

_NAME = re.compile(r"jianhe-(\d+)-[A-Za-z0-9_]+")


def scratch_dir() -> Path:
    """A new private scratch folder for this run (leftovers of dead runs removed first)."""
    remove_orphans()
    path = Path(tempfile.mkdtemp(prefix=f"jianhe-{os.getpid()}-"))
    os.chmod(path, 0o700)
    return path


def remove_orphans(root: Path | None = None) -> list[Path]:
    """Remove scratch folders whose process is gone; returns what was removed."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        match = _NAME.fullmatch(entry.name)
        if not match or not entry.is_dir(follow_symlinks=False) or _alive(int(match.group(1))):
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
        except OSError:
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
