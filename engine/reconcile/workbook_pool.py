"""Many small workbooks on every core: the worker processes that write the feedback workbooks.

A run writes one workbook per recipient — thousands, each a few milliseconds of pure-Python XlsxWriter
work — so one core is the limit. Workers are fresh interpreters ('spawn': the DuckDB connection and its
threads stay in the parent) and get plain Python data only: the run's common part once, when they
are ready, then batches of jobs. Sending a job costs a fraction of writing it (100k + 100k records:
0.05 ms to pickle a recipient's findings and 0.1 ms to read them back, against 2–3 ms to write the
workbook), so jobs go out in batches — the largest first (one big workbook must not end the run late),
smaller ones towards the end so that the workers finish together. While no worker is free (they take
half a second or more to start) the parent writes the smallest jobs itself. A run with little to
write stays in the parent.

Stopping: Ctrl-C reaches the whole process group, but only the parent acts on it. Workers ignore
SIGINT once started (and end silently if it comes while they start: see :func:`_start`); on any
exception, the parent kills every worker and waits for it before the exception goes on, so none
outlives the run or writes on into a staging folder that is being removed (engine/report/folder.py).
A worker whose parent died stops at its next message (end of file on its pipe).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from ..cores import usable_cores

# A job's cost in rows: a workbook of one row takes about as long as FIXED_ROWS + 1 rows of a large one.
FIXED_ROWS = 12
# Each worker must have at least this much to write (rows' worth; about half a second on one core): a
# worker costs about that much CPU to start (it imports XlsxWriter and the engine) and some 150 MB, so a
# run with less than twice this stays in the parent, and a large machine does not start more workers
# than the work pays for.
PER_WORKER = 3_000
MAX_WORKERS = 8
SHARES = 8  # a batch is at most 1/(SHARES × workers) of the work left: smaller batches towards the end
MIN_BATCH = 300  # rows' worth: below this a batch's message would cost more than it saves

Task = Callable[[Any, Any], Path]  # (common part, job) → the written file


def write(task: Task, common: Any, jobs: Sequence, rows: Sequence[int], workers: int | None = None) -> list[Path]:
    """``task(common, job)`` for every job (``rows[i]``: job i's size); the paths in the jobs' order.

    In parallel when there is enough to write and more than one core; the files are the same either way."""
    costs = [FIXED_ROWS + r for r in rows]
    workers = min(usable_cores() if workers is None else workers, MAX_WORKERS, len(jobs),
                  sum(costs) // max(PER_WORKER, 1))
    if workers < 2:
        return [task(common, job) for job in jobs]
    return _Pool(task, common, workers).run(jobs, costs)


def _serve(conn: Connection, task: Task) -> None:
    """A worker: once started, take the common part, then write each batch it is sent and answer with the
    paths (or the exception); stop at end of file."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides (see the module docstring)
    conn.send(("ready", None))
    try:
        common = conn.recv()
    except (EOFError, OSError):
        return
    while True:
        try:
            batch = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = ("done", [(i, task(common, job)) for i, job in batch])
        except Exception as exc:  # noqa: BLE001 — handed to the parent, which raises it
            reply = ("failed", exc)
        try:
            conn.send(reply)
        except (BrokenPipeError, EOFError):
            return
        except Exception:  # an exception that does not pickle: its text
            conn.send(("failed", RuntimeError(repr(reply[1]))))


class _Worker:
    def __init__(self, proc: BaseProcess, conn: Connection):
        self.proc, self.conn = proc, conn
        self.ready = False
        self.batch: list[int] | None = None  # the jobs it is writing


class _Pool:
    """Workers started for one :func:`write`; always stopped before it returns or raises."""

    def __init__(self, task: Task, common: Any, n: int):
        self.task, self.common = task, common
        self.workers: list[_Worker] = []
        ctx = mp.get_context("spawn")
        try:
            for _ in range(n):
                ours, theirs = ctx.Pipe()
                proc = ctx.Process(target=_serve, args=(theirs, task), daemon=True, name="jianhe-workbooks")
                self.workers.append(_Worker(proc, ours))
                _start(proc)
                theirs.close()
        except BaseException:
            self.kill()
            raise

    def run(self, jobs: Sequence, costs: list[int]) -> list[Path]:
        paths: list[Path | None] = [None] * len(jobs)
        pending = deque(sorted(range(len(jobs)), key=lambda i: -costs[i]))  # largest first
        try:
            while pending or any(w.batch for w in self.workers):
                for w in self.workers:
                    if w.ready and w.batch is None and pending:
                        w.batch = _take(pending, costs, len(self.workers))
                        w.conn.send([(i, jobs[i]) for i in w.batch])
                free = any(w.ready and w.batch is None for w in self.workers)
                ready = wait([w.proc.sentinel for w in self.workers] + [w.conn for w in self.workers],
                             timeout=0 if pending and not free else None)
                if not ready and pending:  # every worker busy or starting: the parent writes the smallest job
                    i = pending.pop()
                    paths[i] = self.task(self.common, jobs[i])
                for w in self.workers:
                    self._receive(w, paths)
        except BaseException:
            self.kill()
            raise
        self.close()
        return paths  # type: ignore[return-value]

    def _receive(self, w: _Worker, paths: list) -> None:
        """Take a worker's message, if it sent one; a worker that died without one is an error."""
        if not w.conn.poll():
            if not w.proc.is_alive():
                raise _death(w.proc.exitcode)
            return
        kind, payload = w.conn.recv()
        if kind == "failed":
            raise payload
        if kind == "ready":  # sent now, not with the start: the parent must not wait while a worker starts
            w.conn.send(self.common)
        if kind == "done":
            for i, path in payload:
                paths[i] = path
            w.batch = None
        w.ready = True

    def close(self) -> None:
        """Normal end: end of file tells each worker to stop; one still starting (it was given nothing, the
        parent wrote everything meanwhile) is not waited for."""
        for w in self.workers:
            w.conn.close()
            if not w.ready:
                w.proc.kill()
        for w in self.workers:
            w.proc.join(timeout=10)
        self.kill()

    def kill(self) -> None:
        """Stop every worker now and wait for it (SIGKILL: a half-written workbook is in the staging folder
        only, which is removed)."""
        for w in self.workers:
            if w.proc.pid is not None and w.proc.exitcode is None:
                w.proc.kill()
        for w in self.workers:
            if w.proc.pid is not None:
                w.proc.join()
            w.conn.close()


def _start(proc: BaseProcess) -> None:
    """Start a worker with /dev/null as its standard error. It ignores SIGINT from its first instruction
    (:func:`_serve`), but a Ctrl-C while Python starts and imports would end it with a traceback on the
    user's terminal; so it ends silently, and the parent, which gets the same Ctrl-C, stops the run.
    (Ignoring SIGINT in the parent while it starts a worker would pass the ignoring on, but lose a Ctrl-C
    that came just then.) What a worker has to say goes through its pipe."""
    sys.stderr.flush()
    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        proc.start()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def _take(pending: deque, costs: list[int], workers: int) -> list[int]:
    """The next batch from the front (largest jobs): a job at least the batch size goes alone."""
    target = max(MIN_BATCH, sum(costs[i] for i in pending) // (SHARES * workers))
    batch, size = [], 0
    while pending and size < target:
        i = pending.popleft()
        batch.append(i)
        size += costs[i]
    return batch


def _death(exitcode: int | None) -> BaseException:
    """A worker that ended on a stop signal (sent to the whole process group) is a stop; else an error."""
    if exitcode is not None and -exitcode in (signal.SIGINT, signal.SIGTERM):
        return KeyboardInterrupt()
    return RuntimeError(f"a workbook writer process ended unexpectedly (exit code {exitcode})")
