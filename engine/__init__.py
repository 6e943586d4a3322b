"""jianhe 检核 — regulatory data-quality rule engine.

``engine.validate(data, pack=...)`` is the Python API (engine/api.py); it is imported on first
use, so the command line starts without it.
"""
from __future__ import annotations


def __getattr__(name: str):
    if name == "validate":
        from .api import validate
        return validate
    raise AttributeError(f"module 'engine' has no attribute {name!r}")


__all__ = ["validate"]
