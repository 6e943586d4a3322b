"""Execution backends: where the compiled SQL of a plan runs.

``duckdb`` (the default) is engine.backends.duckdb, one process; ``spark`` transpiles the same SQL to Spark
SQL and runs it on a Spark cluster (or local mode). Each backend is imported on first use, so
an optional engine costs nothing until it is chosen; all return the same RunResult.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..results import RunResult
from ..ruleset import RulePack


@dataclass(frozen=True)
class Backend:
    name: str
    module: str  # holds validate_submission(submission, pack, **options)
    install_hint: str
    description: str

    def validate(self, submission: Path, pack: RulePack, **options) -> RunResult:
        try:
            module = importlib.import_module(self.module)
        except ImportError as exc:
            raise UsageError(f"--engine {self.name} needs {exc.name or 'a missing package'}: {self.install_hint}") from None
        return module.validate_submission(submission, pack, **options)


BACKENDS: dict[str, Backend] = {b.name: b for b in (
    Backend("duckdb", "engine.backends.duckdb", "pip install jianhe", "DuckDB in this process (default)"),
    Backend("spark", "engine.backends.spark", "pip install 'jianhe[spark]' (and Java 17+)",
            "Apache Spark: local mode or a cluster (--spark-master)"),
)}


def get_backend(name: str) -> Backend:
    try:
        return BACKENDS[name]
    except KeyError:
        raise UsageError(f"unknown engine '{name}' (known: {', '.join(BACKENDS)})") from None


__all__ = ["BACKENDS", "Backend", "get_backend"]
