"""The DuckDB connection of one run (validation or reconciliation): in memory, spilling to the run's
private scratch folder beyond ``--memory-limit``, with the SQL helpers installed; folder and
connection gone when the run ends, however it ends."""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb

from ...identifiers import install_macros
from ...scratch import scratch_dir

DEFAULT_MEMORY_LIMIT = "1GB"


@contextmanager
def run_connection(memory_limit: str | None, calendars: list | None = None,
                   **settings: str) -> Iterator[tuple[duckdb.DuckDBPyConnection, Path]]:
    """(connection, scratch folder); ``calendars`` are the working-day files of the date helpers
    (later wins), ``settings`` further ``SET name = value`` statements."""
    workdir = scratch_dir()
    try:
        # in-memory, but DuckDB spills loaded tables to the scratch folder when they outgrow the limit
        con = duckdb.connect(":memory:", config={"temp_directory": str(workdir / "spill")})
        try:
            con.execute(f"SET memory_limit = '{memory_limit or DEFAULT_MEMORY_LIMIT}'")
            for name, value in settings.items():
                con.execute(f"SET {name} = {value}")
            install_macros(con, calendars or [])
            yield con, workdir
        finally:
            con.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
