"""The whole failing record behind each sampled finding, masked as the samples are.

A sample names a place (table, file, line) and shows only the key and the failing value; the
reports can open the whole record. The first ``RECORDS_PER_RULE`` samples of each rule are looked
up, at most ``RECORDS_TOTAL`` records per run, each place once however many rules point at it.

Where the fields come from:

- files: ``t_<CODE>`` after the scan holds only the fields later queries need, so the file is read
  again — once per file holding sampled lines, and only up to its last sampled line for EAST text
  (split on 0x01 in the file's encoding); CSV and Parquet through their scan relations
  (engine/sources/tabular.py) numbered as the scan numbers them, filtered on the line;
- databases and frames (engine/sources/source.py ``TableSource``): ``t_<CODE>`` holds every field.
  A table whose rules ran where the data lives (pushdown) is not in ``t_<CODE>``: no record.

Rows with the wrong number of fields (rejected) have no record: their fields cannot be placed.
Masking is ``mask_sql`` on the fields with ``pii`` unless the run shows PII.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import duckdb

from ...compile import Plan
from ...dialects.quoting import quote_ident, sql_quote
from ...localtables import create_table
from ...results import Finding, TableResult
from ...rules.base import mask_sql
from ...signals import is_interrupt
from ...sources.discover import SourceFile
from ...sources.files import FileSource
from ...sources.load import bounded_lines
from ...spec import TableSpec

RECORDS_PER_RULE = 10
RECORDS_TOTAL = 2000
Places = dict[str, dict[str, set[int]]]  # table -> file -> lines
# table -> {"fields": {field code: Chinese name} in the spec's order, "records": {"file:line": {field code: value}}}
Records = dict[str, dict[str, dict]]


def record_key(file: str, line: int) -> str:
    """How a record is named in the results: ``file:line`` (the sample's place)."""
    return f"{file}:{line}"


def sampled_places(samples: dict[int, list[Finding]], per_rule: int = RECORDS_PER_RULE,
                   total: int = RECORDS_TOTAL) -> Places:
    """The places whose record is fetched: each rule's first ``per_rule`` samples with a line, in
    rule order, each place once, until ``total`` places."""
    places: Places = defaultdict(lambda: defaultdict(set))
    seen: set[tuple[str, str, int]] = set()
    for index in sorted(samples):
        for s in [s for s in samples[index] if s.file is not None and s.line is not None][:per_rule]:
            place = (s.table, s.file, s.line)
            if place in seen:
                continue
            if len(seen) >= total:
                return places
            seen.add(place)
            places[s.table][s.file].add(s.line)
    return places


def fetch_records(con: duckdb.DuckDBPyConnection, source, plan: Plan, samples: dict[int, list[Finding]],
                  tables: dict[str, TableResult], workdir: Path, per_rule: int = RECORDS_PER_RULE,
                  total: int = RECORDS_TOTAL) -> Records:
    """The masked records of the sampled places (see the module's docstring)."""
    places = sampled_places(samples, per_rule, total)
    if not places:
        return {}
    files = _files(source, plan) if isinstance(source, FileSource) else None
    out: Records = {}
    for code in sorted(places):
        tp = plan.tables.get(code)
        if tp is None:
            continue
        found: dict[str, dict[str, str | None]] = {}
        for file in sorted(places[code]):
            lines = places[code][file]
            if files is None:
                if not _holds_every_field(source, code):
                    break
                relation = f"(SELECT * FROM {quote_ident('t_' + code)} WHERE _file = {sql_quote(file)})"
                found.update(_select(con, tp.table, relation, lines, plan.show_pii))
            elif (code, file) in files:
                found.update(_from_file(con, files[(code, file)], tp.table, lines, tables.get(code), workdir,
                                        plan.show_pii))
        if found:
            out[code] = {"fields": {f.code: f.name for f in tp.table.fields},
                         "records": dict(sorted(found.items(), key=lambda kv: _order(kv[0])))}
    return out


def _holds_every_field(source, code: str) -> bool:
    """Whether ``t_<CODE>`` of a non-file source holds the table's rows: not so for a table whose
    rules ran where the data lives, unless its rows were loaded all the same (warehouse ``loaded``)."""
    runner = source.runner(code)
    return runner is None or getattr(getattr(runner, "binding", None), "loaded", None) == "full"


def _order(key: str) -> tuple[str, int]:
    file, _, line = key.rpartition(":")
    return file, int(line)


def _files(source: FileSource, plan: Plan) -> dict[tuple[str, str], SourceFile]:
    """The submission's files by (table, file name), as the run found them."""
    files, _ = source.discover(plan.pack.catalog)
    return {(f.table, f.path.name): f for f in files}


def _select(con, table: TableSpec, relation: str, lines: set[int], show_pii: bool) -> dict[str, dict]:
    """The masked fields of ``relation``'s rows (``_file``, ``_line``, one column per field) at ``lines``."""
    cols = ", ".join(_masked(f.code, f.pii, show_pii) for f in table.fields)
    wanted = ", ".join(map(str, sorted(lines)))
    try:
        rows = con.execute(f"SELECT _file, _line, {cols} FROM {relation} WHERE _line IN ({wanted})").fetchall()
    except duckdb.Error as exc:  # a table never loaded (pushdown) or unreadable now: no record
        if is_interrupt(exc):
            raise
        return {}
    codes = [f.code for f in table.fields]
    return {record_key(file, line): dict(zip(codes, values)) for file, line, *values in rows}


def _masked(code: str, pii: str | None, show_pii: bool) -> str:
    col = quote_ident(code)
    text = f"{col}::VARCHAR"
    return f"{text} AS {col}" if not pii or show_pii else f"{mask_sql(pii, text)} AS {col}"


def _from_file(con, src: SourceFile, table: TableSpec, lines: set[int], result: TableResult | None,
               workdir: Path, show_pii: bool) -> dict[str, dict]:
    reader = READERS.get(src.format)
    return reader(con, src, table, lines, result, workdir, show_pii) if reader else {}


def _east(con, src: SourceFile, table: TableSpec, lines: set[int], result: TableResult | None,
          workdir: Path, show_pii: bool) -> dict[str, dict]:
    """EAST text: one pass over the file up to its last wanted line, each wanted line split on 0x01
    in the file's encoding (a BOM and a CR before the LF are not part of the record); lines with
    the wrong number of fields are left out."""
    encoding = next((f.encoding for f in (result.files if result else []) if f.path == src.path.name), "utf-8")
    width, last = len(table.fields), max(lines)
    rows: list[list[str]] = []
    found: list[int] = []
    with open(src.path, "rb") as fh:  # lines numbered as the careful read numbers them, none over LINE_CAP kept
        for number, (raw, _) in enumerate(bounded_lines(fh), start=1):
            if number in lines and raw is not None:
                text = raw.rstrip(b"\r").decode(encoding, errors="replace")
                fields = (text.removeprefix("\ufeff") if number == 1 else text).split("\x01")
                if len(fields) == width:
                    rows.append(fields)
                    found.append(number)
            if number >= last:
                break
    if not rows:
        return {}
    data = {"_file": [src.path.name] * len(rows), "_line": found}
    data.update({f.code: [r[i] for r in rows] for i, f in enumerate(table.fields)})
    name = f"_jh_records_{table.code}"
    create_table(con, name, {k: ("BIGINT" if k == "_line" else "VARCHAR", v) for k, v in data.items()}, temp=True)
    try:
        return _select(con, table, quote_ident(name), lines, show_pii)
    finally:
        con.execute(f"DROP TABLE {quote_ident(name)}")


def _tabular(con, src: SourceFile, table: TableSpec, lines: set[int], result: TableResult | None,
             workdir: Path, show_pii: bool) -> dict[str, dict]:
    """CSV and Parquet: the scan's relation of the file, filtered on the line — a CSV file's rows are
    numbered as the scan numbers them, a Parquet file's wanted rows are picked by row number first."""
    from ...sources.tabular import csv_relation, parquet_relation
    if src.format == "csv":
        rel = csv_relation(con, src, table, workdir, numbered=True)
    else:
        rel = parquet_relation(con, src, table, workdir, numbered=True, lines=lines)
    try:
        if not rel.sql:
            return {}
        return _select(con, table, f"(SELECT * FROM ({rel.sql}) WHERE NOT _bad)", lines, show_pii)
    finally:
        rel.discard()


READERS = {"east": _east, "csv": _tabular, "parquet": _tabular}

__all__ = ["RECORDS_PER_RULE", "RECORDS_TOTAL", "fetch_records", "record_key", "sampled_places"]
