"""In-memory tables — pandas DataFrames, PyArrow tables and streams, DuckDB relations, anything
with the Arrow stream interface — loaded as text exactly like Parquet files.

Columns are matched to fields by code or Chinese name (a field given twice, e.g. ``DKJE`` and
``贷款金额``, or missing leaves the frame unchecked: FILE.FIELD_COUNT); each value becomes the text
a bank's EAST file would hold, and NULL (None, NaN, NaT, pd.NA) stays NULL, which every rule
treats as empty:

- text as it is; integers in decimal; booleans ``true``/``false``;
- decimals with their own digits: an Arrow ``decimal128(20, 2)`` as ``1234.50``, a Python
  ``Decimal('1234.5')`` as ``1234.5`` (never through a float);
- floats in their shortest round-trip form, never in exponent form, integral ones without
  ``.0`` (``0.1`` → ``0.1``, ``12.0`` → ``12``: pandas turns integer columns with gaps into
  floats);
- dates ``YYYYMMDD`` (``YYYYMM`` in a YYYYMM field); timestamps in the field's format (``YYYYMMDD``,
  ``YYYYMM`` or ``hhmmss``), else ``YYYYMMDDhhmmss``; times ``hhmmss``; time-zone-aware values
  at their wall-clock time in their own zone.

A record's "line" is its 1-based row number, as for Parquet.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import UsageError
from ..results import FileInfo, TableResult
from ..spec import TableSpec
from .findings import FileFinding
from .source import TableSource, empty_tables, insert_rows, record
from .tabular import match_columns
from .typed_text import float_text, install_float_text, python_text, text_sql

LINE = "_jh_n"


@dataclass
class FrameInput:
    label: str  # what findings name as the "file": the table name as the caller gave it
    kind: str  # pandas.DataFrame, pyarrow.Table …
    data: object


def _column_names(data, pandas: bool) -> list[str]:
    """A frame's column names, matched to fields as for CSV/Parquet (a non-text name matches none)."""
    if pandas:
        return [c if isinstance(c, str) else "" for c in data.columns]
    return list(data.schema.names)


def _pandas_frame(df, table: TableSpec, places: dict[str, int]) -> pa.Table:
    """The matched columns of a DataFrame (field code → position) as Arrow, named by field code:
    object columns written as text value by value, time-zone-aware ones at their local wall time,
    the rest with their Arrow types."""
    import pandas as pd
    arrays, fields = [], []
    for code, place in places.items():
        series = df.iloc[:, place]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_localize(None)
        if series.dtype == object:
            spec_field = table.field(code)
            array = pa.array([python_text(v, spec_field) for v in series], pa.string())
        else:
            array = pa.array(series, from_pandas=True)
        arrays.append(array)
        fields.append(code)
    return pa.table(arrays, names=fields)


def _local_time(batch: pa.RecordBatch | pa.Table):
    """Time-zone-aware timestamps as the wall-clock time in their own zone."""
    columns = []
    changed = False
    for column, field in zip(batch.columns, batch.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz:
            column, changed = pc.local_timestamp(column), True
        columns.append(column)
    if not changed:
        return batch
    return type(batch).from_arrays(columns, names=batch.schema.names)


def _arrow(data) -> pa.RecordBatchReader | pa.Table:
    """Anything with the Arrow stream interface (PyArrow, DuckDB relations, polars …) as Arrow."""
    if isinstance(data, pa.RecordBatch):
        data = pa.Table.from_batches([data])
    if isinstance(data, pa.Table):
        return _local_time(data)
    if isinstance(data, duckdb.DuckDBPyRelation):
        reader = data.to_arrow_reader(100_000) if hasattr(data, "to_arrow_reader") else data.fetch_record_batch(100_000)
    elif isinstance(data, pa.RecordBatchReader):
        reader = data
    elif hasattr(data, "__arrow_c_stream__"):
        reader = pa.RecordBatchReader.from_stream(data)
    else:
        raise UsageError(f"cannot validate a {type(data).__name__}: give a DataFrame, a PyArrow table, a DuckDB "
                         "relation, a folder, a database URL or a dict of table → one of those")
    if not any(pa.types.is_timestamp(f.type) and f.type.tz for f in reader.schema):
        return reader
    schema = _local_time(pa.Table.from_batches([], reader.schema)).schema
    return pa.RecordBatchReader.from_batches(schema, (_local_time(b) for b in reader))


def _numbered(data: pa.Table | pa.RecordBatchReader):
    """The rows with their 1-based number in ``_jh_n`` (DuckDB may scan Arrow out of order)."""
    if isinstance(data, pa.Table):
        return data.append_column(LINE, pa.array(range(1, data.num_rows + 1), pa.int64()))
    schema = data.schema.append(pa.field(LINE, pa.int64()))

    def batches():
        first = 1
        for batch in data:
            yield pa.RecordBatch.from_arrays([*batch.columns, pa.array(range(first, first + batch.num_rows), pa.int64())],
                                             schema=schema)
            first += batch.num_rows
    return pa.RecordBatchReader.from_batches(schema, batches())


def _row_count(data, pandas: bool) -> int:
    """Rows of a frame that is not checked (a stream is read to its end to count them)."""
    if pandas or isinstance(data, pa.Table):
        return len(data)
    return sum(batch.num_rows for batch in data)


def is_frame(data) -> bool:
    """True for the in-memory table types this source reads."""
    kind = type(data)
    return (kind.__module__.split(".")[0] == "pandas" and kind.__name__ == "DataFrame") or isinstance(
        data, (pa.Table, pa.RecordBatch, pa.RecordBatchReader, duckdb.DuckDBPyRelation)) or hasattr(
        data, "__arrow_c_stream__")


def kind_name(data) -> str:
    kind = type(data)
    return f"{kind.__module__.split('.')[0]}.{kind.__name__}"


class FrameSource(TableSource):
    """Tables given in memory: ``{table code or Chinese name: frame}``."""

    def __init__(self, frames: dict[str, FrameInput]):
        self.frames = frames
        self.label = "memory: " + ", ".join(f.label for f in frames.values())

    def __enter__(self) -> "FrameSource":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def load(self, con: duckdb.DuckDBPyConnection, plan, findings: list[FileFinding], workdir: Path) -> dict[str, TableResult]:
        tables = empty_tables(con, plan)
        install_float_text(con)
        for code, frame in self.frames.items():
            if code not in plan.tables:
                continue
            table = plan.tables[code].table
            info, found = self._load_one(con, table, frame)
            findings += found
            record(tables, code, info)
        return tables

    def _load_one(self, con, table: TableSpec, frame: FrameInput) -> tuple[FileInfo, list[FileFinding]]:
        pandas = frame.kind.startswith("pandas.")
        data = frame.data if pandas else _arrow(frame.data)
        names = _column_names(data, pandas)
        places, findings = match_columns(table, names, frame.label)
        if findings:  # a field given twice or missing: not checked, its rows rejected
            rows = _row_count(data, pandas)
            info = FileInfo(frame.label, 0, rows, rows)
        else:
            info = self._insert(con, table, frame, _numbered(_pandas_frame(data, table, places) if pandas else data),
                                {code: code if pandas else names[i] for code, i in places.items()})
        if info.rows_read == 0:
            findings.append(FileFinding("FILE.EMPTY", table.code, frame.label))
        return info, findings

    @staticmethod
    def _insert(con, table: TableSpec, frame: FrameInput, data, columns: dict[str, str]) -> FileInfo:
        """Append the frame's rows (``columns``: field code → its column) to ``t_<CODE>`` as text."""
        name = "_frame_rows"
        con.register(name, data)
        try:
            types = {c[0]: c[1] for c in con.execute(f"DESCRIBE SELECT * FROM {name}").fetchall()}
            fields = {f.code: text_sql(columns[f.code], types[columns[f.code]], f) for f in table.fields}
            rows = insert_rows(con, table, name, fields, LINE, frame.label)
        finally:
            con.unregister(name)
        return FileInfo(frame.label, 0, rows, 0)

    def inputs(self, tables: dict[str, TableResult]) -> list[dict]:
        out = []
        for code, frame in sorted(self.frames.items()):
            t = tables.get(code)
            out.append({"file": frame.label, "table": code, "bytes": None, "sha256": None,
                        "rows_read": t.rows_read if t else 0, "rows_rejected": t.rows_rejected if t else 0,
                        "source": frame.kind, "mode": "memory", "note": None})
        return out


__all__ = ["FrameInput", "FrameSource", "is_frame", "kind_name"]
