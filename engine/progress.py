"""Progress of a long run on stderr: per table, the rows read and the rules done.

Shown when stderr is a terminal, or when asked (``--progress``); off with ``--no-progress``,
with ``--quiet`` and in CI (``CI=true``) unless asked. On a terminal the running table's line is
redrawn in place (DuckDB's own progress of the statement reading it); elsewhere every event is
one line, and the reading line is repeated every ``interval`` seconds at most.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import TextIO

TRUE_VALUES = {"1", "true", "yes", "on"}


def wanted(flag: bool | None, stream: TextIO, environ: dict | None = None, quiet: bool = False) -> bool:
    """Whether to show progress: an explicit flag wins; else only on a terminal, outside CI, not quiet."""
    if flag is not None:
        return flag
    environ = os.environ if environ is None else environ
    if quiet or str(environ.get("CI", "")).strip().lower() in TRUE_VALUES:
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


class Progress:
    """Writes progress lines; ``live`` redraws one status line in place (a terminal)."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None, interval: float = 10.0):
        self.stream = stream or sys.stderr
        self.live = bool(getattr(self.stream, "isatty", lambda: False)()) if live is None else live
        self.interval = 0.5 if self.live else interval
        self._lock = threading.Lock()
        self._status = False

    @classmethod
    def for_cli(cls, flag: bool | None, quiet: bool = False, stream: TextIO | None = None) -> "Progress | None":
        stream = stream or sys.stderr
        return cls(stream) if wanted(flag, stream, quiet=quiet) else None

    # ---------------------------------------------------------------- output
    def line(self, text: str) -> None:
        with self._lock:
            prefix = "\r\x1b[K" if self._status else ""
            self._status = False
            self.stream.write(f"{prefix}jianhe: {text}\n")
            self.stream.flush()

    def status(self, text: str) -> None:
        """A transient line (redrawn in place on a terminal, a plain line elsewhere)."""
        if not self.live:
            self.line(text)
            return
        with self._lock:
            self.stream.write(f"\r\x1b[Kjianhe: {text}")
            self.stream.flush()
            self._status = True

    # ---------------------------------------------------------------- events
    def run_started(self, plan) -> None:
        rules = sum(e.rule.kind != "file" for e in plan.entries)
        checks = len(plan.entries) - rules
        self.line(f"{len(plan.entries):,} rules ({rules:,} data rules, {checks:,} file checks) "
                  f"on {len(plan.tables)} table(s)")

    def table_started(self, tp, sources) -> None:
        size = sum(s.path.stat().st_size for s in sources if s.path.exists())
        self.line(f"{tp.table.code} {tp.table.name}: reading {len(sources)} file(s), {_size(size)}, "
                  f"with {len(tp.row_rules)} row rules")

    @contextmanager
    def watch(self, con, label: str):
        """While a statement runs on ``con``, report DuckDB's progress of it every interval."""
        done = threading.Event()
        started = time.perf_counter()
        try:  # DuckDB measures a statement's progress only when asked to (and must not print it)
            con.execute("SET enable_progress_bar = true")
            con.execute("SET enable_progress_bar_print = false")
        except Exception:  # noqa: BLE001
            pass

        def tick() -> None:
            while not done.wait(self.interval):
                try:
                    pct = con.query_progress()
                except Exception:  # noqa: BLE001 — progress must never break a run
                    pct = -1
                shown = f"{pct:.0f}%" if pct is not None and pct >= 0 else "…"
                self.status(f"{label}: reading {shown} ({time.perf_counter() - started:.0f} s)")

        thread = threading.Thread(target=tick, name="jianhe-progress", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()

    def table_scanned(self, tp, rows: int, seconds: float, rules_ran: bool) -> None:
        rate = f", {rows / seconds:,.0f} rows/s" if seconds > 0 else ""
        rules = f"{len(tp.row_rules)} row rules done" if rules_ran else "row rules to run one by one"
        self.line(f"{tp.table.code}: {rows:,} rows read, {rules} in {seconds:.1f} s{rate}")

    def set_rule(self, tp, entry, done: int, total: int, seconds: float) -> None:
        self.line(f"{tp.table.code}: set rule {done}/{total} {entry.rule.id} ({entry.rule.kind}) in {seconds:.1f} s")

    def run_finished(self, plan, not_run: dict, seconds: float) -> None:
        rules = [e for e in plan.entries if e.rule.kind != "file"]
        done = sum(e.index not in not_run for e in rules)
        self.line(f"rules done {done:,}/{len(rules):,}; set rules took {seconds:.1f} s")


__all__ = ["Progress", "wanted"]
