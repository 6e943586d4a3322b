"""File-level checks of EAST text files: each problem is a finding with file and line; nothing is lost."""
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine.errors import DataReadError
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from tests.helpers import DATE, DEMO_FIELDS, LICENCE, east_line, failing_lines, rule_result, write_pack, write_spec

NAME = f"{LICENCE}-DEMO-{DATE}.txt"
GOOD = east_line(DEMO_FIELDS, {"ID": "1", "MC": "张三"}).encode()


def run(tmp_path: Path, files: dict[str, bytes], rules: str = "rules: []\n"):
    write_spec(tmp_path)
    pack = load_pack(write_pack(tmp_path, rules))
    batch = tmp_path / "batch"
    batch.mkdir(exist_ok=True)
    for name, data in files.items():
        (batch / name).write_bytes(data)
    return validate_submission(batch, pack, sample_limit=1000)


def demo(result):
    return next(t for t in result.tables if t.code == "DEMO")


def test_clean_file_has_no_file_findings(tmp_path):
    result = run(tmp_path, {NAME: GOOD + b"\n" + GOOD + b"\n"})
    assert [r.id for r in result.rules if r.status == "failed"] == []
    assert demo(result).rows_read == demo(result).rows_checked == 2


def test_wrong_field_count_rejects_the_line_and_keeps_the_rest(tmp_path):
    short = b"\x01".join([b"x"] * 5)
    result = run(tmp_path, {NAME: GOOD + b"\n" + short + b"\n" + GOOD + b"\n"})
    assert failing_lines(result, "FILE.FIELD_COUNT", "DEMO") == [2]
    t = demo(result)
    assert (t.rows_read, t.rows_checked, t.rows_rejected) == (3, 2, 1)


def test_invalid_utf8_line_is_rejected_with_its_line_number(tmp_path):
    bad = east_line(DEMO_FIELDS, {"ID": "2", "MC": "张三"}).encode("utf-8").replace("张三".encode(), "张三".encode("gbk"))
    result = run(tmp_path, {NAME: GOOD + b"\n" + GOOD + b"\n" + bad + b"\n" + GOOD + b"\n"})
    assert failing_lines(result, "FILE.ENCODING", "DEMO") == [3]
    t = demo(result)
    assert (t.rows_read, t.rows_checked, t.rows_rejected) == (4, 3, 1)


def test_gb18030_file_is_converted_and_checked(tmp_path):
    text = "\n".join(east_line(DEMO_FIELDS, {"ID": str(i), "MC": "王五" * (i + 1)}) for i in range(3)) + "\n"
    rules = "rules:\n  - {id: L, table: DEMO, kind: length, field: MC, max: 4}\n"
    result = run(tmp_path, {NAME: text.encode("gb18030")}, rules)
    assert failing_lines(result, "FILE.GB18030", "DEMO") == [1]
    assert rule_result(result, "FILE.ENCODING", "DEMO").failed == 0
    assert demo(result).rows_checked == 3
    assert failing_lines(result, "L") == [3]  # judged on the decoded text: 6 characters
    assert demo(result).files[0].encoding == "gb18030"


def test_mixed_utf8_file_with_one_gbk_line_rejects_only_that_line(tmp_path):
    good = east_line(DEMO_FIELDS, {"ID": "1", "MC": "张三"}).encode()
    bad = east_line(DEMO_FIELDS, {"ID": "2", "MC": "李四"}).encode("gbk")
    result = run(tmp_path, {NAME: good + b"\n" + bad + b"\n"})
    assert failing_lines(result, "FILE.ENCODING", "DEMO") == [2]
    assert rule_result(result, "FILE.GB18030", "DEMO").failed == 0


def test_bom_and_crlf_are_findings_and_rows_still_checked(tmp_path):
    data = b"\xef\xbb\xbf" + GOOD + b"\r\n" + GOOD + b"\n"
    result = run(tmp_path, {NAME: data}, "rules:\n  - {id: R, table: DEMO, kind: required, field: MC}\n")
    assert failing_lines(result, "FILE.BOM", "DEMO") == [1]
    assert failing_lines(result, "FILE.CRLF", "DEMO") == [1]
    assert demo(result).rows_checked == 2
    assert rule_result(result, "R").status == "passed"  # the BOM did not glue itself to the first value


def test_control_characters_name_the_field(tmp_path):
    row = east_line(DEMO_FIELDS, {"ID": "1", "MC": "张\x02三", "BBZ": "a\tb"}).encode()
    result = run(tmp_path, {NAME: GOOD + b"\n" + row + b"\n"})
    r = rule_result(result, "FILE.CONTROL_CHARS", "DEMO")
    assert [(s.line, s.value) for s in r.samples] == [(2, "MC,BBZ")]


def test_nul_byte_is_a_control_character_finding(tmp_path):
    row = east_line(DEMO_FIELDS, {"ID": "1", "MC": "a\x00b"}).encode()
    result = run(tmp_path, {NAME: GOOD + b"\n" + row + b"\n"})
    assert failing_lines(result, "FILE.CONTROL_CHARS", "DEMO") == [2]
    assert demo(result).rows_checked == 2


def test_collection_date_must_match_the_file_name(tmp_path):
    other = east_line(DEMO_FIELDS, {"ID": "2", "CJRQ": "20240531"}).encode()
    result = run(tmp_path, {NAME: GOOD + b"\n" + other + b"\n"})
    assert failing_lines(result, "FILE.CJRQ_MISMATCH", "DEMO") == [2]


def test_truncated_last_line_without_newline_is_read(tmp_path):
    result = run(tmp_path, {NAME: GOOD + b"\n" + GOOD})
    assert demo(result).rows_checked == 2


def test_empty_file_is_reported(tmp_path):
    result = run(tmp_path, {NAME: b""})
    assert rule_result(result, "FILE.EMPTY", "DEMO").status == "failed"
    assert demo(result).rows_read == 0


def test_unknown_table_bad_name_and_duplicate_files(tmp_path):
    result = run(tmp_path, {NAME: GOOD + b"\n", f"{LICENCE}-NOSUCH-{DATE}.txt": b"x\n", "notes.txt": b"hello\n",
                            f"{LICENCE.replace('1', '2', 1)}-DEMO-{DATE}.txt": GOOD + b"\n"})
    assert rule_result(result, "FILE.UNKNOWN_TABLE", "*").samples[0].file == f"{LICENCE}-NOSUCH-{DATE}.txt"
    assert rule_result(result, "FILE.NAME", "*").samples[0].file == "notes.txt"
    assert rule_result(result, "FILE.DUPLICATE", "DEMO").failed == 1
    assert demo(result).rows_read == 2  # both files are still checked


def test_batch_dates_must_agree(tmp_path):
    write = {NAME: GOOD + b"\n", f"{LICENCE}-DEMO-20240531.txt": east_line(DEMO_FIELDS, {"ID": "9", "CJRQ": "20240531"}).encode()}
    result = run(tmp_path, write)
    assert rule_result(result, "FILE.BATCH_DATE", "DEMO").failed == 1


def test_missing_folder_and_empty_folder_are_read_errors(tmp_path):
    write_spec(tmp_path)
    pack = load_pack(write_pack(tmp_path))
    with pytest.raises(DataReadError):
        validate_submission(tmp_path / "nope", pack)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataReadError):
        validate_submission(tmp_path / "empty", pack)


def test_csv_and_parquet_sources_give_the_same_findings(tmp_path):
    rules = "rules:\n  - {id: R, table: DEMO, kind: required, field: MC}\n  - {id: F, table: DEMO, kind: format, field: JE}\n"
    rows = [{"ID": "1", "MC": "张三", "JE": "1.00"}, {"ID": "2", "MC": "", "JE": "1,00"}, {"ID": "3", "MC": "李", "JE": "+1"}]
    codes = [f["code"] for f in DEMO_FIELDS]
    table = {c: [r.get(c, "20240630" if c == "CJRQ" else "") for r in rows] for c in codes}
    write_spec(tmp_path)
    pack = load_pack(write_pack(tmp_path, rules))
    csv_dir, pq_dir = tmp_path / "csv", tmp_path / "pq"
    csv_dir.mkdir(), pq_dir.mkdir()
    import csv
    with open(csv_dir / "DEMO.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(codes)
        w.writerows(zip(*table.values()))
    pq.write_table(pa.table(table), pq_dir / "DEMO.parquet")
    # CSV lines count the header line; Parquet "lines" are 1-based row numbers
    for folder, first in ((csv_dir, 2), (pq_dir, 1)):
        result = validate_submission(folder, pack)
        assert failing_lines(result, "R") == [first + 1]
        assert failing_lines(result, "F") == [first + 1, first + 2]


def test_unreadable_file_is_a_finding_and_the_rest_is_checked(tmp_path, monkeypatch):
    import os
    real_access = os.access
    # root reads anything, so stand in for chmod 000 by making the permission check say no
    monkeypatch.setattr(os, "access", lambda path, mode: False if str(path).endswith(NAME) else real_access(path, mode))
    result = run(tmp_path, {NAME: GOOD + b"\n"})
    r = rule_result(result, "FILE.UNREADABLE", "DEMO")
    assert [s.file for s in r.samples] == [NAME]
    assert next(i for i in result.manifest["inputs"] if i["file"] == NAME)["sha256"] is None


HUGE = 40 << 20  # a line longer than DuckDB's 32 MB read buffer (once silently dropped at the end of a file)
MISSING_MC = east_line(DEMO_FIELDS, {"ID": "9"}).encode()
PLACES = {  # where the huge line is: (file bytes, rows read, lines with a FIELD_COUNT finding, lines failing R)
    "last_unterminated": (GOOD + b"\n" + MISSING_MC + b"\n" + b"x" * HUGE, 3, [3], [2]),
    "last_terminated": (GOOD + b"\n" + MISSING_MC + b"\n" + b"x" * HUGE + b"\n", 3, [3], [2]),
    "middle": (GOOD + b"\n" + b"x" * HUGE + b"\n" + MISSING_MC + b"\n" + GOOD, 4, [2], [3]),
    "only_line": (b"x\x01" * (HUGE // 2), 1, [1], []),
}


@pytest.mark.slow
@pytest.mark.parametrize("checked", ["before", "during"])
@pytest.mark.parametrize("place", sorted(PLACES))
def test_a_huge_line_is_counted_and_rejected_and_the_rest_checked(place, checked, tmp_path, monkeypatch):
    """However long, a line is read (counted), rejected with its line number, and every other
    line is checked; the byte checks before DuckDB's read and during it agree."""
    import engine.sources.load as load
    if checked == "during":
        monkeypatch.setattr(load, "CHECK_FIRST", 0)
    data, rows, wrong, required = PLACES[place]
    result = run(tmp_path, {NAME: data}, "rules:\n  - {id: R, table: DEMO, kind: required, field: MC}\n")
    t = demo(result)
    assert (t.rows_read, t.rows_checked, t.rows_rejected) == (rows, rows - len(wrong), len(wrong))
    assert failing_lines(result, "FILE.FIELD_COUNT", "DEMO") == wrong
    assert failing_lines(result, "R") == required
    assert rule_result(result, "FILE.EMPTY", "DEMO").failed == 0


def test_a_huge_line_with_the_right_number_of_fields_is_a_line_length_finding(tmp_path):
    """A line over the 32 MiB a line is read up to, with as many fields as the table: rejected as
    too long to read, with its line number; the next line is still checked."""
    huge = east_line(DEMO_FIELDS, {"ID": "8", "MC": "张三", "BBZ": "长" * (12 << 20)}).encode()  # 36 MiB
    data = GOOD + b"\n" + huge + b"\n" + MISSING_MC + b"\n"
    result = run(tmp_path, {NAME: data}, "rules:\n  - {id: R, table: DEMO, kind: required, field: MC}\n")
    t = demo(result)
    assert (t.rows_read, t.rows_checked, t.rows_rejected) == (3, 2, 1)
    assert failing_lines(result, "FILE.LINE_LENGTH", "DEMO") == [2]
    assert rule_result(result, "FILE.FIELD_COUNT", "DEMO").failed == 0
    assert failing_lines(result, "R") == [3]


def test_a_long_line_under_the_limit_is_read_and_checked(tmp_path):
    """A 30 MiB line with the right fields is read and checked like any other."""
    long = east_line(DEMO_FIELDS, {"ID": "8", "BBZ": "长" * (10 << 20)}).encode()
    data = GOOD + b"\n" + long + b"\n" + GOOD
    result = run(tmp_path, {NAME: data}, "rules:\n  - {id: R, table: DEMO, kind: required, field: MC}\n")
    t = demo(result)
    assert (t.rows_read, t.rows_checked, t.rows_rejected) == (3, 3, 0)
    assert failing_lines(result, "R") == [2]


@pytest.mark.slow
@pytest.mark.parametrize("over", [0, 1])
def test_a_last_line_of_exactly_the_limit_is_read_and_one_byte_more_is_not(over, tmp_path):
    """The longest line DuckDB is given (LINE_CAP bytes, last and without LF, where DuckDB used to
    lose lines) is read and checked; one byte more and it is a LINE_LENGTH finding."""
    from engine.sources.load import LINE_CAP
    empty = east_line(DEMO_FIELDS, {"ID": "8", "MC": "", "BBZ": ""}).encode()
    last = east_line(DEMO_FIELDS, {"ID": "8", "MC": "", "BBZ": "x" * (LINE_CAP + over - len(empty))}).encode()
    assert len(last) == LINE_CAP + over
    result = run(tmp_path, {NAME: GOOD + b"\n" + last}, "rules:\n  - {id: R, table: DEMO, kind: required, field: MC}\n")
    t = demo(result)
    assert (t.rows_read, t.rows_checked, t.rows_rejected) == (2, 2 - over, over)
    assert failing_lines(result, "R") == ([] if over else [2])
    assert failing_lines(result, "FILE.LINE_LENGTH", "DEMO") == ([2] if over else [])
