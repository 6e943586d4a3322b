"""The Python API: ``engine.validate(data, pack=...)`` → the results model every report reads.

``data`` may be a submission folder (or file), a database URL, one in-memory table (a pandas
DataFrame, a PyArrow table or stream, a DuckDB relation, anything with the Arrow stream
interface — name its table with ``table=``), or a dict of table code or Chinese name → such a
table. In-memory tables are read as text like Parquet files (see engine/sources/frame.py for
how numbers and dates become text).
"""
from __future__ import annotations

from pathlib import Path

from .errors import UsageError
from .results import SEVERITY_ORDER, RunResult
from .ruleset import RulePack, load_pack
from .sources.frame import FrameSource
from .sources.submission import open_submission
from .sources.warehouse import AUTO_PUSHDOWN_ROWS

DEFAULT_PACK = "east5_core"
FAIL_ON = (*SEVERITY_ORDER, "none")


def validate(data, pack: str | Path | RulePack = DEFAULT_PACK, *, table: str | None = None,
             pack_version: str | None = None, params: dict | None = None, fail_on: str = "strong",
             previous_date: str | None = None, show_pii: bool = False, sample_limit: int = 50,
             failures: str | Path | None = None, memory_limit: str | None = None,
             waivers: str | Path | None = None, schema: str | None = None, table_map: str | Path | None = None,
             source_mode: str = "stream", pushdown_rows: int | None = AUTO_PUSHDOWN_ROWS,
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
    from .backends.duckdb import validate_submission
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
    with open_submission(data, rule_pack, table=table, schema=schema, table_map=table_map,
                         source_mode=None if source_mode == "stream" else source_mode,
                         pushdown_rows=None if pushdown_rows == AUTO_PUSHDOWN_ROWS else pushdown_rows) as submission:
        only = [table] if table is not None and isinstance(submission, FrameSource) else None
        return validate_submission(submission, rule_pack, fail_on=fail_on, show_pii=show_pii,
                                   sample_limit=sample_limit, failures_path=Path(failures) if failures else None,
                                   memory_limit=memory_limit, previous_date=previous_date, waivers=gates,
                                   tables=only, require_tables=require_tables)


__all__ = ["validate"]
