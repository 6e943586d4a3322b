"""Run a plan on Apache Spark: the same compiled SQL as the DuckDB path, transpiled to Spark SQL.

Loading (engine/backends/spark/load.py) registers each table as the cached temp view ``t_<CODE>``
with the DuckDB loader's columns; each table's fused scan (in chunks of row checks small enough
for Spark's generated code) and each set rule are transpiled (engine/dialects/spark.py) and run
as jobs of their own, their failure rows kept without their plans; failures are gathered into
one cached frame from which counts, samples, 备注 excuses and the --failures export are computed,
and engine.backends.shared.build_result makes the same RunResult as the DuckDB path, so every report works
unchanged.

A rule Spark cannot express is reported not run with the reason; a rule that fails on the data
(e.g. a division by zero) is isolated as on DuckDB: the fused scan is retried rule by rule.
"""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
import time
from datetime import datetime, timezone
from pathlib import Path

from py4j.protocol import Py4JError
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession, functions as F
from pyspark.sql.types import BooleanType, IntegerType, LongType, StringType, StructField, StructType

from ...compile import Plan, TablePlan, build_plan, fused_sql, set_rule_sql, single_check_sql
from ...errors import UsageError
from ...excuses import REMARK_FIELD
from ...dialects.quoting import sql_quote
from ...results import Finding, RunResult, TableResult
from ...rules import CompileContext, refusals
from ...waivers import WaiverSet, _key_condition
from ..shared import (build_result, engine_versions, excuse_groups, run_options, runnable_set_rules, samples_by_rule,
                     samples_sql, skip_absent)
from ...ruleset import RulePack
from ...sources import FileFinding
from ...sources.files import FileSource
from ...scope import Scope
from ...scratch import scratch_dir
from .helpers import install_helpers
from .load import load_submission, view_name
from ...dialects.spark import SparkUnsupported, to_spark

SPARK_ERRORS = (PySparkException, Py4JError)
FAILURES = StructType([StructField("_rule", IntegerType()), StructField("_file", StringType()),
                       StructField("_line", LongType()), StructField("_key", StringType()),
                       StructField("_value", StringType())])
FAILURES_VIEW = "_jianhe_failures"
THREADS = 2  # queries submitted at once
CHUNK = 16  # row checks per fused-scan query: on a 50,000-loan batch 31 s, against 40 s for whole tables, 55 s for 48
# per run: constraint propagation infers facts from every predicate of the fused scans (slow on
# their large expressions) and fails on a union of checkpointed frames (key not found: _file#…)
RUN_SETTINGS = {"spark.sql.constraintPropagation.enabled": "false"}
DEFAULT_CONF = {"spark.ui.showConsoleProgress": "false", "spark.sql.session.timeZone": "UTC"}


def spark_session(master: str | None = None, conf: dict[str, str] | None = None) -> SparkSession:
    """The active session (e.g. under spark-submit) or a new one; ``master`` defaults to local[*]."""
    builder = SparkSession.builder.appName("jianhe")
    if master:
        builder = builder.master(master)
    for key, value in {**DEFAULT_CONF, **(conf or {})}.items():
        builder = builder.config(key, value)
    try:
        return builder.getOrCreate()
    except (RuntimeError, OSError, *SPARK_ERRORS) as exc:  # no Java, bad master URL …
        raise UsageError(f"Spark could not start ({str(exc).splitlines()[0]}); the Spark engine needs "
                         "Java 17+ and a reachable --spark-master") from None


def validate_submission(submission: Path | FileSource, pack: RulePack, *, fail_on: str = "strong", show_pii: bool = False,
                        sample_limit: int = 50, failures_path: Path | None = None, previous_date: str | None = None,
                        waivers: WaiverSet | None = None, calendar: Path | None = None,
                        memory_limit: str | None = None, progress=None, spark: SparkSession | None = None,
                        spark_master: str | None = None, spark_conf: dict[str, str] | None = None,
                        tables: list[str] | None = None, require_tables: str | list[str] | None = None) -> RunResult:
    """Validate one submission folder (or file) on Spark; the same results model as the DuckDB path.
    ``progress`` is accepted for the same call shape and not reported (Spark has its own UI)."""
    if memory_limit:
        raise UsageError("--memory-limit sets DuckDB's memory; on Spark give --spark-conf spark.driver.memory=… "
                         "(local mode) or spark.executor.memory=… (cluster)")
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    source = submission if isinstance(submission, FileSource) else FileSource(submission)
    files, findings = source.discover(pack.catalog)
    scope = Scope.build(pack, tables, require_tables)
    plan = build_plan(pack, show_pii, tables=list(scope.only) if scope.narrowed else None,
                      params={"previous_date": previous_date})
    calendars = [f for f in (pack.options.get("calendar"), calendar) if f]  # working-day files, later wins
    session = spark or spark_session(spark_master, spark_conf)
    timings: dict[str, float] = {}
    workdir = scratch_dir()
    cached: list[DataFrame] = []
    views: list[str] = []
    with run_settings(session):  # the caller's session is left as it was
        try:
            mark = time.perf_counter()
            tables = load_submission(session, plan, files, findings, workdir, cached)
            views += [view_name(code) for code, t in tables.items() if t.present]
            findings += scope.absent_findings(tables)
            timings["load_s"] = time.perf_counter() - mark
            mark = time.perf_counter()
            parts, not_run = run_rules(session, plan, tables, findings, calendars, views, scope)
            cached += parts
            failures = excuse(session, plan, tables, union_failures(session, plan, parts, findings))
            failures, waiver_records = waive(plan, failures, waivers)
            failures = failures.persist()
            cached.append(failures)
            counts = {row[0]: (row[1], row[2], row[3]) for row in failures.groupBy("_rule").agg(
                F.count_if(~F.col("_excused") & ~F.col("_waived")), F.count_if(F.col("_excused")),
                F.count_if(F.col("_waived"))).collect()}
            timings["rules_s"] = time.perf_counter() - mark
            samples = collect_samples(session, plan, failures, sample_limit)
            if failures_path:
                export_failures(session, plan, failures, Path(failures_path))
        finally:
            for frame in cached:
                frame.unpersist()
            for name in views + [FAILURES_VIEW]:
                session.catalog.dropTempView(name)
            shutil.rmtree(workdir, ignore_errors=True)
    options = {**run_options(fail_on, show_pii, sample_limit, previous_date, failures_path, calendars),
               "engine": "spark", "spark_master": session.sparkContext.master}
    return build_result(source, pack, plan, tables, counts, samples, not_run, options=options,
                        inputs=source.inputs(tables), waiver_records=waiver_records, timings=timings,
                        engine={**engine_versions(), "spark": session.version}, started=started,
                        started_at=started_at, fail_on=fail_on)


@contextmanager
def run_settings(spark: SparkSession):
    """RUN_SETTINGS for the run, the session's own values restored after (it may be the caller's)."""
    before = {key: spark.conf.get(key, None) for key in RUN_SETTINGS}
    for key, value in RUN_SETTINGS.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


# ------------------------------------------------------------------ rules

def run_rules(spark: SparkSession, plan: Plan, tables: dict[str, TableResult], findings: list[FileFinding],
              calendars: list, views: list[str], scope: Scope | None = None) -> tuple[list[DataFrame], dict[int, str]]:
    """Every table's fused scan (in chunks) and every set rule, each its own Spark job: a union of
    them all is one job, but Spark plans and optimises such a union for longer than the queries
    run, again at every later step. A query failing on the data is isolated rule by rule.
    Returns the failure frames and the notes of rules that did not run; the helper views
    created are added to ``views``."""
    not_run: dict[int, str] = dict(plan.not_run)
    scope = scope or Scope()
    batch: list[tuple[TablePlan, int | list, str]] = []  # (table, set rule index or a scan's checks, SQL)
    for tp in plan.tables.values():
        if skip_absent(tp, tables, not_run):
            continue
        for index, reason in refusals(tp.row_rules + tp.set_rules, "spark", not_run).items():
            not_run[index] = f"not supported on Spark: {reason}"
        batch += [(tp, chunk, sql) for chunk, sql in fused_for_spark(plan, tp, not_run)]
        for _, entry in runnable_set_rules(plan, tp, tables, findings, not_run, scope):
            try:
                batch.append((tp, entry.index, to_spark(set_rule_sql(plan, entry))))
            except SparkUnsupported as exc:
                not_run[entry.index] = f"not supported on Spark: {exc}"
    if not batch:
        return [], not_run
    views += install_helpers(spark, [sql for _, _, sql in batch], calendars)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:  # one query plans while another runs
        done = pool.map(lambda item: run_alone(spark, *item, not_run), batch)
        return [part for parts in done for part in parts], not_run


def run_alone(spark: SparkSession, tp: TablePlan, what: int | list, sql: str, not_run: dict[int, str]) -> list[DataFrame]:
    """One query of the batch on its own; a failing scan chunk is retried rule by rule."""
    if isinstance(what, int):
        return [df] if (df := run_guarded(spark, sql, not_run, what, transpiled=True)) is not None else []
    try:
        return [materialise(spark.sql(sql))]
    except SPARK_ERRORS:
        return [df for check in what if check[0] not in not_run
                if (df := run_guarded(spark, single_check_sql(tp, check), not_run, check[0])) is not None]


def fused_for_spark(plan: Plan, tp: TablePlan, not_run: dict[int, str]) -> list[tuple[list, str]]:
    """The table's fused scan in Spark SQL as (checks, SQL) chunks of at most CHUNK checks: one
    expression over all of a wide table's rules outgrows Java's 64 KB method limit, and Spark then
    evaluates it without generated code. Rules Spark cannot express are left out and noted."""
    ctx = CompileContext(plan.pack.catalog, tp.table, plan.show_pii, plan.params)
    checks = [c for c in tp.checks if c[0] not in not_run]
    out = []
    for start in range(0, len(checks), CHUNK):
        chunk = checks[start:start + CHUNK]
        try:
            out.append((chunk, to_spark(fused_sql(ctx, chunk))))
        except SparkUnsupported:
            ok = portable(tp, chunk, not_run)
            if ok:
                out.append((ok, to_spark(fused_sql(ctx, ok))))
    return out


def portable(tp: TablePlan, checks: list, not_run: dict[int, str]) -> list:
    """The checks that transpile; the others are marked not run with the reason."""
    ok = []
    for check in checks:
        try:
            to_spark(single_check_sql(tp, check))
            ok.append(check)
        except SparkUnsupported as exc:
            not_run[check[0]] = f"not supported on Spark: {exc}"
    return ok


def run_guarded(spark: SparkSession, sql: str, not_run: dict[int, str], index: int,
                transpiled: bool = False) -> DataFrame | None:
    """One rule's query; a rule Spark cannot express or that fails on the data is noted, not raised."""
    if not transpiled:
        try:
            sql = to_spark(sql)
        except SparkUnsupported as exc:
            not_run[index] = f"not supported on Spark: {exc}"
            return None
    try:
        return materialise(spark.sql(sql))
    except SPARK_ERRORS as exc:
        not_run[index] = f"failed on this data: {first_line(exc)}"
        return None


def conform(frame: DataFrame) -> DataFrame:
    """A failure query's columns with the types of FAILURES."""
    return frame.select(*[F.col(f.name).cast(f.dataType) for f in FAILURES.fields])


def materialise(frame: DataFrame) -> DataFrame:
    """Run a failure query now, so a failure on the data surfaces here, and keep its rows without
    its plan: every later step (excuses, counts, samples) would otherwise analyse and compare the
    whole plan again, with the fused scans' large expressions — minutes and the driver's memory."""
    return conform(frame).localCheckpoint(eager=True)


def first_line(exc: BaseException) -> str:
    text = getattr(exc, "getMessage", lambda: str(exc))() if isinstance(exc, PySparkException) else str(exc)
    return (text or type(exc).__name__).strip().splitlines()[0][:300]


# ------------------------------------------------------------------ results

def union_failures(spark: SparkSession, plan: Plan, parts: list[DataFrame], findings: list[FileFinding]) -> DataFrame:
    index = {(e.rule.id, e.rule.table): e.index for e in plan.entries}
    rows = [(index[(f.rule_id, f.table)], f.file, f.line, None, f.value) for f in findings]
    frame = spark.createDataFrame(rows, FAILURES)
    for part in parts:
        frame = frame.unionByName(part)
    return frame


def excuse(spark: SparkSession, plan: Plan, tables: dict[str, TableResult], failures: DataFrame) -> DataFrame:
    """Add ``_excused``: the row's 备注 carries a token that excuses the rule (kept, counted apart)."""
    failures.createOrReplaceTempView(FAILURES_VIEW)
    excused = [
        f"SELECT DISTINCT f._rule, f._file, f._line FROM {FAILURES_VIEW} f JOIN `{view_name(code)}` t "
        f"ON f._file = t._file AND f._line = t._line WHERE f._rule IN ({', '.join(map(str, indexes))}) "
        f"AND arrays_overlap(split(coalesce(t.`{REMARK_FIELD}`, ''), ';'), array({', '.join(map(sql_quote, tokens))}))"
        for (code, tokens), indexes in excuse_groups(plan, tables).items()]
    if not excused:
        return failures.withColumn("_excused", F.lit(False))
    keys = spark.sql(" UNION ".join(excused)).withColumn("_hit", F.lit(True))
    return (failures.join(keys, ["_rule", "_file", "_line"], "left")
            .withColumn("_excused", F.coalesce(F.col("_hit"), F.lit(False)).cast(BooleanType())).drop("_hit"))


def waive(plan: Plan, failures: DataFrame, waivers: WaiverSet | None) -> tuple[DataFrame, list[dict]]:
    """Add ``_waived``: as engine.waivers.apply_waivers, each active waiver in turn marks the failures
    of its rules and keys not yet excused or waived; returns the manifest record of every waiver."""
    if not waivers:
        return failures.withColumn("_waived", F.lit(False)), []
    by = F.lit(None).cast("int")
    for i, w in enumerate(waivers.waivers):
        indexes = [e.index for e in plan.entries if w.covers_rule(e.rule.id, e.rule.table)]
        if indexes and not w.expired(waivers.today):
            covered = ~F.col("_excused") & F.col("_rule").isin(indexes) & F.expr(condition_sql(_key_condition(w.keys)))
            by = F.when(by.isNull() & covered, F.lit(i)).otherwise(by)
    failures = failures.withColumn("_waived_by", by)
    counts = dict(failures.groupBy("_waived_by").count().collect())
    records = [{"rule": w.rule, "table": w.table, "keys": list(w.keys), "reason": w.reason, "approver": w.approver,
                "expiry": w.expiry.isoformat(), "status": "expired" if w.expired(waivers.today) else "active",
                "waived": int(counts.get(i, 0)), "source": w.source} for i, w in enumerate(waivers.waivers)]
    return failures.withColumn("_waived", F.col("_waived_by").isNotNull()).drop("_waived_by"), records


def condition_sql(duckdb_condition: str) -> str:
    """A DuckDB boolean expression as Spark SQL (through a one-column SELECT)."""
    sql = to_spark(f"SELECT {duckdb_condition} AS _c")
    return sql[len("SELECT "):sql.rindex(" AS _c")]


def collect_samples(spark: SparkSession, plan: Plan, failures: DataFrame, limit: int) -> dict[int, list[Finding]]:
    """The first ``limit`` failures of each rule, in the DuckDB path's order (NULL keys last)."""
    failures.createOrReplaceTempView(FAILURES_VIEW)
    return samples_by_rule(plan, spark.sql(samples_sql(FAILURES_VIEW, limit)).collect())


def export_failures(spark: SparkSession, plan: Plan, failures: DataFrame, path: Path) -> None:
    """Every failure as (rule_id, table, severity, file, line, key, value, excused, waived): a Parquet folder
    with one part file (Spark writes folders; DuckDB, pandas and Spark read it as one table)."""
    ids = spark.createDataFrame([(e.index, e.rule.id, e.rule.table, e.rule.severity) for e in plan.entries],
                                "_rule INT, rule_id STRING, tbl STRING, severity STRING")
    (failures.join(ids, "_rule")
     .select("rule_id", F.col("tbl").alias("table"), "severity", F.col("_file").alias("file"),
             F.col("_line").alias("line"), F.col("_key").alias("key"), F.col("_value").alias("value"),
             F.col("_excused").alias("excused"), F.col("_waived").alias("waived"))
     .repartition(1).sortWithinPartitions("table", "rule_id", "file", "line")
     .write.mode("overwrite").parquet(str(path)))


__all__ = ["spark_session", "validate_submission"]
