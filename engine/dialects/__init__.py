"""The engine's SQL in other dialects: everything that writes the compiled DuckDB SQL for
another engine, and what those translations share.

- ``quoting``: identifiers and string literals (every module quotes through it);
- ``base``: the ``Dialect`` shape — parse the DuckDB SQL, walk it once children first, apply a
  table of fixes keyed by node type, write it in the target dialect; a registry by name;
- ``postgres``: push-down into PostgreSQL (engine/sources/warehouse.py);
- ``spark``: the Spark engine (engine/backends/spark/);
- ``regex``: RE2 patterns (what DuckDB runs) for PostgreSQL/Python and for Java, one scanner with
  the differences per target as data.

Importing this package is cheap (no sqlglot): the dialects load on first use.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Dialect


def dialect_for(name: str) -> Dialect | None:
    """The dialect registered under this name (a SQLAlchemy dialect name such as ``postgresql``,
    or ``spark``); None where there is none (MySQL/MariaDB: the warehouse is streamed)."""
    from . import postgres, spark  # noqa: F401  (each registers its dialect)
    from .base import DIALECTS
    return DIALECTS.get(name)


__all__ = ["dialect_for"]
