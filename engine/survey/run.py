"""Run every batch of a survey: each through the public API (``engine.api.validate``), each with its
own report folder, verdict and manifest, in parallel worker processes that share ``--memory-limit``.

A batch that cannot be read (or whose worker dies) becomes an outcome with an error; the others go
on. Workers send back only the aggregates the summary needs (counts per rule, 检核类型 and table),
never records, so nothing personal crosses into the summary.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from ..cores import usable_cores
from ..errors import JianheError, UsageError
from .discover import Batch

BATCHES_DIR = "batches"
MIN_WORKER_BYTES = 256 * 1024 ** 2  # below this a DuckDB worker spills so much that fewer workers are faster
UNITS = {"KB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3, "TB": 1000 ** 4,
         "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3, "TiB": 1024 ** 4}


@dataclass(frozen=True)
class RunOptions:
    """What every batch is run with (picklable: it crosses into the worker processes)."""

    pack: str
    pack_version: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    fail_on: str = "strong"
    previous_date: str | None = None
    formats: tuple[str, ...] = ("json", "html")
    memory_limit: str | None = None  # per worker
    sample: dict | None = None  # spot checks: {"rows": N} or {"fraction": P}, with "seed"


@dataclass
class Outcome:
    """What one batch gave: its verdict and aggregates, or why it could not be checked."""

    licence: str
    date: str
    label: str
    source: str
    report_dir: str | None = None
    verdict: str | None = None  # ready | not_ready; None when the batch could not be checked
    error: str | None = None
    exit_code: int = 0
    duration_s: float = 0.0
    summary: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)  # 检核类型 -> {checked, failed, rules, rules_failed}
    tables: dict = field(default_factory=dict)  # code -> {name, rows, checked, failed, rules, rules_failed}
    failed_rules: list[dict] = field(default_factory=list)
    sampling: dict | None = None


def parse_bytes(text: str) -> int:
    """'2GB' / '512MiB' as bytes (the form engine.cli.check_memory_limit accepts)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", text.strip())
    if not m:
        raise UsageError(f"--memory-limit must look like 2GB or 512MiB, not {text!r}")
    return int(float(m[1]) * UNITS[m[2]])


def plan_workers(batches: int, jobs: int | None, memory_limit: str | None) -> tuple[int, str | None]:
    """How many workers and each one's DuckDB memory limit: the total split evenly, never below
    MIN_WORKER_BYTES a worker (fewer workers instead)."""
    workers = max(1, min(jobs or usable_cores(), batches or 1))
    if memory_limit is None:
        return workers, None
    total = parse_bytes(memory_limit)
    workers = max(1, min(workers, total // MIN_WORKER_BYTES))
    return workers, f"{max(total // workers // 1024 ** 2, 1)}MiB"


def run_batches(batches: list[Batch], out_dir: Path, options: RunOptions, workers: int,
                on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Every batch's outcome, in the batches' order; one worker runs them in this process."""
    targets = [(batch, str(Path(out_dir) / BATCHES_DIR / batch.label)) for batch in batches]
    outcomes: dict[str, Outcome] = {}

    def done(outcome: Outcome) -> None:
        outcomes[outcome.label] = outcome
        if on_done:
            on_done(outcome)

    if workers <= 1:
        for batch, target in targets:
            done(run_one(batch, target, options))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(run_one, batch, target, options): (batch, target) for batch, target in targets}
            for future in as_completed(futures):
                batch, target = futures[future]
                try:
                    done(future.result())
                except BrokenProcessPool:
                    done(_failed(batch, "its worker process died (out of memory?)", 3, 0.0))
    return [outcomes[batch.label] for batch in batches]


def run_one(batch: Batch, report_dir: str, options: RunOptions) -> Outcome:
    """Validate one batch, write its reports, and keep the aggregates (errors become an Outcome)."""
    started = time.perf_counter()
    try:
        result = _validate(batch, options)
        from ..report import write_reports
        write_reports(result, Path(report_dir), list(options.formats))
    except JianheError as exc:
        return _failed(batch, str(exc), exc.exit_code, time.perf_counter() - started)
    except Exception as exc:  # duckdb.Error, OSError, a bug: this batch is reported, the others go on
        return _failed(batch, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", 3,
                       time.perf_counter() - started)
    from .aggregate import outcome_of
    return outcome_of(batch, result, report_dir, time.perf_counter() - started)


def _validate(batch: Batch, options: RunOptions):
    """The batch through the public API; loose files are linked into a private folder of the batch's name."""
    from ..api import validate
    kwargs = dict(pack=options.pack, pack_version=options.pack_version, params=dict(options.params) or None,
                  fail_on=options.fail_on, previous_date=options.previous_date, memory_limit=options.memory_limit)
    if not options.sample:
        return _validate_source(batch, validate, kwargs)
    from ..sampling import apply, sampled
    with sampled(options.sample["rows"], options.sample["fraction"], options.sample["seed"]) as sampling:
        result = _validate_source(batch, validate, kwargs)
    apply(result, sampling)
    return result


def _validate_source(batch: Batch, validate, kwargs: dict):
    if batch.path is not None:
        return validate(batch.path, **kwargs)
    scratch = Path(tempfile.mkdtemp(prefix="jianhe-survey-"))
    try:
        folder = scratch / batch.label
        folder.mkdir()
        for path in batch.files:
            (folder / path.name).symlink_to(path.resolve())
        result = validate(folder, **kwargs)
        result.submission = f"{batch.files[0].parent} ({batch.label}: {len(batch.files)} files)"
        return result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _failed(batch: Batch, error: str, code: int, duration: float) -> Outcome:
    return Outcome(batch.licence, batch.date, batch.label, batch.source, error=error, exit_code=code,
                   duration_s=round(duration, 3))
