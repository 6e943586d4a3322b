"""The shipped example batch as the file loader reads it: the well-formed rows of each table, as
text, for loading the same data into a database or a DataFrame and comparing runs."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import duckdb

from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from engine.sources import discover, load_table
from engine.scratch import scratch_dir
from engine.sources.load import create_relation

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "east5"
BATCH = EXAMPLE / "B0001H111000001-20240630"
PACK = ROOT / "rulesets" / "east5_core"
PREVIOUS = json.loads((EXAMPLE / "expected_findings.json").read_text("utf-8"))["previous_date"]
# checks of files as files (names, encodings, line structure, the date in the file name): they
# have nothing to look at in a table that is not a file; the value checks CONTROL_CHARS and
# QUOTES do apply
FILE_ONLY = {"FILE.NAME", "FILE.UNKNOWN_TABLE", "FILE.DUPLICATE", "FILE.BATCH_DATE", "FILE.UNREADABLE",
             "FILE.BOM", "FILE.CRLF", "FILE.GB18030", "FILE.ENCODING", "FILE.FIELD_COUNT", "FILE.CJRQ_MISMATCH",
             "FILE.LINE_LENGTH"}


@lru_cache(maxsize=None)
def pack():
    return load_pack(PACK)


@lru_cache(maxsize=None)
def example_rows() -> dict[str, tuple[list[str], list[tuple]]]:
    """Table code → (field codes, rows in file order): what the file loader accepted as records."""
    catalog = pack().catalog
    con = duckdb.connect()
    files, _ = discover(BATCH, catalog)
    for table in catalog.tables.values():
        create_relation(con, table)
    workdir = scratch_dir()
    for src in files:
        if src.table in catalog.tables:
            load_table(con, src, catalog.tables[src.table], workdir)
    out = {}
    for code, table in catalog.tables.items():
        cols = [f.code for f in table.fields]
        quoted = ", ".join(f'"{c}"' for c in cols)
        rows = con.execute(f'SELECT {quoted} FROM "t_{code}" ORDER BY _line').fetchall()
        if rows:
            out[code] = (cols, rows)
    return out


@lru_cache(maxsize=None)
def file_run():
    """The file-based run of the example that the other inputs are compared with."""
    return validate_submission(BATCH, pack(), sample_limit=10_000, previous_date=PREVIOUS)


def comparable(result) -> dict[tuple[str, str], tuple]:
    """Per rule: status, failed, excused and the failing records as (key, value, excused) — the
    record's place (file and line) is where the inputs legitimately differ."""
    out = {}
    for r in result.rules:
        if r.id in FILE_ONLY:
            continue
        assert r.failed + r.excused == len(r.samples), f"sample limit too small for {r.id}"
        out[(r.id, r.table)] = (r.status, r.failed, r.excused, sorted((s.key or "", s.value or "", s.excused)
                                                                      for s in r.samples))
    return out


def file_only_failures(result) -> dict[str, int]:
    return {r.id: r.failed for r in result.rules if r.id in FILE_ONLY and r.failed}
