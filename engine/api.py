"""The Python API: ``engine.validate(data, pack=...)`` → the results model every report reads.

``data`` may be a submission folder (or file), a database URL, one in-memory table (a pandas
DataFrame, a PyArrow table or stream, a DuckDB relation, anything with the Arrow stream
interface — name its table with ``table=``), or a dict of table code or Chinese name → such a
table. In-memory tables are read as text like Parquet files (see engine/sources/frame.py for
how numbers and dates become text).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .errors import UsageError
from .results import SEVERITY_ORDER, RunResult
from .scope import table_code
from .ruleset import RulePack, load_pack
from .sources.frame import FrameInput, FrameSource, is_frame, kind_name
from .sources.warehouse import AUTO_PUSHDOWN_ROWS, WarehouseSource, is_url

DEFAULT_PACK = "east5_core"
FAIL_ON = (*SEVERITY_ORDER, "none")


def validate(data, pack: str | Path | RulePack = DEFAULT_PACK, *, table: str | None = None,
             pack_version: str | None = None, params: dict | None = None, fail_on: str = "strong",
             previous_date: str | None = None, show_pii: bool = False, sample_limit: int = 50,
             failures: str | Path | None = None, memory_limit: str | None = None,
             waivers: str | Path | None = None, schema: str | None = None, table_map: str | Path | None = None,
             source_mode: str = "stream", pushdown_rows: int = AUTO_PUSHDOWN_ROWS,
             require_tables: str | list[str] | None = None) -> RunResult:
    """Validate ``data`` against a rule pack (name under rulesets/, folder, or a loaded RulePack).

    ``pack_version`` picks a version of the pack, ``params`` overrides its declared parameters,
    ``fail_on`` sets the verdict's threshold (strong | weak | info | none), ``previous_date`` is
    the previous 采集日期 for the scope checks. ``schema``, ``table_map``, ``source_mode`` and
    ``pushdown_rows`` apply to database URLs (as the command-line options of the same names).
    One frame (``table=``) is checked alone: a rule needing another table is reported not run
    instead of failing, so a per-table pipeline check can pass; a dict of frames is a batch.
    ``require_tables`` ('all' or names) makes absent tables fail (FILE.NOT_SUBMITTED).
    Errors are ``engine.errors.JianheError`` subclasses with a one-line message.
    """
    from .run import validate_submission
    if fail_on not in FAIL_ON:
        raise UsageError(f"fail_on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    if isinstance(pack, RulePack):
        if pack_version or params:
            raise UsageError("pack_version and params apply when the pack is given by name or path")
        rule_pack = pack
    else:
        rule_pack = load_pack(pack, pack_version, params or None)
    gates = None
    if waivers is not None:
        from .waivers import check_against, load_waivers
        gates = check_against(load_waivers(Path(waivers)), rule_pack)
    with _submission(data, rule_pack, table, schema, table_map, source_mode, pushdown_rows) as submission:
        only = [table] if table is not None and isinstance(submission, FrameSource) else None
        return validate_submission(submission, rule_pack, fail_on=fail_on, show_pii=show_pii,
                                   sample_limit=sample_limit, failures_path=Path(failures) if failures else None,
                                   memory_limit=memory_limit, previous_date=previous_date, waivers=gates,
                                   tables=only, require_tables=require_tables)


def _submission(data, pack: RulePack, table, schema, table_map, source_mode, pushdown_rows):
    """The run's submission for each kind of input (a context manager)."""
    database_options = schema is not None or table_map is not None or source_mode != "stream"
    if isinstance(data, str) and is_url(data):
        return WarehouseSource(data, schema=schema, table_map=Path(table_map) if table_map else None,
                               mode=source_mode, pushdown_rows=pushdown_rows)
    if database_options:
        raise UsageError("schema, table_map and source_mode apply to database URLs")
    if isinstance(data, (str, os.PathLike)):
        if table is not None:
            raise UsageError("table= names the table of one in-memory frame; a folder's files name their tables")
        return contextlib.nullcontext(Path(data))
    if isinstance(data, dict):
        if table is not None:
            raise UsageError("table= is for one frame; a dict names each frame's table by its key")
        frames: dict = {}
        for name, value in data.items():
            code = table_code(pack, name)
            if code in frames:
                raise UsageError(f"table {code} is given twice ({frames[code].label!r} and {name!r})")
            frames[code] = _frame(name, value)
        return FrameSource(frames)
    if is_frame(data):
        if table is None:
            raise UsageError(f"name the table of this {kind_name(data)}: validate(frame, table='GRXDYWJJB') "
                             "(a code or Chinese name), or pass a dict of table → frame")
        return FrameSource({table_code(pack, table): _frame(table, data)})
    raise UsageError(f"cannot validate a {type(data).__name__}: give a folder, a database URL, a DataFrame, a "
                     "PyArrow table, a DuckDB relation or a dict of table → one of those")


def _frame(name, value) -> FrameInput:
    if not is_frame(value):
        raise UsageError(f"table {name!r}: cannot validate a {type(value).__name__} (give a DataFrame, a PyArrow "
                         "table or a DuckDB relation)")
    return FrameInput(str(name), kind_name(value), value)


__all__ = ["validate"]
