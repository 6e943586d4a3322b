"""jianhe 检核 — regulatory data-quality rule engine (import name; the implementation is ``engine``).

``jianhe.validate(data, pack=...)`` validates DataFrames or Arrow tables (see engine/api.py);
``python -m jianhe`` is the command line. In an installed distribution the shipped rule packs and
specs live beside this file (``jianhe/rulesets``, ``jianhe/specs``).
"""
from __future__ import annotations

from importlib import metadata


def _version() -> str:
    try:
        return metadata.version("jianhe")
    except metadata.PackageNotFoundError:  # a checkout that was never installed
        return "0+unknown"


__version__ = _version()


def __getattr__(name: str):
    if name == "validate":
        from engine.api import validate
        return validate
    raise AttributeError(f"module 'jianhe' has no attribute {name!r}")


__all__ = ["__version__", "validate"]
