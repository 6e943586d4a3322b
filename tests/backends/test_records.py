"""The whole failing record behind sampled findings (engine/backends/duckdb/records.py): read back
from EAST text, CSV and Parquet files, from a frame and from a PostgreSQL table; masked as the
samples are unless PII is shown; capped per rule and per run; every place once."""
from __future__ import annotations

import socket
import uuid
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine.api import validate
from engine.backends.duckdb.records import RECORDS_PER_RULE, record_key, sampled_places
from engine.backends.duckdb.run import validate_submission
from engine.report.json_report import dumps
from engine.results import Finding
from engine.ruleset import load_pack
from tests.helpers import DATE, DEMO_FIELDS, LICENCE, write_east, write_pack, write_spec

import json

ROOT = Path(__file__).resolve().parents[2]
RULES = """\
rules:
  - {id: R1, table: DEMO, kind: required, field: LX}
  - {id: U1, table: DEMO, kind: unique, fields: [ID]}
"""
CODES = [f["code"] for f in DEMO_FIELDS]
ROWS = [
    {"ID": "A1", "MC": "李四", "LX": "甲类", "JE": "1.00"},
    {"ID": "A2", "MC": "张三丰", "LX": "", "JE": "2.00", "BBZ": "第二行"},
    {"ID": "A2", "MC": "王五", "LX": "乙类", "JE": "3.00"},
]


def _full(row: dict) -> dict:
    return {c: {"CJRQ": DATE, **row}.get(c, "") for c in CODES}


@pytest.fixture
def pack(tmp_path):
    write_spec(tmp_path)
    return load_pack(write_pack(tmp_path, RULES))


def _records(result) -> dict:
    return result.records.get("DEMO", {}).get("records", {})


def _write_csv(folder: Path, rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{LICENCE}-DEMO-{DATE}.csv"
    lines = [",".join(CODES)] + [",".join(_full(r)[c] for c in CODES) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _write_parquet(folder: Path, rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{LICENCE}-DEMO-{DATE}.parquet"
    pq.write_table(pa.table({c: [_full(r)[c] for r in rows] for c in CODES}), path)
    return path


def _east(folder: Path, rows: list[dict]) -> Path:
    return write_east(folder, "DEMO", DEMO_FIELDS, rows)


WRITERS = {"east": (_east, 1), "csv": (_write_csv, 2), "parquet": (_write_parquet, 1)}  # writer, line of row 1


@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_records_come_from_the_file_whole_and_masked(tmp_path, pack, fmt):
    writer, first = WRITERS[fmt]
    path = writer(tmp_path / "batch", ROWS)
    result = validate_submission(tmp_path / "batch", pack)
    samples = {r.id: [(s.file, s.line) for s in r.samples] for r in result.rules if r.samples}
    assert samples["R1"] == [(path.name, first + 1)]
    assert samples["U1"] == [(path.name, first + 1), (path.name, first + 2)]
    records = _records(result)
    assert list(records) == [record_key(path.name, first + 1), record_key(path.name, first + 2)]  # each place once
    second = records[record_key(path.name, first + 1)]
    assert second == {**_full(ROWS[1]), "MC": "**丰"}  # every field; the name masked as samples mask it
    assert records[record_key(path.name, first + 2)]["MC"] == "*五"
    assert list(result.records["DEMO"]["fields"].items())[:2] == [("ID", "编号"), ("MC", "名称")]
    shown = validate_submission(tmp_path / "batch", pack, show_pii=True)
    assert _records(shown)[record_key(path.name, first + 1)] == _full(ROWS[1])


def test_the_json_report_carries_records_and_matches_the_schema(tmp_path, pack):
    _east(tmp_path / "batch", ROWS)
    doc = json.loads(dumps(validate_submission(tmp_path / "batch", pack)))
    schema = json.loads((ROOT / "reports" / "result.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, schema)
    assert doc["records"]["DEMO"]["records"][f"{LICENCE}-DEMO-{DATE}.txt:2"]["BBZ"] == "第二行"


def test_a_rejected_line_has_no_record(tmp_path, pack):
    path = _east(tmp_path / "batch", ROWS)
    path.write_text(path.read_text(encoding="utf-8") + "A9\x01short\n", encoding="utf-8")
    result = validate_submission(tmp_path / "batch", pack)
    count = next(r for r in result.rules if r.id == "FILE.FIELD_COUNT")
    assert [s.line for s in count.samples] == [4]
    assert record_key(path.name, 4) not in _records(result)


def test_each_rule_gives_at_most_its_first_records(tmp_path, pack):
    rows = [{"ID": f"B{i:02d}", "MC": "某", "LX": ""} for i in range(RECORDS_PER_RULE + 5)]
    path = _east(tmp_path / "batch", rows)
    result = validate_submission(tmp_path / "batch", pack)
    assert len(next(r for r in result.rules if r.id == "R1").samples) == len(rows)
    assert list(_records(result)) == [record_key(path.name, i) for i in range(1, RECORDS_PER_RULE + 1)]


def _finding(rule: str, file: str | None, line: int | None) -> Finding:
    return Finding(rule, "DEMO", file, line, None, None)


def test_places_are_capped_per_rule_and_per_run_each_once():
    samples = {0: [_finding("A", "f", i) for i in range(1, 6)] + [_finding("A", None, None)],
               1: [_finding("B", "f", i) for i in range(3, 9)],
               2: [_finding("C", "g", 1)]}
    assert sampled_places(samples, per_rule=3, total=100) == {"DEMO": {"f": {1, 2, 3, 4, 5}, "g": {1}}}
    assert sampled_places(samples, per_rule=10, total=7) == {"DEMO": {"f": {1, 2, 3, 4, 5, 6, 7}}}
    assert sampled_places({}, per_rule=10, total=7) == {}


def test_a_frame_gives_its_records(tmp_path, pack):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([_full(r) for r in ROWS])
    result = validate(frame, pack, table="DEMO")
    records = _records(result)
    assert len(records) == 2
    place = next(s for r in result.rules if r.id == "R1" for s in r.samples)
    assert records[record_key(place.file, place.line)] == {**_full(ROWS[1]), "MC": "**丰"}
    shown = validate(frame, pack, table="DEMO", show_pii=True)
    assert _records(shown)[record_key(place.file, place.line)]["MC"] == "张三丰"


def _postgres():
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            pass
    except OSError:
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
    sa = pytest.importorskip("sqlalchemy")
    return sa, sa.create_engine("postgresql://postgres@127.0.0.1:5432/test")


def test_a_postgresql_table_gives_its_records(tmp_path, pack):
    sa, engine = _postgres()
    schema = f"jh_rec_{uuid.uuid4().hex[:10]}"
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            table = sa.Table("demo", sa.MetaData(schema=schema), *[sa.Column(c.lower(), sa.Text) for c in CODES])
            table.create(conn)
            conn.execute(table.insert(), [{c.lower(): v for c, v in _full(r).items()} for r in ROWS])
        url = "postgresql://postgres@127.0.0.1:5432/test"
        for show_pii, name in ((False, "**丰"), (True, "张三丰")):
            result = validate(url, pack, schema=schema, show_pii=show_pii)
            place = next(s for r in result.rules if r.id == "R1" for s in r.samples)
            assert _records(result)[record_key(place.file, place.line)] == {**_full(ROWS[1]), "MC": name}
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()


def test_a_bom_crlf_file_gives_clean_records(tmp_path, pack):
    path = _east(tmp_path / "batch", [ROWS[1], ROWS[0], ROWS[2]])  # the failing row first, behind the BOM
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    records = _records(validate_submission(tmp_path / "batch", pack))
    assert records[record_key(path.name, 1)] == {**_full(ROWS[1]), "MC": "**丰"}


def test_a_gb18030_file_gives_its_records(tmp_path, pack):
    path = _east(tmp_path / "batch", ROWS)
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    records = _records(validate_submission(tmp_path / "batch", pack, show_pii=True))
    assert records[record_key(path.name, 2)] == _full(ROWS[1])
