"""A table map's ``where`` is one condition, never a way to run statements in the warehouse.

The ``where`` text once went into the SQL as written: in pushdown and auto mode on PostgreSQL the
row count ``SELECT count(*) ... WHERE (<where>)`` ran ``1=1); COMMIT; BEGIN READ WRITE; DROP
TABLE ...`` and the read-only session dropped a table. Now the text is parsed in the warehouse's
dialect, checked against an allow-list and written again from the parsed tree in every mode; any
other where is a usage error (exit 2) naming the table map, its line and the table.

The tests run the real command line against PostgreSQL on 127.0.0.1:5432 (user postgres, trust,
database test) and MariaDB on 127.0.0.1:3306 (root, database test), each in a schema of its own
with a canary table that must survive; they skip when the server does not answer.
"""
from __future__ import annotations

import json
import socket
import uuid
from pathlib import Path

import pytest

from tests.example_tables import example_rows
from tests.hostile.conftest import jianhe

sa = pytest.importorskip("sqlalchemy", reason="warehouse sources need the 'warehouse' extra (SQLAlchemy)")

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/test"
HOSTILE = "1=1); COMMIT; BEGIN READ WRITE; DROP TABLE {schema}.canary; COMMIT; BEGIN READ ONLY; SELECT (1=1"
# JGXXB's five example rows (CJRQ 20240630, loaded 2024-06-30) and one of an older period
OLD_ROW = {"NBJGH": "OLD-1", "CJRQ": "20240531"}


def _server(url: str, port: int, driver: str):
    """An engine for the local server, or a skip saying why there is none."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            pass
    except OSError:
        pytest.skip(f"no database server answers on 127.0.0.1:{port}")
    pytest.importorskip(driver, reason=f"the {driver} driver is not installed (pip install 'jianhe[warehouse]')")
    engine = sa.create_engine(url.replace("postgresql://", f"postgresql+{driver}://"))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as exc:
        pytest.skip(f"the server on 127.0.0.1:{port} does not accept {url}: {str(exc).splitlines()[0]}")
    return engine


def _fill(engine, schema: str) -> None:
    """The canary, and JGXXB as text columns plus a DATE column ``load_dt`` (not a spec field)."""
    cols, rows = example_rows()["JGXXB"]
    metadata = sa.MetaData(schema=schema)
    canary = sa.Table("canary", metadata, sa.Column("a", sa.Integer))
    table = sa.Table("jgxxb", metadata, *[sa.Column(c.lower(), sa.Text) for c in cols], sa.Column("load_dt", sa.Date))
    metadata.create_all(engine)
    records = [{c.lower(): v for c, v in zip(cols, row)} | {"load_dt": "2024-06-30"} for row in rows]
    old = {c.lower(): OLD_ROW.get(c, records[0][c.lower()]) for c in cols} | {"load_dt": "2023-12-31"}
    with engine.begin() as conn:
        conn.execute(canary.insert(), [{"a": 1}])
        conn.execute(table.insert(), records + [old])


@pytest.fixture(scope="module")
def pg_server():
    engine = _server(PG_URL, 5432, "psycopg")
    schema = f"jh_where_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    _fill(engine, schema)
    yield engine, schema
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    engine.dispose()


@pytest.fixture(scope="module")
def mariadb_server():
    engine = _server(MARIADB_URL, 3306, "pymysql")
    schema = f"jh_where_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{schema}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    _fill(engine, schema)
    yield engine, schema
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP DATABASE `{schema}`")
    engine.dispose()


def _with_canary(server):
    """The server's schema with its canary table (again, should an earlier test have lost it)."""
    engine, schema = server
    sa.Table("canary", sa.MetaData(schema=schema), sa.Column("a", sa.Integer)).create(engine, checkfirst=True)
    return engine, schema


@pytest.fixture
def pg(pg_server):
    return _with_canary(pg_server)


@pytest.fixture
def mariadb(mariadb_server):
    return _with_canary(mariadb_server)


def _table_map(tmp_path: Path, schema: str, where: str) -> Path:
    """A table map whose ``where`` stands on line 5."""
    path = tmp_path / "map.yaml"
    path.write_text(f"schema: {schema}\ntables:\n  JGXXB:\n    table: jgxxb\n    where: {json.dumps(where)}\n", "utf-8")
    return path


def _validate(url: str, table_map: Path, mode: str, *extra: str):
    return jianhe("validate", url, "--table-map", table_map, "--source-mode", mode, "--pushdown-rows", "1",
                  "--quiet", *extra)


def _canary_alive(engine, schema: str) -> bool:
    with engine.connect() as conn:
        return sa.inspect(conn).has_table("canary", schema=schema)


def _assert_refused(run, table_map: Path, why: str) -> None:
    assert run.returncode == 2, run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"jianhe: error: {table_map}:5: table JGXXB 机构信息表: where "), line
    assert why in line, line


# --- PostgreSQL -------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["pushdown", "auto", "stream"])
def test_a_where_running_statements_is_refused_and_drops_nothing(pg, tmp_path, mode):
    engine, schema = pg
    table_map = _table_map(tmp_path, schema, HOSTILE.format(schema=schema))
    run = _validate(PG_URL, table_map, mode)
    assert _canary_alive(engine, schema), "the where dropped the canary table"
    _assert_refused(run, table_map, "contains ';'")


@pytest.mark.parametrize("where, why", [
    ("pg_sleep(0) IS NOT NULL", "PG_SLEEP"),
    ("set_config('default_transaction_read_only', 'off', FALSE) = 'off'", "SET_CONFIG"),
    ("lo_import('/etc/hostname') > 0", "LO_IMPORT"),
    ("pg_read_file('/etc/hostname') <> ''", "PG_READ_FILE"),
    ("dblink_exec('dbname=test', 'DROP TABLE {schema}.canary') = 'OK'", "DBLINK_EXEC"),
    ("nbjgh IN (SELECT CAST(a AS TEXT) FROM {schema}.canary)", "SELECT"),
    ("EXISTS (SELECT 1 FROM {schema}.canary)", "EXISTS"),
    ("cjrq = '20240630' /* then something */", "comment"),
    ("cjrq = '20240630' -- and the rest", "comment"),
    ("cjrq = '20240630' UNION SELECT 1", "not a condition"),
    ("jgxxb.nbjgh = '0001'", "without a qualifier"),
    ("CAST(nbjgh AS regclass) IS NOT NULL", "casts to"),
    ("cjrq = E'20240630\\\\'", "not allowed"),
    ("cjrq", "not a condition"),
])
def test_side_effects_subqueries_and_comments_are_refused(pg, tmp_path, where, why):
    engine, schema = pg
    table_map = _table_map(tmp_path, schema, where.format(schema=schema))
    _assert_refused(_validate(PG_URL, table_map, "pushdown"), table_map, why)
    assert _canary_alive(engine, schema)


def _rows_read(tmp_path: Path, run) -> int:
    assert run.returncode in (0, 1), run.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    (entry,) = [i for i in manifest["inputs"] if i["table"] == "JGXXB"]
    return entry["rows_read"]


ORDINARY = [("cjrq = '20240630'", 5), ("nbjgh IN ('0001', 'OLD-1') AND cjrq IS NOT NULL", 2),
            ("load_dt >= DATE '2024-01-01'", 5), ("NOT (cjrq <> '20240531') OR nbjgh LIKE '01%'", 5)]


@pytest.mark.parametrize("mode", ["pushdown", "auto", "stream"])
@pytest.mark.parametrize("where, rows", ORDINARY)
def test_ordinary_filters_still_select_their_rows(pg, tmp_path, where, rows, mode):
    _, schema = pg
    run = _validate(PG_URL, _table_map(tmp_path, schema, where), mode, "--format", "manifest",
                    "--report-dir", tmp_path / "out")
    assert _rows_read(tmp_path, run) == rows


# --- MariaDB (streamed: no pushdown lowering) --------------------------------------------------

@pytest.mark.parametrize("mode", ["stream", "auto"])
@pytest.mark.parametrize("where, why", [
    ("1=1); DROP TABLE {schema}.canary; SELECT (1=1", "contains ';'"),
    ("SLEEP(0) = 0", "SLEEP"),
    ("LOAD_FILE('/etc/hostname') IS NULL", "LOAD_FILE"),
    ("cjrq = '20240630' /*!50000 OR 1=1 */", "comment"),
    ("cjrq = '20240630' # and the rest", "comment"),
    ("nbjgh IN (SELECT a FROM {schema}.canary)", "SELECT"),
    ("@@version IS NOT NULL", "not allowed"),
])
def test_mariadb_where_running_more_than_a_condition_is_refused(mariadb, tmp_path, mode, where, why):
    engine, schema = mariadb
    table_map = _table_map(tmp_path, schema, where.format(schema=schema))
    _assert_refused(_validate(MARIADB_URL, table_map, mode), table_map, why)
    assert _canary_alive(engine, schema)


@pytest.mark.parametrize("where, rows", ORDINARY)
def test_mariadb_ordinary_filters_still_select_their_rows(mariadb, tmp_path, where, rows):
    _, schema = mariadb
    run = _validate(MARIADB_URL, _table_map(tmp_path, schema, where), "stream", "--format", "manifest",
                    "--report-dir", tmp_path / "out")
    assert _rows_read(tmp_path, run) == rows


# --- the check itself, without a server ----------------------------------------------------------

@pytest.mark.parametrize("dialect", ["postgres", "mysql", "oracle", "tsql"])
def test_the_where_is_written_again_from_its_parsed_tree(dialect):
    from engine.sources.warehouse import where_sql  # noqa: PLC0415 - the module must import on older code
    assert where_sql("cjrq='20240630'", dialect) == "cjrq = '20240630'"
    assert where_sql("a IN ('x','y')  AND  b IS NOT NULL", dialect).startswith("a IN ('x', 'y') AND ")
    with pytest.raises(ValueError, match="contains ';'"):
        where_sql("a = 1; DROP TABLE t", dialect)
    with pytest.raises(ValueError, match="is empty"):
        where_sql("  ", dialect)
    with pytest.raises(ValueError, match="nested too deeply|longer than"):
        where_sql("(" * 5000 + "a = 1" + ")" * 5000, dialect)
