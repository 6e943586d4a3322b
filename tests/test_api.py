"""engine.validate: every kind of input gives the findings of the file run on the same data.

The reference for in-memory inputs is a folder of Parquet files (`<CODE>.parquet`, text columns)
holding the example's well-formed rows: in-memory tables are read exactly like Parquet, so the
whole result must be equal — every rule (file checks included), its failing records with their
row numbers, keys and values. Against the original EAST files the comparison is that of
tests/example_tables.comparable (file-only checks aside).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import engine
from engine.errors import UsageError
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from engine.sources.source import TableSource
from engine.sources.typed_text import float_text
from tests.example_tables import BATCH, PREVIOUS, ROOT, comparable, example_rows, file_run, pack
from tests.helpers import DEMO_FIELDS, write_east, write_pack, write_spec


def everything(result) -> dict:
    """Per rule: status, counts and failing records as (line, key, value, excused); file checks
    that frames have nothing for (reported not applicable there) are left out on both sides."""
    return {(r.id, r.table): (r.status, r.failed, r.excused, r.checked,
                              sorted((s.line or 0, s.key or "", s.value or "", s.excused) for s in r.samples))
            for r in result.rules if r.id not in TableSource.not_applicable}


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {code: pd.DataFrame(rows, columns=cols) for code, (cols, rows) in example_rows().items()}


@pytest.fixture(scope="module")
def parquet_run(frames, tmp_path_factory):
    folder = tmp_path_factory.mktemp("parquet")
    for code, df in frames.items():
        pq.write_table(pa.Table.from_pandas(df, preserve_index=False), folder / f"{code}.parquet")
    return validate_submission(folder, pack(), sample_limit=10_000, previous_date=PREVIOUS)


def run(data, **kw):
    return engine.validate(data, pack="east5_core", previous_date=PREVIOUS, sample_limit=10_000, **kw)


def assert_like_parquet(result, parquet_run) -> None:
    assert everything(result) == everything(parquet_run)
    not_applicable = [r for r in result.rules if r.status == "not_applicable"]
    assert not_applicable and {r.id for r in not_applicable} <= TableSource.not_applicable
    assert comparable(result) == comparable(file_run())
    assert any(r.failed for r in result.rules)


@pytest.mark.slow
def test_a_dict_of_dataframes(frames, parquet_run):
    result = run(frames)
    assert_like_parquet(result, parquet_run)
    entry = next(i for i in result.manifest["inputs"] if i["table"] == "GRXDYWJJB")
    assert (entry["source"], entry["mode"], entry["rows_read"]) == ("pandas.DataFrame", "memory", 36)


@pytest.mark.slow
def test_pyarrow_tables_streams_and_duckdb_relations_keyed_by_chinese_names(frames, parquet_run):
    names = {code: pack().catalog.tables[code].name for code in frames}
    con = duckdb.connect()
    data = {}
    for i, (code, df) in enumerate(sorted(frames.items())):
        table = pa.Table.from_pandas(df, preserve_index=False)
        kind = i % 3
        if kind == 0:
            data[names[code]] = table
        elif kind == 1:
            data[names[code]] = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=7))
        else:
            con.register(f"src_{code}", table)
            data[code] = con.sql(f"SELECT * FROM src_{code}")
    assert_like_parquet(run(data), parquet_run)


def test_one_frame_names_its_table(frames, parquet_run):
    one = run(frames["GRXDYWJJB"], table="个人信贷业务借据表")
    assert [i["table"] for i in one.manifest["inputs"]] == ["GRXDYWJJB"]
    got = {k: v for k, v in everything(one).items()
           if k[1] == "GRXDYWJJB" and v[0] != "not_run"}
    # alone, its cross-table rules cannot run (not_run, with the reason) and fail nothing; every
    # other rule finds what it finds in the whole batch
    assert got == {k: everything(parquet_run)[k] for k in got}
    assert sum(v[0] == "failed" for v in got.values()) >= 5
    assert {r.table for r in one.rules} <= {"GRXDYWJJB", "*"}
    assert not any(r.id in ("FILE.MISSING_TABLE", "FILE.NOT_SUBMITTED") and r.failed for r in one.rules)
    cross = [r for r in one.rules if r.status == "not_run" and "outside this run" in (r.note or "")]
    assert cross, "a cross-table rule of GRXDYWJJB should be reported not run"


def test_one_frame_passes_when_its_own_rules_pass(frames):
    """A per-table pipeline check can pass: nothing about the absent tables fails it."""
    df = frames["JGXXB"]
    result = engine.validate(df, table="JGXXB", pack="east5_core", previous_date=PREVIOUS, fail_on="strong")
    strong = [r.id for r in result.rules if r.status == "failed" and r.severity == "strong"]
    assert "FILE.MISSING_TABLE" not in strong


@pytest.mark.slow
def test_require_tables_makes_absent_tables_fail(frames):
    result = engine.validate({"JGXXB": frames["JGXXB"]}, pack="east5_core", previous_date=PREVIOUS,
                             require_tables=["GRXDYWJJB", "个人基础信息表"])
    missing = {r.table: r.failed for r in result.rules if r.id == "FILE.NOT_SUBMITTED" and r.failed}
    assert missing == {"GRXDYWJJB": 1, "GRJCXXB": 1} and result.verdict == "not_ready"
    with pytest.raises(UsageError, match="unknown table"):
        engine.validate({"JGXXB": frames["JGXXB"]}, pack="east5_core", require_tables="NOSUCH")


@pytest.mark.slow
def test_a_folder_path(frames):
    assert everything(run(str(BATCH))) == everything(file_run())
    assert run(Path(BATCH)).verdict == file_run().verdict


@pytest.mark.slow
def test_a_database_url(frames):
    sa = pytest.importorskip("sqlalchemy", reason="database URLs need the 'warehouse' extra")
    pytest.importorskip("psycopg", reason="needs the psycopg driver ('warehouse' extra)")
    import uuid
    try:
        engine_ = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/test")
        with engine_.connect():
            pass
    except sa.exc.SQLAlchemyError:
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
    schema = f"jh_api_{uuid.uuid4().hex[:8]}"
    with engine_.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        for code, df in frames.items():
            df.rename(columns=str.lower).to_sql(code.lower(), engine_, schema=schema, index=False)
        result = run("postgresql://postgres@127.0.0.1:5432/test", schema=schema, source_mode="pushdown")
        assert comparable(result) == comparable(file_run())
        assert {i["mode"] for i in result.manifest["inputs"]} == {"pushdown"}
    finally:
        with engine_.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        engine_.dispose()


@pytest.mark.slow
def test_pack_version_params_and_fail_on_are_applied(frames, tmp_path):
    assert run(frames, fail_on="strong").verdict == "not_ready"
    assert run(frames, fail_on="none").verdict == "ready"
    assert run(frames, pack_version="2021.4").pack["version"] == "2021.4"
    with pytest.raises(Exception, match="no version '1999'"):
        run(frames, pack_version="1999")
    write_spec(tmp_path)
    pack_dir = write_pack(tmp_path, "table: DEMO\nrules:\n  - {id: CAP, kind: range, field: JE, max: '${cap}'}\n")
    (pack_dir / "pack.yaml").write_text((pack_dir / "pack.yaml").read_text("utf-8") + "parameters: {cap: 100}\n", "utf-8")
    demo = pd.DataFrame({f["code"]: ["1"] for f in DEMO_FIELDS} | {"JE": ["150"], "CJRQ": ["20240630"]})
    capped = {r.id: r.failed for r in engine.validate({"DEMO": demo}, pack=pack_dir).rules}
    raised = {r.id: r.failed for r in engine.validate({"DEMO": demo}, pack=pack_dir, params={"cap": 200}).rules}
    assert (capped["CAP"], raised["CAP"]) == (1, 0)
    with pytest.raises(UsageError, match="no parameter 'nosuch'"):
        run(frames, params={"nosuch": 1})


@pytest.mark.slow
def test_bad_calls_are_usage_errors(frames):
    with pytest.raises(UsageError, match="name the table of this pandas.DataFrame"):
        run(frames["JGXXB"])
    with pytest.raises(UsageError, match="unknown table 'NOSUCH'"):
        run({"NOSUCH": frames["JGXXB"]})
    with pytest.raises(UsageError, match="table JGXXB is given twice"):
        run({"JGXXB": frames["JGXXB"], "机构信息表": frames["JGXXB"]})
    with pytest.raises(UsageError, match="cannot validate a list"):
        run([1, 2])
    with pytest.raises(UsageError, match="fail_on"):
        run(frames, fail_on="sometimes")
    with pytest.raises(UsageError, match="apply to database URLs"):
        run(frames, schema="x")


# --- typed values become the text an EAST file holds ---------------------------------------------

PROBE = """\
table: DEMO
rules:
""" + "".join(f"  - {{id: P{f}, kind: regex, field: {f}, pattern: 'x^'}}\n"  # fails on every filled value: shows its text
              for f in ("BBZ", "LX", "JE", "YE", "QS", "KSRQ", "JSRQ", "NY", "SJ", "CJRQ"))
EXPECTED = {  # field → texts of the three rows (None: NULL, not checked by a "when filled" rule)
    "BBZ": ["true", "false", None], "LX": ["甲类", "乙类", "甲类"], "JE": ["1234.50", "0.1", None],
    "YE": ["0.1", "12", "1000000000000000000"], "QS": ["12", None, "3"],
    "KSRQ": ["20240105", None, "20231231"], "JSRQ": ["20240101", "20240229", None], "NY": ["202406", "202401", None],
    "SJ": ["235959", "000001", None], "CJRQ": ["20240630", "20240630", "20240630"],
}


def _texts(result) -> dict[str, list]:
    out = {}
    for f in EXPECTED:
        rule = next(r for r in result.rules if r.id == f"P{f}")
        by_line = {s.line: s.value for s in rule.samples}
        out[f] = [by_line.get(n) for n in (1, 2, 3)]
    return out


@pytest.fixture
def demo(tmp_path):
    write_spec(tmp_path)
    demo_pack = load_pack(write_pack(tmp_path, PROBE, derive={"required": True, "format": True, "codelist": True,
                                                                "key": False, "links": False}))
    rows = [{**{f: v for f, v in zip(EXPECTED, texts) if v is not None}, "ID": str(i + 1)}
            for i, texts in enumerate(zip(*EXPECTED.values()))]
    write_east(tmp_path / "batch", "DEMO", DEMO_FIELDS, rows)
    return demo_pack, validate_submission(tmp_path / "batch", demo_pack, sample_limit=100)


def _same_as_text_file(result, by_file) -> None:
    def view(r):
        return {(x.id, x.table): (x.status, x.failed) for x in r.rules if x.id not in TableSource.not_applicable}
    assert view(result) == view(by_file)
    assert all(r.failed == 0 for r in result.rules if r.kind == "format")


def test_typed_dataframe_columns_become_east_text(demo):
    demo_pack, by_file = demo
    df = pd.DataFrame({
        "ID": ["1", "2", "3"],
        "BBZ": pd.array([True, False, None], dtype="boolean"),
        "LX": pd.Categorical(["甲类", "乙类", "甲类"]),
        "JE": [Decimal("1234.50"), Decimal("0.1"), None],
        "YE": [0.1, 12.0, 1e18],
        "QS": pd.array([12, None, 3], dtype="Int64"),
        "KSRQ": pd.to_datetime(["2024-01-05", None, "2023-12-31"]),
        "JSRQ": [dt.date(2024, 1, 1), dt.date(2024, 2, 29), None],
        "NY": pd.to_datetime(["2024-06-15", "2024-01-31", None]),
        "SJ": [dt.time(23, 59, 59), dt.time(0, 0, 1), None],
        # wall-clock time in Shanghai; in UTC the first is on the 29th
        "CJRQ": pd.to_datetime(["2024-06-30 00:30", "2024-06-30 23:00", "2024-06-30 08:00"]).tz_localize("Asia/Shanghai"),
        "BZ": ["", None, float("nan")], "MC": None, "YE_EXTRA": 1,
    })
    result = engine.validate({"DEMO": df}, pack=demo_pack, sample_limit=100)
    assert _texts(result) == EXPECTED
    _same_as_text_file(result, by_file)


def _typed_arrow(cjrq: pa.Array) -> pa.Table:
    """The probe's rows as a typed Arrow table (``cjrq``: its 采集日期 column)."""
    return pa.table({
        "ID": ["1", "2", "3"], "BBZ": pa.array([True, False, None]), "LX": pa.array(["甲类", "乙类", "甲类"]).dictionary_encode(),
        "JE": pa.array([Decimal("1234.50"), Decimal("0.10"), None], pa.decimal128(20, 2)),
        "YE": pa.array([0.1, 12.0, 1e18]), "QS": pa.array([12, None, 3], pa.int32()),
        "KSRQ": pa.array([dt.date(2024, 1, 5), None, dt.date(2023, 12, 31)]),
        "JSRQ": pa.array([dt.datetime(2024, 1, 1, 9), dt.datetime(2024, 2, 29), None], pa.timestamp("us")),
        "NY": pa.array([dt.date(2024, 6, 1), dt.date(2024, 1, 1), None]),
        "SJ": pa.array([dt.time(23, 59, 59), dt.time(0, 0, 1), None], pa.time64("us")),
        "CJRQ": cjrq, "MC": pa.nulls(3, pa.string()), "BZ": pa.nulls(3, pa.string()),
    })


def test_typed_arrow_columns_become_east_text(demo):
    demo_pack, by_file = demo
    table = _typed_arrow(pa.array([dt.datetime(2024, 6, 29, 16, 30), dt.datetime(2024, 6, 30, 15), dt.datetime(2024, 6, 30)],
                                  pa.timestamp("s", tz="Asia/Shanghai")))  # UTC instants: the 30th in Shanghai
    result = engine.validate({"DEMO": table}, pack=demo_pack, sample_limit=100)
    expected = {**EXPECTED, "JE": ["1234.50", "0.10", None]}  # a decimal(20, 2) column writes two decimals
    assert _texts(result) == expected


def test_typed_parquet_columns_become_the_same_east_text(demo, tmp_path):
    """A typed Parquet file is read as the same Arrow table in memory would be: a DATE column is
    20240105, never 2024-01-05 (which every date rule would reject)."""
    demo_pack, by_file = demo
    table = _typed_arrow(pa.array(["20240630"] * 3))
    (tmp_path / "typed").mkdir()
    pq.write_table(table, tmp_path / "typed" / "DEMO.parquet")
    from_file = validate_submission(tmp_path / "typed", demo_pack, sample_limit=100)
    assert _texts(from_file) == {**EXPECTED, "JE": ["1234.50", "0.10", None]}
    assert everything(from_file) == everything(engine.validate({"DEMO": table}, pack=demo_pack, sample_limit=100))


@pytest.mark.parametrize("value, text", [(0.1, "0.1"), (12.0, "12"), (-0.5, "-0.5"), (1e20, "100000000000000000000"),
                                         (5e-05, "0.00005"), (0.1 + 0.2, "0.30000000000000004"),
                                         (123456789.125, "123456789.125"), (-0.0, "0"), (float("nan"), None)])
def test_floats_are_written_without_noise_or_exponents(value, text):
    assert float_text(value) == text


# --- the README example runs as written ----------------------------------------------------------

def test_the_readme_example_runs_verbatim(monkeypatch, capsys):
    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    result = namespace["result"]
    by_file = validate_submission(BATCH / "B0001H111000001-JGXXB-20240630.txt", pack(), sample_limit=1000)
    def view(run):  # one frame is checked alone: no file checks, no failure for the tables it lacks
        return {(r.id, r.table): (r.status, r.failed) for r in run.rules if r.table == "JGXXB"
                and r.id not in TableSource.not_applicable | {"FILE.MISSING_TABLE"}}
    assert view(result) == view(by_file)
    assert result.verdict == "not_ready" and "not_ready" in capsys.readouterr().out


@pytest.mark.slow
def test_file_checks_are_not_applicable_to_frames_never_passed(frames):
    """A DataFrame has no file name, bytes or encoding: those checks say so instead of 'passed'."""
    result = run(frames)
    by_id = {}
    for r in result.rules:
        by_id.setdefault(r.id, set()).add(r.status)
    for rule_id in ("FILE.NAME", "FILE.BOM", "FILE.CRLF", "FILE.ENCODING"):
        assert by_id[rule_id] == {"not_applicable"}, rule_id
    assert "passed" in by_id["FILE.CONTROL_CHARS"] or "failed" in by_id["FILE.CONTROL_CHARS"]
    assert result.summary()["rules_not_applicable"] == sum(r.status == "not_applicable" for r in result.rules) > 0
    na = next(r for r in result.rules if r.status == "not_applicable")
    assert na.checked == 0 and "not applicable" in na.note
