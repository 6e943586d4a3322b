"""Stopping a run: Ctrl-C (SIGINT) and a CI runner's cancel (SIGTERM) end it the same way.

Both raise :class:`KeyboardInterrupt` in the main thread, also in the middle of a DuckDB query
(DuckDB checks for pending signals and stops the query), so every ``finally`` runs: the scratch
database is removed and no report is written. DuckDB hands the interrupt back in more than one
form (``InterruptException``, ``RuntimeError('Query interrupted')``, or an "Invalid Input Error"
naming ``KeyboardInterrupt`` when it lands inside a Python function DuckDB was calling), so
:func:`is_interrupt` is the one place that recognises them all.
"""
from __future__ import annotations

import signal
import threading

import duckdb

EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
_received: list[int] = []


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that clean-up is the same."""


def _handler(signum, frame) -> None:
    _received.append(signum)
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def install() -> None:
    """Route SIGINT and SIGTERM to :class:`KeyboardInterrupt` (main thread only, as Python requires)."""
    if threading.current_thread() is threading.main_thread():
        for signum in EXIT_CODES:
            signal.signal(signum, _handler)


def is_interrupt(exc: BaseException) -> bool:
    """Whether an exception is (or was caused by) a stop request rather than a real failure."""
    if isinstance(exc, (KeyboardInterrupt, duckdb.InterruptException)):
        return True
    text = str(exc)
    return ((isinstance(exc, (RuntimeError, duckdb.Error)) and "interrupted" in text.lower())
            or "KeyboardInterrupt" in text or "Terminated" in text and bool(_received))


def exit_code() -> int:
    """130 after Ctrl-C, 143 after SIGTERM (the shell's 128 + signal number)."""
    return EXIT_CODES.get(_received[-1], 130) if _received else 130
