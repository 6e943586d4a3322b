"""``load_table`` of CSV files: read in parallel and numbered by place when no record spans lines,
else on one thread with lines counted through the records (or numbered by a window) — the same
rows, lines and findings either way."""
from pathlib import Path

import duckdb
import pytest

from engine.ruleset import load_pack
from engine.sources import tabular
from engine.sources.discover import SourceFile
from engine.sources.load import create_relation, load_table

HEADER = "UNIT_USCC,UNIT_NAME,UNIT_KIND,REGION_CODE,GOV_LEVEL,IS_LGFV,SUPERVISOR,REG_DATE"


def row(i: int, name: str | None = None) -> str:
    return f'91460100MA{i:08d},"{name or f"单位{i}"}",融资平台公司,460100,市,是,"",20200101'


FILES = {
    "one record per line": [row(i) for i in range(2000)],
    "a short and a long record": [row(i) for i in range(100)] + ['"x",y'] + [row(i) + ',extra' for i in range(1)]
    + [row(i) for i in range(100, 200)],
    "blank lines": [row(i) for i in range(50)] + ["", ""] + [row(i) for i in range(50, 100)],
    "a record over three lines": [row(i) for i in range(50)] + [row(50, "单位\n五十\n号")] + [row(i) for i in range(51, 99)],
    "a comma and doubled quotes inside quotes": [row(i, f'单位,{i} ""甲""') for i in range(300)],
    "header only": [],
    "no quotes": [row(i).replace('"', "") for i in range(500)],
    "no quotes, blank and short lines": [row(i).replace('"', "") for i in range(20)] + ["", "a,b"]
    + [row(i).replace('"', "") for i in range(20, 40)],
}


@pytest.fixture(scope="module")
def unit_table():
    return load_pack("debt_platform").catalog.tables["DEBT_UNIT"]


def loaded(tmp_path: Path, table, text: str, by_place: bool, monkeypatch) -> tuple[list, list, int, int]:
    path = tmp_path / "DEBT_UNIT.csv"
    path.write_text(text, encoding="utf-8")
    if not by_place:
        monkeypatch.setattr(tabular, "staged_by_place", lambda con, rel: "")
    con = duckdb.connect()
    create_relation(con, table)
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    info, findings = load_table(con, SourceFile(path, "DEBT_UNIT", "csv"), table, work, field_marks=False)
    rows = con.execute('SELECT * FROM "t_DEBT_UNIT" ORDER BY _line').fetchall()
    monkeypatch.undo()
    return rows, [(f.rule_id, f.line, f.value) for f in findings], info.rows_read, info.rows_rejected


@pytest.mark.parametrize("name", list(FILES))
def test_parallel_read_numbered_by_place_equals_the_one_thread_read(name, tmp_path, unit_table, monkeypatch):
    text = "\n".join([HEADER, *FILES[name]]) + "\n"
    serial = loaded(tmp_path, unit_table, text, False, monkeypatch)
    assert loaded(tmp_path, unit_table, text, True, monkeypatch) == serial


def test_lines_are_the_physical_lines(tmp_path, unit_table, monkeypatch):
    lines = [row(i) for i in range(10)] + ["", row(10, "甲\n乙")] + [row(i) for i in range(11, 20)]
    rows, findings, read, rejected = loaded(tmp_path, unit_table, "\n".join([HEADER, *lines]), True, monkeypatch)
    by_uscc = {r[5]: r[1] for r in rows}
    assert by_uscc["91460100MA00000000"] == 2
    assert by_uscc["91460100MA00000010"] == 13  # after the blank line 12
    assert by_uscc["91460100MA00000011"] == 15  # the record before spans lines 13-14
    assert ("FILE.FIELD_COUNT", 12, "1 fields, expected 8") in findings
    assert (read, rejected) == (21, 1)


def test_a_file_read_by_place_is_read_in_parallel(tmp_path, unit_table):
    path = tmp_path / "DEBT_UNIT.csv"
    path.write_text("\n".join([HEADER, *FILES["one record per line"]]) + "\n", encoding="utf-8")
    con = duckdb.connect()
    rel = tabular.csv_relation(con, SourceFile(path, "DEBT_UNIT", "csv"), unit_table, tmp_path, numbered=True)
    assert "parallel=true" in rel.by_place and rel.place_lines == (path, 1)
    assert tabular.staged_by_place(con, rel) == "(rowid + 2)"
    con.execute("DROP TABLE _jh_file")
    con.execute("SET preserve_insertion_order = false")  # places would say nothing
    assert tabular.staged_by_place(con, rel) == ""
    con.execute("SET preserve_insertion_order = true")
    spanning = tmp_path / "spanning" / "DEBT_UNIT.csv"
    spanning.parent.mkdir()
    spanning.write_text("\n".join([HEADER, *FILES["a record over three lines"]]) + "\n", encoding="utf-8")
    rel = tabular.csv_relation(con, SourceFile(spanning, "DEBT_UNIT", "csv"), unit_table, tmp_path, numbered=True)
    assert tabular.staged_by_place(con, rel) == ""
    assert not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = '_jh_file'").fetchone()[0]


@pytest.mark.parametrize("text, lines", [(b"", 0), (b"a", 1), (b"a\n", 1), (b"a\nb", 2), (b"\n\n", 2)])
def test_physical_lines(tmp_path, text, lines):
    path = tmp_path / "f.csv"
    path.write_bytes(text)
    assert tabular.physical_lines(path) == lines


RAW_FILES = {
    "CRLF line ends": "\r\n".join([HEADER, *[row(i) for i in range(30)]]) + "\r\n",
    "a byte-order mark": "\ufeff" + "\n".join([HEADER, *[row(i) for i in range(30)]]) + "\n",
    "a header over two lines": HEADER.replace("UNIT_NAME", '"UNIT_NAME"').replace("REG_DATE", '"REG\nDATE"') + "\n"
    + "\n".join(row(i) for i in range(30)) + "\n",
    "a lone CR inside a field": "\n".join([HEADER, *[row(i) for i in range(10)], row(10, "甲\r乙"),
                                           *[row(i) for i in range(11, 20)]]) + "\n",
    "a blank CRLF line": "\r\n".join([HEADER, *[row(i) for i in range(10)], "", *[row(i) for i in range(10, 20)]]),
}


@pytest.mark.parametrize("name", list(RAW_FILES))
def test_line_ends_marks_and_headers_read_alike(name, tmp_path, unit_table, monkeypatch):
    serial = loaded(tmp_path, unit_table, RAW_FILES[name], False, monkeypatch)
    assert serial[2] > 0
    assert loaded(tmp_path, unit_table, RAW_FILES[name], True, monkeypatch) == serial
