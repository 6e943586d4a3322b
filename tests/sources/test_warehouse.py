"""Tables in a database (SQLAlchemy URL): the same data gives the same findings as the files.

Runs against the PostgreSQL server on 127.0.0.1:5432 (user postgres, trust, database test) and,
where it answers, MariaDB on 127.0.0.1:3306 (root, database test). Each run works in a schema of
its own, dropped afterwards. What is compared with the file run of the shipped example: every
rule's status, failure count, excused count and failing records as (key, value) — all rules
except the checks of files as files (tests/example_tables.FILE_ONLY: names, encodings, line
structure, the date in the file name), which must find nothing in a database. The example is
loaded as the file loader accepts it (well-formed rows only), as text columns.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import uuid
from decimal import Decimal
from pathlib import Path

import duckdb
import jsonschema
import pytest

sa = pytest.importorskip("sqlalchemy", reason="warehouse sources need the 'warehouse' extra (SQLAlchemy)")

from engine.cli import main  # noqa: E402
from engine.errors import UsageError  # noqa: E402
from engine.ruleset import load_pack  # noqa: E402
from engine.backends.duckdb.run import validate_submission  # noqa: E402
from engine.dialects.postgres import MARKER, NotPushable, Postgres  # noqa: E402
from engine.sources.source import TableSource  # noqa: E402
from engine.sources.warehouse import WarehouseSource, load_table_map, mask_url  # noqa: E402
from tests.example_tables import (PREVIOUS, ROOT, comparable, example_rows, file_only_failures, file_run,  # noqa: E402
                                  pack)
from tests.helpers import DEMO_FIELDS, write_east, write_pack, write_spec  # noqa: E402

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/test"


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _start_postgres() -> None:
    """Debian's cluster tools, when nothing answers: start the installed cluster."""
    if _answers(5432) or not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return
    for version in sorted(os.listdir("/etc/postgresql")):
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
                       capture_output=True, timeout=60)


def _engine(url: str, driver: str):
    pytest.importorskip(driver, reason=f"the {driver} driver is not installed (pip install 'jianhe[warehouse]')")
    engine = sa.create_engine(url.replace("postgresql://", f"postgresql+{driver}://") if driver.startswith("psycopg")
                              else url)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as exc:
        pytest.skip(f"no database answers at {mask_url(url)}: {str(exc).splitlines()[0]}")
    return engine


@pytest.fixture(scope="module")
def pg():
    _start_postgres()
    if not _answers(5432):
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432 (and none could be started with pg_ctlcluster)")
    driver = "psycopg" if _importable("psycopg") else "psycopg2"
    engine = _engine(PG_URL, driver)
    yield engine
    engine.dispose()


def _importable(name: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(name) is not None


@pytest.fixture
def schema(pg):
    """A schema of this test's own, dropped afterwards."""
    name = f"jh_test_{uuid.uuid4().hex[:10]}"
    with pg.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    yield name
    with pg.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')


def load_example(engine, schema: str, chinese: tuple[str, ...] = ()) -> None:
    """The example's well-formed rows as text tables: lower-case code names, or for the tables in
    ``chinese`` the Chinese table and column names (both are found by the loader)."""
    catalog = pack().catalog
    metadata = sa.MetaData(schema=schema)
    for code, (cols, rows) in example_rows().items():
        spec = catalog.tables[code]
        names = {c: (spec.field(c).name if code in chinese else c.lower()) for c in cols}
        table = sa.Table(spec.name if code in chinese else code.lower(), metadata,
                         *[sa.Column(names[c], sa.Text) for c in cols])
        metadata.create_all(engine, tables=[table])
        with engine.begin() as conn:
            conn.execute(table.insert(), [{names[c]: v for c, v in zip(cols, row)} for row in rows])


def run_url(url: str, schema: str, mode: str = "stream", **kw):
    with WarehouseSource(url, schema=schema, mode=mode, **kw) as source:
        return validate_submission(source, pack(), sample_limit=10_000, previous_date=PREVIOUS)


def assert_same_as_files(result) -> None:
    expected, got = comparable(file_run()), comparable(result)
    assert set(got) == set(expected)
    different = {k: (expected[k], got[k]) for k in expected if expected[k] != got[k]}
    assert different == {}
    assert file_only_failures(result) == {}, "file checks found something in a database"
    rows = {t.code: t.rows_checked for t in file_run().tables}
    assert {t.code: t.rows_read for t in result.tables} == rows
    assert any(r.failed for r in result.rules if r.kind not in ("file",)), "the comparison must include failures"


# --- the example, through PostgreSQL ----------------------------------------------------------

def test_streamed_tables_give_the_file_run_findings(pg, schema):
    load_example(pg, schema, chinese=("GRJCXXB",))
    result = run_url(PG_URL, schema, "stream")
    assert_same_as_files(result)
    inputs = {i["table"]: i for i in result.manifest["inputs"]}
    assert inputs["GRJCXXB"]["file"] == f"{schema}.个人基础信息表"
    assert {i["mode"] for i in inputs.values()} == {"stream"}
    assert all(i["read_only"] and i["snapshot"] and i["source"] == PG_URL for i in inputs.values())


def test_pushed_down_tables_give_the_file_run_findings(pg, schema):
    load_example(pg, schema)
    result = run_url(PG_URL, schema, "pushdown")
    assert_same_as_files(result)
    modes = {i["table"]: (i["mode"], i["note"]) for i in result.manifest["inputs"]}
    assert modes == {code: ("pushdown", None) for code in example_rows()}, "every east5_core rule lowers"


def test_auto_pushes_down_only_tables_from_the_row_threshold(pg, schema):
    load_example(pg, schema)
    everything = run_url(PG_URL, schema, "auto", pushdown_rows=1)
    assert {i["mode"] for i in everything.manifest["inputs"]} == {"pushdown"}
    result = run_url(PG_URL, schema, "auto", pushdown_rows=30)
    assert_same_as_files(result)
    for entry in result.manifest["inputs"]:
        rows = len(example_rows()[entry["table"]][1])
        if rows < 30:
            assert (entry["mode"], entry["note"]) == ("stream", f"auto: {rows} rows, pushdown from 30")
        else:  # large, but a streamed table's cross-table rules read it in DuckDB: it is read in full
            assert entry["mode"] == "pushdown" or entry["note"].startswith("read in full: rules of ")


def test_auto_without_a_threshold_streams_as_measured_faster(pg, schema):
    """benchmarks/results/warehouse_modes.json: streaming beat push-down at every size measured."""
    from engine.sources.warehouse import AUTO_NOTE
    load_example(pg, schema)
    result = run_url(PG_URL, schema, "auto")
    assert_same_as_files(result)
    assert {(i["mode"], i["note"]) for i in result.manifest["inputs"]} == {("stream", AUTO_NOTE)}
    measured = json.loads((ROOT / "benchmarks" / "results" / "warehouse_modes.json").read_text("utf-8"))
    assert measured["crossover_rows"]["postgresql"] is None
    assert all(p["counts_agree"] for p in measured["points"])


def test_findings_point_at_a_record_by_table_ordinal_and_key(pg, schema):
    load_example(pg, schema)
    for mode in ("stream", "pushdown"):
        result = run_url(PG_URL, schema, mode)
        rule = next(r for r in result.rules if r.id == "DGKHXXB.YGRS.format")
        (sample,) = rule.samples
        assert sample.file == f"{schema}.dgkhxxb"
        # the ordinal is the record's place in the table sorted by its key (KHTYBH, CJRQ), 1-based
        keys = sorted(row[:1] for row in _rows_by_key("DGKHXXB"))
        assert sample.key.split("|")[0] == keys[sample.line - 1][0]


def _rows_by_key(code: str):
    cols, rows = example_rows()[code]
    spec = pack().catalog.tables[code]
    index = [cols.index(k) for k in spec.key]
    return [tuple(row[i] for i in index) for row in rows]


def test_the_connection_is_read_only(pg, schema):
    load_example(pg, schema)
    with WarehouseSource(PG_URL, schema=schema) as source:
        conn = source.connection()
        assert conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
        for statement in (f'INSERT INTO "{schema}".jgxxb (nbjgh) VALUES (\'x\')', f'CREATE TABLE "{schema}".t (a int)',
                          f'DELETE FROM "{schema}".jgxxb'):
            savepoint = conn.begin_nested()
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                conn.exec_driver_sql(statement)
            savepoint.rollback()
    with pg.connect() as conn:  # nothing changed
        assert conn.exec_driver_sql(f'SELECT count(*) FROM "{schema}".jgxxb').scalar() == len(example_rows()["JGXXB"][1])


def test_table_map_names_tables_columns_and_a_filter(pg, schema, tmp_path):
    load_example(pg, schema)
    with pg.begin() as conn:  # the customer table under another name, a column renamed, an extra period
        conn.exec_driver_sql(f'ALTER TABLE "{schema}".grjcxxb RENAME TO cust_person')
        conn.exec_driver_sql(f'ALTER TABLE "{schema}".cust_person RENAME COLUMN khtybh TO cust_id')
        conn.exec_driver_sql(f'INSERT INTO "{schema}".cust_person (cust_id, cjrq) VALUES (\'OLD-1\', \'20240531\')')
    table_map = tmp_path / "map.yaml"
    table_map.write_text(f"schema: {schema}\ntables:\n  个人基础信息表:\n    table: cust_person\n"
                         f"    where: \"cjrq = '20240630'\"\n    columns: {{客户统一编号: cust_id}}\n", "utf-8")
    with WarehouseSource(PG_URL, table_map=table_map) as source:
        result = validate_submission(source, pack(), sample_limit=10_000, previous_date=PREVIOUS)
    assert_same_as_files(result)
    assert {i["table"]: i["file"] for i in result.manifest["inputs"]}["GRJCXXB"] == f"{schema}.cust_person"


def test_table_map_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "map.yaml"
    bad.write_text("tables:\n  GRJCXXB: a\n  NOSUCH: b\n", "utf-8")
    with pytest.raises(Exception, match=r"map.yaml:3: unknown table 'NOSUCH'"):
        load_table_map(bad, pack().catalog)
    bad.write_text("tables:\n  GRJCXXB:\n    table: a\n    where: [1, 2]\n", "utf-8")
    with pytest.raises(Exception, match=r"map.yaml:4: table 'GRJCXXB': where must be text"):
        load_table_map(bad, pack().catalog)


def test_a_where_is_checked_and_written_again_in_the_warehouses_dialect(pg, schema, tmp_path):
    """The where goes into the warehouse's SQL only as sqlglot writes it from the parsed tree."""
    load_example(pg, schema)
    table_map = tmp_path / "map.yaml"
    table_map.write_text(f"schema: {schema}\ntables:\n  JGXXB:\n    table: jgxxb\n"
                         "    where: \"cjrq='20240630'  AND  nbjgh IN ('0001','0101')\"\n", "utf-8")
    with WarehouseSource(PG_URL, table_map=table_map, mode="pushdown") as source:
        result = validate_submission(source, pack(), sample_limit=10)
        assert source.bindings["JGXXB"].where == "cjrq = '20240630' AND nbjgh IN ('0001', '0101')"
    assert {i["table"]: i["rows_read"] for i in result.manifest["inputs"]}["JGXXB"] == 2
    table_map.write_text(f"schema: {schema}\ntables:\n  JGXXB:\n    table: jgxxb\n"
                         "    where: \"cjrq = '20240630' OR pg_sleep(1) IS NULL\"\n", "utf-8")
    with pytest.raises(UsageError, match=r"map.yaml:5: table JGXXB 机构信息表: where 'PG_SLEEP\(1\)' is not allowed"):
        with WarehouseSource(PG_URL, table_map=table_map, mode="stream") as source:
            validate_submission(source, pack(), sample_limit=10)


@pytest.mark.parametrize("url, masked", [
    ("postgresql://u:pw@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u@h/db?password=s3cr&sslmode=require", "postgresql://u@h/db?password=***&sslmode=require"),
    ("postgresql://u@h:5432/db?sslpassword=s3cr", "postgresql://u@h:5432/db?sslpassword=***"),
    ("mysql+pymysql://u@h/db?charset=utf8mb4&PWD=s3cr", "mysql+pymysql://u@h/db?PWD=***&charset=utf8mb4"),
    ("snowflake://u@acct/db?token=s3cr&Secret_Key=s3cr2&aws_access_key_id=s3cr3",
     "snowflake://u@acct/db?Secret_Key=***&aws_access_key_id=***&token=***"),
    ("postgresql://u:s3cr@h:notaport/db?passwd=s3cr2", "postgresql://***@h:notaport/db?passwd=***"),  # unreadable
    ("postgresql://u:p@ss@h/db", "postgresql://***@h/db"),  # two '@': which part is the password is unclear
    ("postgresql://u:s3cr/db", "postgresql://u:***/db"),  # a 'port' that is no number, without a host
    ("postgresql://u@h/db?pass%77ord=s3cr", "postgresql://u@h/db?password=***"),
])
def test_mask_url_hides_the_password_and_secret_query_values(url, masked):
    assert mask_url(url) == masked


def test_messages_built_from_driver_errors_are_scrubbed_of_the_urls_secrets():
    source = WarehouseSource("postgresql://u@h/db?password=s3cret%21&application_name=x")
    assert source._why(ValueError("bad option value 's3cret!' and s3cret%21")) == "bad option value '***' and ***"


def test_the_json_report_and_manifest_record_the_masked_url_and_modes(pg, schema, tmp_path):
    load_example(pg, schema)
    url = PG_URL.replace("postgres@", "postgres:s3cret@")  # trust authentication ignores the password
    out = tmp_path / "out"
    code = main(["validate", url, "--pack", str(ROOT / "rulesets" / "east5_core"), "--schema", schema,
                 "--source-mode", "pushdown", "--previous-date", PREVIOUS, "--report-dir", str(out),
                 "--format", "json,manifest", "--quiet"])
    assert code == 1
    report = json.loads((out / "report.json").read_text("utf-8"))
    jsonschema.validate(report, json.loads((ROOT / "reports" / "result.schema.json").read_text("utf-8")))
    manifest_text = (out / "manifest.json").read_text("utf-8")
    assert "s3cret" not in manifest_text and "s3cret" not in json.dumps(report)
    manifest = json.loads(manifest_text)
    assert manifest["submission"] == "postgresql://postgres:***@127.0.0.1:5432/test"
    assert {(i["source"], i["mode"], i["bytes"]) for i in manifest["inputs"]} == {
        ("postgresql://postgres:***@127.0.0.1:5432/test", "pushdown", None)}


def test_usage_and_connection_errors_are_one_line_with_exit_codes(tmp_path, capsys):
    assert main(["validate", str(tmp_path), "--schema", "x"]) == 2
    assert "apply to database URLs" in capsys.readouterr().err
    assert main(["validate", "nosuchdialect://h/db", "--quiet"]) == 2
    assert "no driver for nosuchdialect://h/db" in capsys.readouterr().err
    pytest.importorskip("psycopg", reason="needs a PostgreSQL driver")
    assert main(["validate", "postgresql://postgres:pw@127.0.0.1:1/test", "--quiet"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("jianhe: error: cannot connect to postgresql://postgres:***@127.0.0.1:1/test") and "pw@" not in err


def test_a_schema_without_the_packs_tables_is_a_read_error(pg, capsys):
    assert main(["validate", PG_URL, "--schema", "jh_no_such_schema", "--quiet"]) == 3
    assert "no table of pack east5-core in jh_no_such_schema" in capsys.readouterr().err


# --- pushdown falls back, never changes a result ------------------------------------------------

DEMO_RULES = """\
table: DEMO
rules:
  - {id: R1, kind: range, field: JE, min: 0}
  - {id: R2, kind: compare, field: KSRQ, op: "<=", other: JSRQ}
  - {id: R3, kind: expression, expr: "upper(MC) <> 'X'"}
  - {id: R4, kind: unique, fields: [ID]}
"""


def _demo(tmp_path, rules: str, rows: list[dict]):
    write_spec(tmp_path)
    demo_pack = load_pack(write_pack(tmp_path, rules, derive={"required": True, "format": True, "codelist": True,
                                                               "key": False, "links": False}))
    write_east(tmp_path / "batch", "DEMO", DEMO_FIELDS, rows)
    return demo_pack, validate_submission(tmp_path / "batch", demo_pack, sample_limit=1000)


def _demo_table(engine, schema: str, rows: list[dict]) -> None:
    cols = [f["code"] for f in DEMO_FIELDS]
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE TABLE "{schema}".demo ({", ".join(c.lower() + " text" for c in cols)})')
        table = sa.Table("demo", sa.MetaData(schema=schema), *[sa.Column(c.lower(), sa.Text) for c in cols])
        conn.execute(table.insert(), [{c.lower(): {"CJRQ": "20240630", **r}.get(c, "") for c in cols} for r in rows])


def _same(a, b) -> None:
    def view(result):
        return {(r.id, r.table): (r.status, r.failed, sorted((s.key or "", s.value or "") for s in r.samples))
                for r in result.rules if r.id not in TableSource.not_applicable}
    assert view(a) == view(b)


def test_a_rule_without_a_lowering_streams_its_table_and_says_why(pg, schema, tmp_path):
    rows = [{"ID": "1", "MC": "x", "JE": "5", "KSRQ": "20240101", "JSRQ": "20240102"},
            {"ID": "1", "MC": "ab", "JE": "-1", "KSRQ": "20240103", "JSRQ": "20240102"}]
    demo_pack, by_files = _demo(tmp_path, DEMO_RULES, rows)
    _demo_table(pg, schema, rows)
    with WarehouseSource(PG_URL, schema=schema, mode="pushdown") as source:
        result = validate_submission(source, demo_pack, sample_limit=1000)
    (entry,) = result.manifest["inputs"]
    assert entry["mode"] == "stream" and entry["note"].startswith("not pushed down: rule R3:")
    _same(by_files, result)
    assert {r.id: r.failed for r in result.rules if r.id.startswith("R")} == {"R1": 1, "R2": 1, "R3": 1, "R4": 2}


def test_a_value_needing_duckdbs_lenient_reading_sends_the_table_back_to_stream(pg, schema, tmp_path):
    rules = DEMO_RULES.replace("  - {id: R3, kind: expression, expr: \"upper(MC) <> 'X'\"}\n", "")
    rows = [{"ID": "1", "JE": " 12", "KSRQ": "20240101", "JSRQ": "20240102"},  # DuckDB reads ' 12' as 12
            {"ID": "2", "JE": "-1e2", "KSRQ": "2024013", "JSRQ": "20240102"},   # and -1e2 as -100, 2024013 as 2024-01-03
            {"ID": "3", "JE": "7", "KSRQ": "20240105", "JSRQ": "20240102"}]
    demo_pack, by_files = _demo(tmp_path, rules, rows)
    _demo_table(pg, schema, rows)
    with WarehouseSource(PG_URL, schema=schema, mode="pushdown") as source:
        result = validate_submission(source, demo_pack, sample_limit=1000)
    (entry,) = result.manifest["inputs"]
    assert entry["mode"] == "stream" and "lenient" in entry["note"]
    _same(by_files, result)
    assert {r.id: r.failed for r in result.rules if r.id in ("R1", "R2")} == {"R1": 1, "R2": 2}


def test_typed_columns_are_read_as_the_text_an_east_file_holds(pg, schema, tmp_path):
    """DATE → YYYYMMDD (YYYYMM for a YYYYMM field), TIME → hhmmss, NUMERIC as written with its
    scale, NULL stays NULL (empty)."""
    text_rows = [{"ID": "1", "JE": "1234.50", "QS": "12", "KSRQ": "20240105", "JSRQ": "20240101", "NY": "202406",
                  "SJ": "235959"},
                 {"ID": "2", "JE": "0.10", "QS": "", "KSRQ": "20240101", "JSRQ": "20240101", "NY": "202401",
                  "SJ": "000001"}]
    demo_pack, by_files = _demo(tmp_path, DEMO_RULES.replace("  - {id: R3, kind: expression, expr: \"upper(MC) <> 'X'\"}\n", ""),
                                text_rows)
    with pg.begin() as conn:
        conn.exec_driver_sql(f'CREATE TABLE "{schema}".demo (id text, mc text, lx text, je numeric(20,2), ye numeric, '
                             'qs integer, ksrq date, jsrq timestamp, ny date, sj time, bz text, bbz text, cjrq date)')
        conn.exec_driver_sql(f"""INSERT INTO "{schema}".demo VALUES
            ('1', '', '', 1234.5, NULL, 12, '2024-01-05', '2024-01-01 00:00:00', '2024-06-01', '23:59:59', '', '', '2024-06-30'),
            ('2', '', '', 0.1, NULL, NULL, '2024-01-01', '2024-01-01 08:00:00', '2024-01-31', '00:00:01', '', '', '2024-06-30')""")
    for mode in ("stream", "pushdown"):
        with WarehouseSource(PG_URL, schema=schema, mode=mode) as source:
            result = validate_submission(source, demo_pack, sample_limit=1000)
        _same(by_files, result)
        r2 = next(r for r in result.rules if r.id == "R2")
        assert [s.value for s in r2.samples] == ["KSRQ=20240105; JSRQ=20240101"]
        assert all(r.failed == 0 for r in result.rules if r.kind == "format")


# --- the lowering agrees with DuckDB value by value ---------------------------------------------

DECIMALS = ["1", "-1", "+1", "1.", ".5", "-.5", "+.5", "0", "-0", "00012", "1.2345678901", "12.50", "-0.01",
            "1234567890123456789012345678", "1234567890123456789012345678.0123456789",
            # DuckDB reads these leniently: pushed down they raise the marker (or are NULL on both sides)
            "1.23456789012", "1e5", " 1", "1 ", "1_000", "12345678901234567890123456789", "\t1",
            "1,5", "abc", "", "0x10", "NaN", "inf", "１", "--1", "1-", ".", "-", "+", "1e", "e5", "1.5.5", "²", "1 2"]
DATES = ["20240630", "20240229", "20230229", "19000229", "20000229", "00000101", "00000229", "00010101", "99991231",
         "20241301", "20240001", "20240100", "20240431", "20240430", "20231231", "12345678",
         "2024063", "202406300", " 20240630", "20240630 ", "2024-06-30", "abcdefgh", "", "２０２４０６３０", "2024063a"]
TEXTS = ["", "a", "B", "b", "ab", "中", "中文", "Z", "é", "e\u0301", "😀", "a b", "~", "0", "9"]


@pytest.fixture(scope="module")
def pg_raw(pg):
    with pg.connect() as conn:
        yield conn


def _pg_value(conn, sql: str, value: str):
    savepoint = conn.begin_nested()
    try:
        sql = sql.replace("%", "%%")  # the driver's parameter style
        out = conn.exec_driver_sql(f"SELECT {sql} FROM (SELECT CAST(%(v)s AS TEXT) AS \"A\") _t", {"v": value}).scalar()
        savepoint.commit()
        return out
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        assert MARKER in str(exc), f"{value!r}: {exc}"
        return MARKER


def _duck(sql: str, value: str):
    return duckdb.connect().execute(f'SELECT {sql} FROM (SELECT CAST(? AS VARCHAR) AS "A")', [value]).fetchone()[0]


def test_lowered_decimal_reading_equals_duckdbs_or_raises_the_marker(pg_raw):
    expr = 'TRY_CAST("A" AS DECIMAL(38, 10))'
    lowered = Postgres().expression(expr)
    raised = []
    for value in DECIMALS:
        theirs, ours = _duck(expr, value), _pg_value(pg_raw, lowered, value)
        if ours == MARKER:
            raised.append(value)
            continue
        assert (None if theirs is None else Decimal(theirs)) == (None if ours is None else Decimal(ours)), value
    canonical = DECIMALS[:DECIMALS.index("1.23456789012")]
    assert not set(raised) & set(canonical), "canonical numbers must be read in the warehouse"
    assert {"1e5", " 1", "1_000"} <= set(raised)


def test_lowered_date_reading_equals_duckdbs_or_raises_the_marker(pg_raw):
    expr = "TRY_CAST(TRY_STRPTIME(\"A\", '%Y%m%d') AS DATE)"
    lowered = Postgres().expression(expr)
    days_pg = f"({lowered}) - DATE '2000-01-01'"
    raised = []
    for value in DATES:
        theirs = _duck(f"({expr}) - DATE '2000-01-01'", value)
        ours = _pg_value(pg_raw, days_pg, value)
        if ours == MARKER:
            raised.append(value)
            continue
        assert theirs == ours, value
    assert not set(raised) & set(DATES[:DATES.index("2024063")])
    assert {"2024063", " 20240630"} <= set(raised)


@pytest.mark.parametrize("expr", [
    'strlen("A")', 'length("A")', "\"A\" < 'b'", "\"A\" >= '中'", "\"A\" BETWEEN 'a' AND 'z'",
    "regexp_full_match(\"A\", '[a-z]+')", "regexp_matches(\"A\", '[~!@#$%^&]')", "starts_with(\"A\", 'a')",
    "concat_ws('|', coalesce(\"A\", ''), 'x')", "len(list_filter(string_split(\"A\", ';'), lambda x: NOT (x IN ('a', 'b')))) > 0",
    "CASE WHEN length(\"A\") <= 1 THEN \"A\" ELSE repeat('*', length(\"A\") - 1) || right(\"A\", 1) END",
])
def test_lowered_expressions_agree_with_duckdb_on_every_value(pg_raw, expr):
    lowered = Postgres().expression(expr)
    for value in TEXTS + ["a;b", "a;c", "a;", ";", "b;a;b", None]:
        assert _duck(expr, value) == _pg_value(pg_raw, lowered, value), (expr, value)


def test_what_has_no_faithful_lowering_is_refused():
    low = Postgres()
    for expr in ["upper(\"A\")", "TRY_CAST(\"A\" AS INTEGER)", "regexp_full_match(\"A\", '\\p{Han}+')",
                 "\"A\" / 2 > 1", "jh_is_resident_id(\"A\")", "try_strptime(\"A\", '%Y-%m-%d') IS NULL"]:
        with pytest.raises(NotPushable):
            low.expression(expr)


# --- MariaDB: streamed (no pushdown lowering for it) ---------------------------------------------

@pytest.fixture
def mariadb():
    if not _answers(3306):
        pytest.skip("no MariaDB/MySQL server answers on 127.0.0.1:3306")
    engine = _engine(MARIADB_URL, "pymysql")
    name = f"jh_test_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    yield engine, name
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE `{name}`")
    engine.dispose()


def test_mariadb_tables_give_the_file_run_findings(mariadb):
    engine, database = mariadb
    load_example(engine, database)
    result = run_url(MARIADB_URL, database, "stream")
    assert_same_as_files(result)
    assert {i["read_only"] for i in result.manifest["inputs"]} == {True}
    with WarehouseSource(MARIADB_URL, schema=database) as source:
        with pytest.raises(sa.exc.DBAPIError, match="READ ONLY"):
            source.connection().exec_driver_sql(f"DELETE FROM `{database}`.jgxxb")
    with pytest.raises(Exception, match="pushdown"):
        run_url(MARIADB_URL, database, "pushdown")
