"""Load a submission's files into Spark temp views ``t_<CODE>``, shaped as the DuckDB loader's tables.

Same columns (_file, _line, _file_date, _ctrl, _quote, then one text column per field), same
line numbers and the same findings: EAST text files go through the same streaming pre-scan as
the DuckDB path (BOM, CRLF, GB18030, invalid UTF-8, NUL — engine.sources.load), then Spark reads
the lines (``\\n`` only), numbers them, splits them on 0x01 and rejects lines with the wrong
field count. CSV is read with the dialect DuckDB's sniffer finds; Parquet as it is, every column
as text. Line numbers come from each partition's row count (no global sort, no Python rows).
"""
from __future__ import annotations

import os
from functools import reduce
from pathlib import Path

import duckdb
from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, functions as F

from ...compile import Plan
from ...dialects.quoting import sql_quote
from ...results import FileInfo, TableResult
from ...rules.forbidden_chars import CHARSETS, char_class
from ...sources import FileFinding
from ...sources.discover import SourceFile
from ...sources.load import clean_copy, file_sha256, prescan
from ...spec import TableSpec
from ...dialects.regex import java_search

ID_BITS = 33  # monotonically_increasing_id(): partition index << 33 | row index in the partition
CONTROL = java_search(char_class(CHARSETS["control"]))
QUOTE = java_search('"')


def view_name(code: str) -> str:
    return f"t_{code}"


def numbered(frame: DataFrame, first: int, cached: list[DataFrame]) -> tuple[DataFrame, int]:
    """Add ``_line``: the row's position in the file (from ``first``), which Spark reads in order
    partition by partition; only a row count per partition reaches the driver. Returns the rows
    (cached: ids must not be computed twice; added to ``cached`` for release) and their count."""
    frame = frame.withColumn("_id", F.monotonically_increasing_id()).persist(StorageLevel.MEMORY_AND_DISK)
    cached.append(frame)
    part = F.shiftright(F.col("_id"), ID_BITS)
    counts = dict(frame.groupBy(part.alias("p")).count().collect())
    offsets, running = [], first
    for p in range(max(counts, default=-1) + 1):
        offsets.append(running)
        running += counts.get(p, 0)
    offset = F.element_at(F.array(*[F.lit(o) for o in offsets]), part.cast("int") + 1) if offsets else F.lit(first)
    lines = frame.withColumn("_line", (offset + (F.col("_id") - F.shiftleft(part, ID_BITS))).cast("long")).drop("_id")
    return lines, running - first


def fields_matching(table: TableSpec, values: Column, raw: Column, pattern: str) -> Column:
    """Names of the fields holding a character of the class (only computed for lines with one)."""
    names = F.array(*[F.lit(f.code) for f in table.fields])
    hit = F.filter(names, lambda _n, i: F.element_at(values, i + 1).rlike(pattern))
    return F.when(raw.rlike(pattern), F.array_join(hit, ","))


def east_frame(spark: SparkSession, src: SourceFile, table: TableSpec, workdir: Path, cached: list[DataFrame]):
    """(frame of good rows, FileInfo, findings) for one EAST text file."""
    scan = prescan(src.path)
    path = clean_copy(src, scan, workdir) if scan.needs_cleaning else src.path
    findings = list(scan.findings)
    if scan.bom:
        findings.insert(0, FileFinding("FILE.BOM", src.table, src.path.name, 1))
    n = len(table.fields)
    lines, rows_read = numbered(spark.read.option("lineSep", "\n").text(str(path)), 1, cached)
    if scan.bom:  # the BOM is not part of the first field (DuckDB drops it while reading)
        lines = lines.withColumn("value", F.when(F.col("_line") == 1, F.regexp_replace("value", "^\ufeff", ""))
                                 .otherwise(F.col("value")))
    lines = lines.withColumn("_nf", F.size(F.split("value", "\x01", -1)))
    if scan.bad_lines:
        lines = lines.filter(~F.col("_line").isin(sorted(scan.bad_lines)))
    wrong = lines.filter(F.col("_nf") != n).select("_line", "_nf").orderBy("_line").collect()
    findings += [FileFinding("FILE.FIELD_COUNT", src.table, src.path.name, line, f"{count} fields, expected {n}")
                 for line, count in wrong]
    values = F.split("value", "\x01", -1)
    good = lines.filter(F.col("_nf") == n).select(
        F.lit(src.path.name).alias("_file"), "_line", F.lit(src.collection_date).cast("string").alias("_file_date"),
        fields_matching(table, values, F.col("value"), CONTROL).alias("_ctrl"),
        fields_matching(table, values, F.col("value"), QUOTE).alias("_quote"),
        *[F.element_at(values, i + 1).alias(f.code) for i, f in enumerate(table.fields)])
    info = FileInfo(src.path.name, src.path.stat().st_size, rows_read, len(wrong) + len(scan.bad_lines),
                    src.collection_date, scan.sha256, scan.encoding)
    return good, info, findings


def csv_reader(spark: SparkSession, path: Path):
    """Spark's CSV reader set to the dialect DuckDB's sniffer finds (delimiter, quote, escape)."""
    delim, quote, escape = duckdb.connect().execute(
        f"SELECT Delimiter, Quote, Escape FROM sniff_csv({sql_quote(str(path))})").fetchone()
    quote = "\u0000" if quote in ("", "(empty)") else quote
    escape = quote if escape in ("", "(empty)") else escape
    return (spark.read.option("header", True).option("inferSchema", False).option("sep", delim)
            .option("quote", quote).option("escape", escape).option("multiLine", True)
            .option("mode", "PERMISSIVE").option("encoding", "UTF-8"))


def frame_file(src: SourceFile, table: TableSpec, raw: DataFrame, first_line: int, cached: list[DataFrame]):
    """Shared by CSV and Parquet: match columns by field code or Chinese name, all as text."""
    by_name = {}
    for col in raw.columns:
        f = table.field(col) or table.field(col.strip().upper())
        if f:
            by_name[f.code] = col
    findings = [FileFinding("FILE.FIELD_COUNT", src.table, src.path.name, None, f"missing column {f.code} {f.name}")
                for f in table.fields if f.code not in by_name]
    size = src.path.stat().st_size
    if findings:
        rows = raw.count()
        return None, FileInfo(src.path.name, size, rows, rows, src.collection_date, file_sha256(src.path)), findings
    cols = [F.col(f"`{by_name[f.code]}`").cast("string") for f in table.fields]
    texts = [F.col(f"`{c}`").cast("string") for c in by_name.values()]
    values = F.array(*cols)
    raw_line = F.concat_ws("\x01", *[F.coalesce(t, F.lit("")) for t in texts])
    frame, rows = numbered(raw, first_line, cached)
    good = frame.select(F.lit(src.path.name).alias("_file"), "_line",
                        F.lit(src.collection_date).cast("string").alias("_file_date"),
                        fields_matching(table, values, raw_line, CONTROL).alias("_ctrl"),
                        fields_matching(table, values, raw_line, QUOTE).alias("_quote"),
                        *[c.alias(f.code) for c, f in zip(cols, table.fields)])
    return good, FileInfo(src.path.name, size, rows, 0, src.collection_date, file_sha256(src.path)), []


def load_file(spark: SparkSession, src: SourceFile, table: TableSpec, workdir: Path, cached: list[DataFrame]):
    """(good rows or None, FileInfo, findings); a cleaned copy stays in ``workdir`` for the run."""
    if not os.access(src.path, os.R_OK):
        return None, FileInfo(src.path.name, src.path.stat().st_size, 0, 0, src.collection_date), [
            FileFinding("FILE.UNREADABLE", src.table, src.path.name, None, "permission denied")]
    if src.format == "east":
        good, info, findings = east_frame(spark, src, table, workdir, cached)
    else:
        raw = csv_reader(spark, src.path).csv(str(src.path)) if src.format == "csv" else spark.read.parquet(str(src.path))
        good, info, findings = frame_file(src, table, raw, 2 if src.format == "csv" else 1, cached)
    if info.rows_read == 0:
        findings.append(FileFinding("FILE.EMPTY", src.table, src.path.name))
    return good, info, findings


def load_submission(spark: SparkSession, plan: Plan, files: list[SourceFile], findings: list[FileFinding],
                    workdir: Path, cached: list[DataFrame]) -> dict[str, TableResult]:
    """Register every table of the submission as a temp view; the cached tables are
    added to ``cached`` for release after the run."""
    tables: dict[str, TableResult] = {}
    frames: dict[str, list[DataFrame]] = {}
    numbered_rows: list[DataFrame] = []
    for code, tp in plan.tables.items():
        tables[code] = TableResult(code, tp.table.name, tp.table.kind, present=False)
    for src in files:
        if src.table not in tables:
            continue
        good, info, file_findings = load_file(spark, src, plan.tables[src.table].table, workdir, numbered_rows)
        findings += file_findings
        if good is not None:
            frames.setdefault(src.table, []).append(good)
        t = tables[src.table]
        t.present = True
        t.files.append(info)
        t.rows_read += info.rows_read
        t.rows_rejected += info.rows_rejected
        t.rows_checked = t.rows_read - t.rows_rejected
    for code, parts in frames.items():  # no view for an absent table: its rules do not run
        frame = reduce(DataFrame.unionByName, parts).persist(StorageLevel.MEMORY_AND_DISK)
        frame.count()  # materialise once: every rule reads the cached rows
        cached.append(frame)
        frame.createOrReplaceTempView(view_name(code))
    for frame in numbered_rows:  # the tables hold what the rules read
        frame.unpersist()
    return tables


__all__ = ["load_submission", "view_name"]
