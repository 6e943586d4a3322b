"""The small tables rule SQL reads besides the submission, as Spark temp views.

On DuckDB, engine.identifiers.install_macros creates the reference lists (GB/T 2260 divisions,
ISO 4217/3166, GB/T 4754) and engine.workdays the working-day calendar. Spark gets the same rows
as temp views of the same names — only those the run's SQL names, since each costs a job.
"""
from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
from pyspark.sql import SparkSession

from ...identifiers import reference_tables
from ...localtables import arrow_table
from ...workdays import WorkCalendar

HELPER_NAME = re.compile(r"\b(_jh_[a-z_]+)\b")


def helper_tables(calendars: list[Path | str]) -> dict[str, pa.Table]:
    """Every helper table by name (the calendar from the package years plus ``calendars``)."""
    tables = {t.name: arrow_table(t.column_values()) for t in reference_tables()}
    days, spans = (arrow_table(columns) for columns in WorkCalendar(list(calendars)).columns())
    tables.update({"_jh_workdays": days, "_jh_workday_spans": spans})
    return tables


def install_helpers(spark: SparkSession, sqls: list[str], calendars: list[Path | str]) -> list[str]:
    """Create the helper views the given Spark SQL texts name; returns their names (to drop)."""
    wanted = {name for sql in sqls for name in HELPER_NAME.findall(sql)}
    if not wanted:
        return []
    available = helper_tables(calendars)
    made = []
    for name in sorted(wanted & set(available)):
        table = available[name]
        try:
            frame = spark.createDataFrame(table)  # pyspark >= 4 takes Arrow directly
        except (TypeError, ValueError):
            frame = spark.createDataFrame(table.to_pandas())
        frame.createOrReplaceTempView(name)
        made.append(name)
    return made


__all__ = ["helper_tables", "install_helpers"]
