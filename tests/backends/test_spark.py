"""The Spark engine reports what DuckDB reports: same per-rule counts and the same failing
(rule, table, file, line) records, on the shipped example and on a generated batch; and the
DuckDB functions it translates mean the same on Spark for awkward values.

Needs pyspark (``pip install -e '.[spark]'``) and Java 17+; skipped otherwise. One local
SparkSession (local[2], 4 shuffle partitions, no UI) serves the whole module.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
    pytest.skip("Java (17+) is not installed: the Spark engine cannot start", allow_module_level=True)

from engine.backends.spark import fused_for_spark, validate_submission as spark_validate  # noqa: E402
from engine.backends.spark.helpers import helper_tables, install_helpers  # noqa: E402
from engine.compile import build_plan  # noqa: E402
from engine.dialects.spark import to_spark  # noqa: E402
from engine.cli import main  # noqa: E402
from engine.ruleset import load_pack  # noqa: E402
from engine.backends.duckdb.run import validate_submission as duckdb_validate  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "east5"
BATCH = EXAMPLE / "B0001H111000001-20240630"
PREVIOUS = json.loads((EXAMPLE / "expected_findings.json").read_text("utf-8"))["previous_date"]
BIG = int(os.environ.get("JIANHE_SPARK_LOANS", "0"))  # e.g. 1000000 for the benchmark-size comparison


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession
    session = (SparkSession.builder.master("local[2]").appName("jianhe-tests")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4").config("spark.sql.session.timeZone", "UTC")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def pack():
    return load_pack(ROOT / "rulesets" / "east5_core")


def failing(result) -> set[tuple]:
    return {(s.rule_id, s.table, s.file, s.line) for r in result.rules for s in r.samples}


def assert_same(duck, spk) -> None:
    """Per rule: status, failed, excused and waived counts; every failing record; rows per table."""
    by_rule = {(r.table, r.id): r for r in spk.rules}
    assert sorted(by_rule) == sorted((r.table, r.id) for r in duck.rules)
    diffs = [((r.table, r.id), (r.status, r.failed, r.excused, r.waived, r.note),
              (o.status, o.failed, o.excused, o.waived, o.note))
             for r in duck.rules if (r.status, r.failed, r.excused, r.waived)
             != ((o := by_rule[(r.table, r.id)]).status, o.failed, o.excused, o.waived)]
    assert diffs == []
    assert all(r.failed + r.excused + r.waived == len(r.samples) for r in duck.rules), "raise sample_limit"
    assert sorted(failing(spk) - failing(duck), key=str) == [], "found by Spark only"
    assert sorted(failing(duck) - failing(spk), key=str) == [], "found by DuckDB only"
    values = {(s.rule_id, s.table, s.file, s.line): s.value for r in duck.rules for s in r.samples}
    assert [k for r in spk.rules for s in r.samples if values[(k := (s.rule_id, s.table, s.file, s.line))] != s.value] == []
    rows = [(t.code, t.rows_read, t.rows_checked, t.rows_rejected) for t in duck.tables]
    assert [(t.code, t.rows_read, t.rows_checked, t.rows_rejected) for t in spk.tables] == rows
    assert spk.verdict == duck.verdict


def test_example_gives_duckdbs_results(spark, pack):
    duck = duckdb_validate(BATCH, pack, sample_limit=100_000, previous_date=PREVIOUS)
    started = time.perf_counter()
    spk = spark_validate(BATCH, pack, sample_limit=100_000, previous_date=PREVIOUS, spark=spark)
    print(f"example on Spark: {time.perf_counter() - started:.1f} s (DuckDB {duck.duration_s} s)")
    assert_same(duck, spk)
    assert spk.summary()["findings_total"] > 50  # the planted defects are there to compare
    assert spk.engine["spark"] == spark.version and spk.options["engine"] == "spark"
    assert all("Spark" not in (r.note or "") for r in spk.rules), "a rule did not run on Spark"


@pytest.mark.parametrize("loans", [5_000] + ([BIG] if BIG else []))
def test_generated_batch_gives_duckdbs_results(spark, pack, loans, tmp_path):
    out = tmp_path / "batch"
    subprocess.run([sys.executable, str(EXAMPLE / "generate.py"), "--loans", str(loans), "--out", str(out)],
                   check=True, capture_output=True)
    duck = duckdb_validate(out, pack, sample_limit=1_000_000, previous_date=PREVIOUS)
    started = time.perf_counter()
    spk = spark_validate(out, pack, sample_limit=1_000_000, previous_date=PREVIOUS, spark=spark)
    print(f"{loans} loans on Spark: {time.perf_counter() - started:.1f} s (DuckDB {duck.duration_s} s)")
    assert_same(duck, spk)
    assert sum(t.rows_read for t in spk.tables) >= 3 * loans


def test_helper_tables_are_the_lists_and_calendar_duckdb_installs():
    """Spark's helper views hold what DuckDB's helper tables hold, row for row."""
    from engine.identifiers import install_macros
    con = duckdb.connect()
    install_macros(con)
    tables = helper_tables([])
    assert set(tables) == {"_jh_division", "_jh_currency", "_jh_country", "_jh_industry", "_jh_workdays",
                           "_jh_workday_spans"}
    for name, table in tables.items():
        assert table.num_rows == con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] > 0, name


def test_fused_scans_are_valid_spark_sql(spark, pack):
    """Every chunk of every table's fused scan is analysed by Spark as it is: one that is not still
    gives the right results (each of its rules then runs alone), but with a query per rule."""
    plan = build_plan(pack, params={"previous_date": PREVIOUS})
    not_run: dict[int, str] = {}
    for code, tp in plan.tables.items():
        columns = ["_file", "_line", "_file_date", "_ctrl", "_quote"] + [f.code for f in tp.table.fields]
        schema = ", ".join(f"`{c}` {'BIGINT' if c == '_line' else 'STRING'}" for c in columns)
        spark.createDataFrame([], schema).createOrReplaceTempView(f"t_{code}")
        for _, sql in fused_for_spark(plan, tp, not_run):
            install_helpers(spark, [sql], [])
            spark.sql(sql).schema  # analysis errors raise here
    assert not_run == {}


def test_cli_engine_spark_writes_the_same_report(spark, tmp_path):
    """Through the command line on two of the example's tables (the whole example runs above)."""
    batch = tmp_path / "batch"
    batch.mkdir()
    for code in ("JGXXB", "GRJCXXB"):
        shutil.copy(BATCH / f"B0001H111000001-{code}-20240630.txt", batch)
    rc = main(["validate", str(batch), "--engine", "spark", "--spark-master", "local[2]", "--report-dir",
               str(tmp_path / "spark"), "--format", "json", "--quiet", "--previous-date", PREVIOUS,
               "--failures", str(tmp_path / "failures.parquet")])
    assert rc == main(["validate", str(batch), "--report-dir", str(tmp_path / "duckdb"), "--format", "json",
                       "--quiet", "--previous-date", PREVIOUS]) == 1
    spk, duck = (json.loads((tmp_path / d / "report.json").read_text("utf-8")) for d in ("spark", "duckdb"))
    assert spk["summary"] == duck["summary"]
    exported = duckdb.connect().execute(
        f"SELECT count(*) FROM read_parquet('{tmp_path / 'failures.parquet'}/*.parquet')").fetchone()[0]
    assert exported == duck["summary"]["findings_total"] + duck["summary"]["findings_excused"]


def test_cli_refuses_spark_options_without_the_engine(capsys):
    assert main(["validate", str(BATCH), "--spark-master", "local[1]", "--quiet"]) == 2
    assert "--engine spark" in capsys.readouterr().err


# DuckDB SQL evaluated on both engines for values where they could disagree
VALUES = ["20240630", "2024063", "202463", " 20240630", "20240630\t", "20240230", "00000101", "99991231",
          "2024-06-30", "２０２４０６３０", "1e5", " 12 ", "+5", ".5", "5.", "1,000", "1_000", "1__000", "１２",
          "12345678901234567890123456789", "1.23456789012345", "-0", "\x0212", "abc", "a😀b", "中文", "x%",
          "A.B", "", None]
EXPRESSIONS = [
    "TRY_CAST(TRY_STRPTIME(v, '%Y%m%d') AS DATE)",
    "try_strptime(v, '%Y%m%d') IS NULL",
    "TRY_CAST(v AS DECIMAL(38, 10))",
    "strlen(v)", "length(v)",
    "regexp_full_match(v, '-?(0|[1-9][0-9]*)(\\.[0-9]{1,2})?')",
    "regexp_full_match(v, '[0-9]{8}')",
    "regexp_full_match(v, '\\p{Han}+')",
    "regexp_matches(v, '[~!@#$%^&\\[\\]{}><=+|.]')",
    "regexp_matches(v, '[\\x00-\\x1f]')",
    "v LIKE 'x\\%'",
    "v GLOB 'A*B'",
]


def test_translated_functions_agree_on_awkward_values(spark):
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(VALUES)))
    spark.createDataFrame(list(enumerate(VALUES)), "i INT, v STRING").createOrReplaceTempView("t")
    for expr in EXPRESSIONS:
        sql = f"SELECT i, CAST({expr} AS VARCHAR) FROM t ORDER BY i"
        want = con.execute(sql).fetchall()
        got = [tuple(r) for r in spark.sql(to_spark(sql)).collect()]
        if "DATE" in expr:  # year 0000 (1 BC) is outside Spark's DATE range: valid, read as 0001-01-01
            want = [(i, "0001-01-01" if v and v.endswith("(BC)") else v) for i, v in want]
        assert got == want, expr
