"""Malformed inputs a careless or malicious submitter hands over: entries that are not files,
files DuckDB cannot read, invisible characters that make two keys look alike.

Each once escaped: a FIFO, a dangling link or a directory named like a table file was invisible
(no finding, no manifest entry: the pack could end READY without that table); one unreadable CSV
or Parquet file aborted the whole run with exit 3 and no report; ``0001`` followed by a
zero-width space passed key uniqueness. Runs go through the real command line in a child process
(a FIFO must never be opened: reading one waits forever, so every run has a timeout).
"""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine.api import validate
from engine.ruleset import load_pack
from tests.helpers import DATE, DEMO_FIELDS, LICENCE, east_line, write_pack, write_spec
from tests.hostile.conftest import jianhe

ZB_FIELDS = [
    {"code": "ID", "name": "编号", "format": "C..20", "required": True},
    {"code": "MC", "name": "名称", "format": "C..12"},
    {"code": "CJRQ", "name": "采集日期", "format": "YYYYMMDD", "required": True},
]
RULES = """\
rules:
  - {id: R, table: DEMO, kind: required, field: MC}
  - {id: U, table: DEMO, kind: unique, fields: [ID]}
  - {id: RZ, table: ZB, kind: required, field: MC}
"""
DEMO = f"{LICENCE}-DEMO-{DATE}.txt"
ZB = f"{LICENCE}-ZB-{DATE}.txt"
CODES = [f["code"] for f in DEMO_FIELDS]
SECONDS = 120  # a run that opened a FIFO would never end


def demo_line(**values) -> bytes:
    return east_line(DEMO_FIELDS, {"ID": "1", "MC": "张三", **values}).encode()


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """A clean two-table submission (DEMO and ZB), ready to file, and its pack in tmp_path/rulesets/demo."""
    write_spec(tmp_path, {"DEMO": DEMO_FIELDS, "ZB": ZB_FIELDS})
    write_pack(tmp_path, RULES)
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / DEMO).write_bytes(demo_line() + b"\n" + demo_line(ID="2") + b"\n")
    (folder / ZB).write_bytes(east_line(ZB_FIELDS, {"ID": "Z1", "MC": "李四"}).encode() + b"\n")
    return folder


def validate_cli(folder: Path, out: Path):
    """``jianhe validate`` with a JSON report; the run and the report."""
    run = jianhe("validate", folder, "--pack", folder.parent / "rulesets" / "demo", "--report-dir", out,
                 "--format", "json", "--quiet", timeout=SECONDS)
    report = out / "report.json"
    return run, json.loads(report.read_text("utf-8")) if report.exists() else None


def failed(doc: dict) -> dict[tuple[str, str], list[tuple]]:
    return {(r["id"], r["table"]): [(s["file"], s["line"], s["value"]) for s in r["samples"]]
            for r in doc["rules"] if r["status"] == "failed"}


def test_the_clean_batch_is_ready(batch, tmp_path):
    run, doc = validate_cli(batch, tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert failed(doc) == {}


# --- entries that are not regular files --------------------------------------------------------

def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dangling(path: Path) -> None:
    os.symlink(path.parent / "gone.txt", path)


def _directory(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_bytes(b"x\n")


def _link_to_fifo(path: Path) -> None:
    os.mkfifo(path.parent.parent / "pipe")
    os.symlink(path.parent.parent / "pipe", path)


@pytest.mark.parametrize("make, kind", [
    (_fifo, "a FIFO (named pipe)"),
    (_dangling, "a dangling symbolic link"),
    (_directory, "a directory"),
    (_link_to_fifo, "a FIFO (named pipe), through a symbolic link"),
])
@pytest.mark.parametrize("name", [ZB, "ZB.csv"])
def test_an_entry_named_like_a_table_file_that_is_not_a_file_is_reported_and_never_opened(batch, tmp_path, make,
                                                                                          kind, name):
    (batch / ZB).unlink()
    make(batch / name)
    run, doc = validate_cli(batch, tmp_path / "out")  # the timeout fails the test if the FIFO was opened
    assert run.returncode == 1, run.stderr  # not ready: the table is not there
    assert failed(doc) == {("FILE.UNREADABLE", "ZB"): [(name, None, f"{name}: not a regular file but {kind}; not read")]}
    entry = next(i for i in doc["manifest"]["inputs"] if i["file"] == name)
    assert entry["note"] == f"not a regular file but {kind}; not read"
    assert (entry["bytes"], entry["sha256"], entry["rows_read"]) == (None, None, 0)
    zb = next(t for t in doc["tables"] if t["code"] == "ZB")
    assert zb["rows_read"] == 0
    assert next(r for r in doc["rules"] if r["id"] == "RZ")["status"] == "not_run"


# --- files DuckDB cannot read ------------------------------------------------------------------

def _csv(path: Path, tail: bytes = b"", encoding: str = "utf-8") -> None:
    rows = [",".join(CODES), ",".join({"ID": "1", "MC": "张三", "CJRQ": DATE}.get(c, "") for c in CODES)]
    path.with_suffix(".csv").write_bytes(("\n".join(rows) + "\n").encode(encoding) + tail)


@pytest.mark.parametrize("name, write, reason", [
    ("ZB.csv", lambda p: _csv(p, encoding="utf-16"), "ZB.csv: UTF-16 text (byte-order mark FF FE)"),
    ("ZB.csv", lambda p: _csv(p, tail=b"2,\xe4\xb8,x\n"), "ZB.csv: not valid UTF-8 (line 3, byte 3)"),
    ("ZB.parquet", lambda p: p.write_bytes(b"PAR1" + bytes(range(256)) * 4 + b"PAR1"), "ZB.parquet: "),
])
def test_one_unreadable_file_is_a_finding_and_the_rest_is_checked(batch, tmp_path, name, write, reason):
    (batch / ZB).unlink()
    write(batch / name)
    (batch / DEMO).write_bytes(demo_line() + b"\n" + demo_line(ID="2", MC="") + b"\n")  # R fails on line 2
    run, doc = validate_cli(batch, tmp_path / "out")
    assert run.returncode == 1, run.stderr  # findings, not "could not be read at all" (3)
    found = failed(doc)
    (unreadable,) = found.pop(("FILE.UNREADABLE", "ZB"))
    assert unreadable[:2] == (name, None) and unreadable[2].startswith(reason), unreadable
    assert found == {("R", "DEMO"): [(DEMO, 2, "")]}
    assert {t["code"]: (t["rows_read"], t["rows_checked"]) for t in doc["tables"]} == {"DEMO": (2, 2), "ZB": (0, 0)}
    entry = next(i for i in doc["manifest"]["inputs"] if i["file"] == name)
    assert entry["bytes"] == (batch / name).stat().st_size and len(entry["sha256"]) == 64


# --- invisible characters ----------------------------------------------------------------------

LOOKALIKE_KEYS = [("0001", "张三"), ("0001\u200b", "李四"), ("0002", "王\u202e五"), ("0003", "赵\u0085六"),
                  ("0004\ufeff", "钱七"), ("0005", "孙\u2066八\u2069")]
FLAGGED = [(2, "ID"), (3, "MC"), (4, "MC"), (5, "ID"), (6, "MC")]


def test_a_zero_width_space_does_not_make_a_key_unique_unnoticed(batch, tmp_path):
    (batch / DEMO).write_bytes(b"".join(demo_line(ID=i, MC=m) + b"\n" for i, m in LOOKALIKE_KEYS))
    run, doc = validate_cli(batch, tmp_path / "out")
    assert run.returncode == 1, run.stderr
    assert failed(doc) == {("FILE.CONTROL_CHARS", "DEMO"): [(DEMO, line, field) for line, field in FLAGGED]}


@pytest.mark.parametrize("kind", ["pandas", "arrow"])
def test_invisible_characters_are_flagged_in_in_memory_tables(tmp_path, kind):
    write_spec(tmp_path, {"DEMO": DEMO_FIELDS, "ZB": ZB_FIELDS})
    pack = load_pack(write_pack(tmp_path, RULES))
    columns = {c: [{"ID": i, "MC": m, "CJRQ": DATE}.get(c, "") for i, m in LOOKALIKE_KEYS] for c in CODES}
    if kind == "pandas":
        import pandas as pd
        data = pd.DataFrame(columns)
    else:
        data = pa.table(columns)
    result = validate({"DEMO": data}, pack)
    flagged = [(s.line, s.value) for r in result.rules if r.id == "FILE.CONTROL_CHARS" and r.table == "DEMO"
               for s in r.samples]
    assert flagged == FLAGGED


def test_invisible_characters_are_flagged_in_a_parquet_file(batch, tmp_path):
    (batch / DEMO).unlink()
    pq.write_table(pa.table({c: [{"ID": i, "MC": m, "CJRQ": DATE}.get(c, None) for i, m in LOOKALIKE_KEYS]
                             for c in CODES}), batch / "DEMO.parquet")
    run, doc = validate_cli(batch, tmp_path / "out")
    assert failed(doc) == {("FILE.CONTROL_CHARS", "DEMO"): [("DEMO.parquet", line, f) for line, f in FLAGGED]}


def test_a_field_given_twice_in_memory_is_a_finding_not_a_silent_choice(tmp_path):
    write_spec(tmp_path, {"DEMO": DEMO_FIELDS, "ZB": ZB_FIELDS})
    pack = load_pack(write_pack(tmp_path, RULES))
    columns = {c: ["1" if c != "CJRQ" else DATE] for c in CODES}
    result = validate({"DEMO": pa.table({**columns, "金额": ["2"]})}, pack)
    (finding,) = next(r for r in result.rules if r.id == "FILE.FIELD_COUNT" and r.table == "DEMO").samples
    assert finding.value == "duplicate column JE 金额: JE, 金额"
    demo = next(t for t in result.tables if t.code == "DEMO")
    assert (demo.rows_read, demo.rows_checked, demo.rows_rejected) == (1, 0, 1)


@pytest.mark.parametrize("mode", ["stream", "pushdown"])
def test_invisible_characters_are_flagged_in_a_warehouse_table(tmp_path, mode):
    sa = pytest.importorskip("sqlalchemy", reason="warehouse sources need the 'warehouse' extra")
    from engine.backends.duckdb.run import validate_submission
    from engine.sources.warehouse import WarehouseSource
    from tests.sources.test_warehouse import PG_URL, _answers, _engine, _importable
    if not _answers(5432):
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
    engine = _engine(PG_URL, "psycopg" if _importable("psycopg") else "psycopg2")
    schema = f"jh_test_{uuid.uuid4().hex[:10]}"
    write_spec(tmp_path, {"DEMO": DEMO_FIELDS, "ZB": ZB_FIELDS})
    pack = load_pack(write_pack(tmp_path, RULES))
    table = sa.Table("demo", sa.MetaData(schema=schema), *[sa.Column(c.lower(), sa.Text) for c in CODES])
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            table.create(conn)
            conn.execute(table.insert(), [{c.lower(): {"ID": i, "MC": m, "CJRQ": DATE}.get(c, "") for c in CODES}
                                          for i, m in LOOKALIKE_KEYS])
        with WarehouseSource(PG_URL, schema=schema, mode=mode) as source:
            result = validate_submission(source, pack, sample_limit=100)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()
    assert result.manifest["inputs"][0]["mode"] == mode
    flagged = sorted(s.value for r in result.rules if r.id == "FILE.CONTROL_CHARS" for s in r.samples)
    assert flagged == sorted(field for _, field in FLAGGED)  # rows are numbered in the warehouse's own order
