"""What is being validated, resolved in one place for the command line and the API: a folder or
file of files (FileSource), a database URL (WarehouseSource), or tables in memory (FrameSource).
Every source is a context manager; a database connection is closed when the run ends.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import UsageError
from ..ruleset import RulePack
from ..scope import table_code
from .files import FileSource
from .frame import FrameInput, FrameSource, is_frame, kind_name
from .warehouse import AUTO_PUSHDOWN_ROWS, WarehouseSource, is_url

# the options that only a database URL takes, by their API names
DATABASE_OPTIONS = ("schema", "table_map", "source_mode", "pushdown_rows")


def open_submission(data, pack: RulePack, *, table: str | None = None, schema: str | None = None,
                    table_map: str | os.PathLike | None = None, source_mode: str | None = None,
                    pushdown_rows: int | None = None, names: dict[str, str] | None = None):
    """The source for ``data``; database options given for anything but a URL are a usage error,
    named as the caller names them (``names``: e.g. schema → --schema on the command line)."""
    options = {"schema": schema, "table_map": table_map, "source_mode": source_mode, "pushdown_rows": pushdown_rows}
    if isinstance(data, (str, os.PathLike)) and is_url(str(data)):
        return WarehouseSource(str(data), schema=schema, table_map=Path(table_map) if table_map else None,
                               mode=source_mode or "stream",
                               pushdown_rows=AUTO_PUSHDOWN_ROWS if pushdown_rows is None else pushdown_rows)
    given = [(names or {}).get(name, name) for name, value in options.items() if value is not None]
    if given:
        raise UsageError(f"{', '.join(given)} apply to database URLs, not to {_described(data)}")
    if isinstance(data, (str, os.PathLike)):
        if table is not None:
            raise UsageError("table= names the table of one in-memory frame; a folder's files name their tables")
        return FileSource(data)
    if isinstance(data, dict):
        if table is not None:
            raise UsageError("table= is for one frame; a dict names each frame's table by its key")
        return FrameSource(_frames(data, pack))
    if is_frame(data):
        if table is None:
            raise UsageError(f"name the table of this {kind_name(data)}: validate(frame, table='GRXDYWJJB') "
                             "(a code or Chinese name), or pass a dict of table → frame")
        return FrameSource({table_code(pack, table): _frame(table, data)})
    raise UsageError(f"cannot validate a {type(data).__name__}: give a folder, a database URL, a DataFrame, a "
                     "PyArrow table, a DuckDB relation or a dict of table → one of those")


def _described(data) -> str:
    return str(data) if isinstance(data, (str, os.PathLike)) else f"a {kind_name(data) if is_frame(data) else type(data).__name__}"


def _frames(data: dict, pack: RulePack) -> dict[str, FrameInput]:
    frames: dict[str, FrameInput] = {}
    for name, value in data.items():
        code = table_code(pack, name)
        if code in frames:
            raise UsageError(f"table {code} is given twice ({frames[code].label!r} and {name!r})")
        frames[code] = _frame(name, value)
    return frames


def _frame(name, value) -> FrameInput:
    if not is_frame(value):
        raise UsageError(f"table {name!r}: cannot validate a {type(value).__name__} (give a DataFrame, a PyArrow "
                         "table or a DuckDB relation)")
    return FrameInput(str(name), kind_name(value), value)


__all__ = ["DATABASE_OPTIONS", "open_submission"]
