"""A secret in the database URL never reaches a report, a message or the console.

A password in the URL's query (``?password=``, ``?sslpassword=``, ``?token=`` ...) once went as
written into error messages, report.json / report.html, junit.xml, SARIF, manifest.json and the
workbook; only the ``user:password@`` form was masked. A malformed URL (``postgresql://[::1``,
a port that is not a number) ended as "internal error" (exit 3) instead of a usage error.

The runs use the real command line against PostgreSQL on 127.0.0.1:5432 (trust authentication
accepts any password); they skip when it does not answer. Every file written, unzipped where it
is a workbook, and stdout and stderr are searched for the secret.
"""
from __future__ import annotations

import socket
import uuid
import zipfile
from pathlib import Path

import pytest

from tests.example_tables import example_rows
from tests.hostile.conftest import jianhe

sa = pytest.importorskip("sqlalchemy", reason="warehouse sources need the 'warehouse' extra (SQLAlchemy)")

SECRET = "Zq7SekritValue9"
SERVER = "postgres@127.0.0.1:5432"
FORMATS = "json,html,junit,sarif,manifest,xlsx"


@pytest.fixture(scope="module")
def schema():
    """A schema of this module's own holding the example's JGXXB (its rules find something)."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError:
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
    pytest.importorskip("psycopg", reason="the psycopg driver is not installed (pip install 'jianhe[warehouse]')")
    engine = sa.create_engine(f"postgresql+psycopg://{SERVER}/test")
    name = f"jh_secrets_{uuid.uuid4().hex[:10]}"
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    except sa.exc.SQLAlchemyError as exc:
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 does not accept postgres@/test: {str(exc).splitlines()[0]}")
    cols, rows = example_rows()["JGXXB"]
    table = sa.Table("jgxxb", sa.MetaData(schema=name), *[sa.Column(c.lower(), sa.Text) for c in cols])
    table.create(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{c.lower(): v for c, v in zip(cols, row)} for row in rows])
    yield name
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')
    engine.dispose()


def _texts(out: Path, run) -> dict[str, str]:
    """Everything the run wrote: stdout, stderr, each file under ``out`` (each part of a workbook)."""
    texts = {"stdout": run.stdout, "stderr": run.stderr}
    for path in sorted(out.rglob("*")) if out.exists() else []:
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                texts.update({f"{path.name}!{n}": book.read(n).decode("utf-8", "replace") for n in book.namelist()})
        elif path.is_file():
            texts[path.name] = path.read_bytes().decode("utf-8", "replace")
    return texts


def _assert_no_secret(out: Path, run) -> dict[str, str]:
    texts = _texts(out, run)
    leaked = sorted(name for name, text in texts.items() if SECRET.lower() in text.lower())
    assert leaked == [], f"the secret is printed in {leaked}"
    return texts


@pytest.mark.parametrize("url", [
    f"postgresql://{SERVER}/test?password={SECRET}",
    f"postgresql://{SERVER}/test?sslpassword={SECRET}&application_name=jianhe",
    f"postgresql+psycopg://{SERVER}/test?application_name=jianhe&password={SECRET}",
    f"postgresql://postgres:{SECRET}@127.0.0.1:5432/test",
])
def test_reports_of_a_run_never_show_the_urls_secret(schema, tmp_path, url):
    out = tmp_path / "out"
    run = jianhe("validate", url, "--schema", schema, "--format", FORMATS, "--report-dir", out)
    assert run.returncode == 1, run.stderr  # the example's JGXXB has findings
    texts = _assert_no_secret(out, run)
    # the URL did reach every report (masked), so its secret's absence means something
    for name in ("report.json", "report.html", "junit.xml", "manifest.json", "jianhe.sarif"):
        assert "127.0.0.1" in texts[name] and "***" in texts[name], name
    assert any("127.0.0.1" in text for name, text in texts.items() if ".xlsx!" in name), sorted(texts)


@pytest.mark.parametrize("url", [
    f"postgresql://{SERVER}/jh_no_such_database?password={SECRET}",
    f"postgresql://postgres@127.0.0.1:1/test?password={SECRET}",
    f"postgresql://postgres:{SECRET}@127.0.0.1:1/test?sslmode=disable",
    *(f"postgresql://{SERVER}/test?{key}={SECRET}" for key in
      ("pwd", "passwd", "PASSWORD", "token", "secret", "access_key", "aws_secret_key", "api_key")),
])
def test_connection_errors_never_show_the_urls_secret(schema, tmp_path, url):
    out = tmp_path / "out"
    run = jianhe("validate", url, "--schema", schema, "--format", FORMATS, "--report-dir", out)
    assert run.returncode == 3, run.stderr
    assert run.stderr.startswith("jianhe: error: cannot connect to postgresql"), run.stderr
    _assert_no_secret(out, run)


@pytest.mark.parametrize("url, why", [
    ("postgresql://[::1", "IPv6"),
    ("postgresql://u@h:notaport/db", "port"),
    (f"postgresql://u:{SECRET}@h:notaport/db", "port"),
    (f"postgresql://u:{SECRET}@[::1/db", "IPv6"),
    (f"postgresql://u@h:notaport/db?password={SECRET}", "port"),
    (f"postgresql://u:{SECRET}/db", "port"),
])
def test_a_malformed_url_is_a_usage_error_naming_it_without_its_secret(tmp_path, url, why):
    out = tmp_path / "out"
    run = jianhe("validate", url, "--format", FORMATS, "--report-dir", out)
    assert run.returncode == 2, run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("jianhe: error: the submission argument is not a database URL: postgresql://"), line
    assert why in line and "internal error" not in line, line
    _assert_no_secret(out, run)
