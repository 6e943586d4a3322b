"""The engine's SQL in other dialects: everything that writes the compiled DuckDB SQL for
another engine, and what those translations share.

- ``quoting``: identifiers and string literals (every module quotes through it);
- ``base``: the ``Dialect`` shape — parse the DuckDB SQL, walk it once children first, apply a
  table of fixes keyed by node type, write it in the target dialect; a registry by name;
- ``postgres``: push-down into PostgreSQL (engine/sources/warehouse.py);
- ``spark``: the Spark engine (engine/backends/spark.py);
- ``regex``: RE2 patterns (what DuckDB runs) for PostgreSQL/Python and for Java, one scanner with
  the differences per target as data.

Importing this package is cheap (no sqlglot): the dialects load on first use.
"""
from __future__ import annotations
