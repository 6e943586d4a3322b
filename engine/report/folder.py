"""The report folder: one run at a time, and only files jianhe wrote are ever replaced.

A run *claims* the folder before it starts: it takes an exclusive lock (a second run into the
same folder stops with a clear message instead of mixing its files with the first one's) and
refuses to go on when a file under a report's name is there that jianhe did not write, or that was
changed after it was written (a recipient's filled-in feedback workbook, a user's own
``manifest.json``). Which files are jianhe's is recorded, with their SHA-256, in a marker the
folder keeps (``.jianhe-reports.json``).

Just before the rules run, the earlier run's reports are *withdrawn* into ``.jianhe-previous/``,
so an interrupted or failed run never leaves an older report looking like its own, and nothing is
deleted. When the new reports are ready they are *published*: rendered into a hidden staging
folder, renamed into place, recorded in the marker, and only then is the withdrawn set removed.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import OutputError, UsageError

MARKER = ".jianhe-reports.json"
LOCK = ".jianhe.lock"
PREVIOUS = ".jianhe-previous"
STAGING_PREFIX = ".jianhe-staging-"

# Every file name, relative to the folder, that a report of this kind may take.
Names = Callable[[Path], Iterable[str]]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class ReportFolder:
    """Claim, withdraw, publish and release one report folder (see the module docstring)."""

    def __init__(self, out_dir: Path, names: Names, option: str = "--report-dir"):
        self.dir = Path(out_dir)
        self.names = names
        self.option = option
        self._lock_fd: int | None = None

    # --- before the run -------------------------------------------------------------------------

    def claim(self) -> "ReportFolder":
        """Lock the folder and check that every file a report would replace is jianhe's own."""
        self._make_folder()
        self._lock()
        try:
            self._remove_leftover_staging()
            owned = self._owned()
            strangers = [name for name in sorted(self._present()) if owned.get(name) != self._digest(name)]
            if strangers:
                shown = ", ".join(strangers[:5]) + (f" and {len(strangers) - 5} more" if len(strangers) > 5 else "")
                raise UsageError(f"{self.option} {self.dir} holds {shown}, not written by jianhe or changed since: "
                                 "move it away or choose another folder (nothing was changed)")
        except BaseException:
            self.release()
            raise
        return self

    def withdraw(self) -> None:
        """Move the earlier run's reports out of sight (into .jianhe-previous/): from now on no
        report in the folder can be taken for this run's until this run publishes its own."""
        owned = self._owned()
        present = [name for name in self._present() if name in owned]
        if not present:
            return
        previous = self.dir / PREVIOUS
        shutil.rmtree(previous, ignore_errors=True)
        for name in present:
            target = previous / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.dir / name, target)
        self._write_marker({})
        self._prune_empty_parents(present)

    # --- after the run ---------------------------------------------------------------------------

    def publish(self, render: Callable[[Path], list[Path]]) -> list[Path]:
        """Render into a staging folder, then rename every file into place; record them as ours."""
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.dir))
        try:
            try:
                written = render(staging)
            except OSError as exc:  # nothing was moved into place yet: the folder is as it was
                raise OutputError(f"the reports could not be written to {self.dir}: {exc.strerror or exc}") from None
            final = []
            record = {}
            for path in written:
                name = path.relative_to(staging).as_posix()
                record[name] = _sha256(path)
                target = self.dir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
                final.append(target)
            self._write_marker(record)
            shutil.rmtree(self.dir / PREVIOUS, ignore_errors=True)
            return final
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing drops the lock; the lock file itself stays (harmless)
            self._lock_fd = None

    def __enter__(self) -> "ReportFolder":
        return self.claim()

    def __exit__(self, *exc) -> None:
        self.release()

    # --- helpers ---------------------------------------------------------------------------------

    def _make_folder(self) -> None:
        if self.dir.exists() and not self.dir.is_dir():
            raise UsageError(f"{self.option} {self.dir} is a file, not a folder")
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"{self.option} {self.dir} cannot be created: {exc.strerror}") from None
        if not os.access(self.dir, os.W_OK | os.X_OK):
            raise UsageError(f"{self.option} {self.dir} is not writable")

    def _lock(self) -> None:
        try:
            fd = os.open(self.dir / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise UsageError(f"{self.option} {self.dir} is not writable: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise UsageError(f"{self.option} {self.dir} is in use by another jianhe run; wait for it to "
                                 "finish or choose another folder") from None
            raise
        self._lock_fd = fd

    def _present(self) -> list[str]:
        return [name for name in dict.fromkeys(self.names(self.dir)) if (self.dir / name).exists()
                or (self.dir / name).is_symlink()]

    def _digest(self, name: str) -> str | None:
        path = self.dir / name
        if path.is_symlink() or not path.is_file():
            return None  # a link or a folder under a report's name is never ours
        return _sha256(path)

    def _owned(self) -> dict[str, str]:
        try:
            doc = json.loads((self.dir / MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        files = doc.get("files") if isinstance(doc, dict) and doc.get("tool") == "jianhe" else None
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}

    def _write_marker(self, files: dict[str, str]) -> None:
        text = json.dumps({"tool": "jianhe", "files": dict(sorted(files.items()))}, ensure_ascii=False, indent=1)
        fd, tmp = tempfile.mkstemp(prefix=MARKER + ".", dir=self.dir)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        os.replace(tmp, self.dir / MARKER)

    def _remove_leftover_staging(self) -> None:
        """Staging folders of a run that was killed (we hold the lock: no live run owns one)."""
        for path in self.dir.glob(STAGING_PREFIX + "*"):
            shutil.rmtree(path, ignore_errors=True)
        for path in self.dir.glob(MARKER + ".*"):
            path.unlink(missing_ok=True)

    def _prune_empty_parents(self, names: list[str]) -> None:
        """Sub-folders (feedback/) that only held the withdrawn reports; never the folder itself."""
        for parent in sorted({(self.dir / n).parent for n in names} - {self.dir}, key=lambda p: -len(p.parts)):
            if parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
