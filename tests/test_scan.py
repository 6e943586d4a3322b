"""One pass per table: rows read in parallel and numbered by their place in the stored table, the
byte checks of large files done during the read (a dirty file read again the careful way), only
the fields later queries read stored — with every finding exactly as a careful read gives it."""
import re
from pathlib import Path

import pytest

import engine.sources.load as load
from engine.compile import build_plan
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from tests.helpers import DATE, DEMO_FIELDS, LICENCE, east_line, write_pack, write_spec

NAME = f"{LICENCE}-DEMO-{DATE}.txt"
RULES = """\
rules:
  - {id: R, table: DEMO, kind: required, field: MC}
  - {id: U, table: DEMO, kind: unique, fields: [ID]}
  - {id: L, table: DEMO, kind: length, field: MC, max: 3}
"""


def line(**row) -> bytes:
    return east_line(DEMO_FIELDS, {"ID": "1", "MC": "张三", **row}).encode()


def padding(n: int) -> bytes:
    """n good lines, every ID distinct (over 1 MiB with n = 12,000: past the UTF-8 check of the head)."""
    return b"".join(line(ID=f"P{i}", BBZ="备注" * 20) + b"\n" for i in range(n))


# (file bytes) → each a broken file; the padding puts the defect beyond the first MiB
CASES = {
    "clean": padding(3) + line(ID="X", MC="") + b"\n",
    "crlf_line": padding(12000) + line(ID="X", MC="") + b"\r\n" + line(ID="Y") + b"\n",
    "control_character": padding(12000) + line(ID="X", BBZ="a\x02b") + b"\n" + line(ID="Y", MC="") + b"\n",
    "nul_byte": padding(12000) + line(ID="X", BBZ="a\x00b") + b"\n" + line(ID="Y", MC="") + b"\n",
    "invalid_utf8_late": padding(12000) + line(ID="X", MC="张三").replace("张三".encode(), "张三".encode("gbk")) + b"\n"
    + line(ID="Y", MC="") + b"\n",
    "wrong_field_counts": padding(3) + b"x\x01y\n" + b"\n" + line(ID="X", MC="") + b"\n" + line(ID="X") + b"\x01z\n"
    + line(ID="P1") + b"\n",
    "line_over_2mb": padding(3) + line(ID="X", BBZ="长" * 800_000) + b"\n" + line(ID="Y", MC="") + b"\n",
    "quotes": padding(3) + line(ID="X", MC='"张"') + b"\n",
    "zero_width_space": padding(12000) + line(ID="X", BBZ="a\u200bb") + b"\n" + line(ID="Y", MC="") + b"\n",
    "c1_control": padding(3) + line(ID="X", MC="张\x85") + b"\n",
    "chinese_punctuation": padding(3) + line(ID="X", BBZ="“备注”——…") + b"\n" + line(ID="Y", MC="") + b"\n",
    "bom": b"\xef\xbb\xbf" + padding(3) + line(ID="X", MC="") + b"\n",
    "no_final_newline": padding(3) + line(ID="X", MC=""),
}


def run(tmp_path: Path, data: bytes):
    write_spec(tmp_path)
    pack = load_pack(write_pack(tmp_path, RULES))
    batch = tmp_path / "batch"
    batch.mkdir(exist_ok=True)
    (batch / NAME).write_bytes(data)
    return validate_submission(batch, pack, sample_limit=100_000)


def outcome(result) -> dict:
    table = next(t for t in result.tables if t.code == "DEMO")
    return {"rows": (table.rows_read, table.rows_checked, table.rows_rejected),
            "sha256": table.files[0].sha256,
            "failures": sorted((r.id, s.line, s.value) for r in result.rules if r.table == "DEMO" for s in r.samples
                               if not (r.id == "U" and (s.value or "").startswith("P")))}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_checking_bytes_during_the_read_gives_the_careful_findings(case, tmp_path, monkeypatch):
    careful = outcome(run(tmp_path / "careful", CASES[case]))  # small files: checked before the read
    monkeypatch.setattr(load, "CHECK_FIRST", 0)  # every file: checked during the read, read again if dirty
    during = outcome(run(tmp_path / "during", CASES[case]))
    assert during == careful
    import hashlib
    assert during["sha256"] == hashlib.sha256(CASES[case]).hexdigest()


@pytest.mark.slow
def test_the_broken_cases_find_what_they_plant(tmp_path, monkeypatch):
    monkeypatch.setattr(load, "CHECK_FIRST", 0)
    found = {case: {(rule, line) for rule, line, _ in outcome(run(tmp_path / case, data))["failures"]}
             for case, data in CASES.items()}
    n = 12000
    assert found["clean"] == {("R", 4)}
    assert found["crlf_line"] == {("FILE.CRLF", n + 1), ("R", n + 1)}
    assert found["control_character"] == {("FILE.CONTROL_CHARS", n + 1), ("R", n + 2)}
    assert found["nul_byte"] == {("FILE.CONTROL_CHARS", n + 1), ("R", n + 2)}
    assert found["invalid_utf8_late"] == {("FILE.ENCODING", n + 1), ("R", n + 2)}
    assert found["wrong_field_counts"] == {("FILE.FIELD_COUNT", 4), ("FILE.FIELD_COUNT", 5), ("FILE.FIELD_COUNT", 7),
                                           ("R", 6)}
    result = run(tmp_path / "again", CASES["wrong_field_counts"])  # a row after the rejected lines keeps its line
    assert sorted(s.line for r in result.rules if r.id == "U" for s in r.samples) == [2, 8]
    assert found["line_over_2mb"] == {("R", 5)}  # the 2.4 MB line itself is read and checked
    assert found["quotes"] == {("FILE.QUOTES", 4)}
    assert found["zero_width_space"] == {("FILE.CONTROL_CHARS", n + 1), ("R", n + 2)}
    assert found["c1_control"] == {("FILE.CONTROL_CHARS", 4)}
    assert found["chinese_punctuation"] == {("R", 5)}  # “”—… begin with the byte of most invisible characters
    assert found["bom"] == {("FILE.BOM", 1), ("R", 4)}  # not a zero-width character in the first field
    assert found["no_final_newline"] == {("R", 4)}


def test_lines_of_two_files_of_one_table_are_numbered_each_from_one(tmp_path):
    write_spec(tmp_path)
    pack = load_pack(write_pack(tmp_path, RULES))
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / NAME).write_bytes(line(ID="A") + b"\n" + b"x\n" + line(ID="B", MC="") + b"\n")
    codes = [f["code"] for f in DEMO_FIELDS]
    csv_rows = [{"ID": "C"}, {"ID": "D", "MC": "李四"}, {"ID": "E"}]
    (batch / f"{LICENCE}-DEMO-{DATE}.csv").write_text(
        ",".join(codes) + "\n" + "".join(",".join({"CJRQ": DATE, **r}.get(c, "") for c in codes) + "\n" for r in csv_rows),
        encoding="utf-8")
    result = validate_submission(batch, pack, sample_limit=100)
    required = sorted((s.file, s.line) for r in result.rules if r.id == "R" for s in r.samples)
    assert required == [(f"{LICENCE}-DEMO-{DATE}.csv", 2), (f"{LICENCE}-DEMO-{DATE}.csv", 4), (NAME, 3)]
    assert [(s.file, s.line) for r in result.rules if r.id == "FILE.FIELD_COUNT" and r.table == "DEMO"
            for s in r.samples] == [(NAME, 2)]


def test_only_fields_later_queries_read_are_stored(tmp_path):
    write_spec(tmp_path, keys={"DEMO": ["ID"]})
    pack = load_pack(write_pack(tmp_path, RULES))
    tp = build_plan(pack).tables["DEMO"]
    assert tp.stored == {"ID", "BBZ"}  # the unique rule's field (also the key) and 备注
    assert '"MC"' in tp.scan_sql and '"MC", ' not in tp.scan_sql.split("FROM (")[0]  # judged, not stored
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / NAME).write_bytes(line(ID="A") + b"\n" + line(ID="A", MC="") + b"\n")
    result = validate_submission(batch, pack)
    assert {(r.id, r.failed) for r in result.rules if r.failed} == {("R", 1), ("U", 2)}


def test_a_rule_failing_on_the_data_is_isolated_and_the_rest_still_run(tmp_path, monkeypatch):
    """A predicate that raises on a row (here a strict CAST) fails the one-pass scan: the rows are
    stored anyway and each row rule runs on its own, the failing one reported as not run."""
    import engine.compile as compile_module
    import engine.backends.duckdb.run as run_module
    real = compile_module.build_plan

    def with_a_failing_rule(pack, *args, **kwargs):
        plan = real(pack, *args, **kwargs)
        tp = plan.tables["DEMO"]
        index = next(e.index for e in tp.row_rules if e.rule.id == "L")
        tp.checks = [(i, 'CAST("ID" AS INTEGER) > 0' if i == index else pred, ev) for i, pred, ev in tp.checks]
        ctx = compile_module.CompileContext(pack.catalog, tp.table)
        tp.fused_sql = compile_module.fused_sql(ctx, tp.checks)
        tp.scan_sql = compile_module.scan_sql(ctx, tp.checks, tp.stored)
        return plan

    monkeypatch.setattr(run_module, "build_plan", with_a_failing_rule)
    write_spec(tmp_path)
    pack = load_pack(write_pack(tmp_path, RULES))
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / NAME).write_bytes(line(ID="A") + b"\n" + line(ID="A", MC="") + b"\n" + b"x\n")
    result = validate_submission(batch, pack)
    status = {r.id: (r.status, r.failed) for r in result.rules if r.table == "DEMO" and r.kind != "file"}
    assert status == {"R": ("failed", 1), "U": ("failed", 2), "L": ("not_run", 0)}
    assert "Conversion Error" in next(r.note for r in result.rules if r.id == "L")
    assert [s.line for r in result.rules if r.id == "FILE.FIELD_COUNT" and r.table == "DEMO" for s in r.samples] == [3]


def test_the_longest_line_is_exact_from_one_mib_wherever_the_chunks_cut():
    """The pre-scan's longest line sizes DuckDB's read of a file with long lines: exact for every
    line of 1 MiB or more, whether inside a 16 MiB chunk or across chunks; never more than it."""
    import random
    mib, rng = 1 << 20, random.Random(7)
    for _ in range(12):
        sizes = [rng.choice([0, 10, 3000, mib - 1, mib, rng.randint(0, 3 * mib), rng.randint(0, 20 * mib)])
                 for _ in range(rng.randint(1, 12))]
        data = b"\n".join(b"y" * size for size in sizes) + rng.choice([b"", b"\n"])
        lengths = load.LineLengths()
        for start in range(0, len(data), load.CHUNK):
            lengths.add(data[start:start + load.CHUNK])
        longest = max(sizes)
        assert lengths.result() == longest if longest >= mib - 1 else lengths.result() <= longest, sizes


def write_demo(path: Path, rows: list[dict], **parquet_options) -> None:
    """DEMO rows as an EAST text file (``.txt``) or a Parquet file, every field as text."""
    if path.suffix == ".txt":
        path.write_bytes(b"".join(line(**r) + b"\n" for r in rows))
        return
    import pyarrow as pa
    import pyarrow.parquet as pq
    codes = [f["code"] for f in DEMO_FIELDS]
    pq.write_table(pa.table({c: [r.get(c, "") for r in rows] for c in codes}), path, **parquet_options)


def as_text_and_parquet(tmp_path: Path, write) -> dict:
    """The validation of one submission written twice, by ``write(batch, suffix, pack)``: as EAST
    text and as Parquet."""
    write_spec(tmp_path)
    pack = load_pack(write_pack(tmp_path, RULES))
    results = {}
    for fmt in ("txt", "parquet"):
        batch = tmp_path / fmt
        batch.mkdir()
        write(batch, fmt, pack)
        results[fmt] = validate_submission(batch, pack, sample_limit=100)
    return results


def test_a_parquet_table_read_again_by_set_rules_finds_what_east_text_finds(tmp_path):
    """Parquet files are not stored row by row: only the rows a row rule fails are, and set rules
    read the files themselves. Two files of one table, a key duplicated across them: the same
    findings, files, lines and counts as the same rows in EAST text."""
    parts = [[{"ID": "A"}, {"ID": "B", "MC": ""}, {"ID": "C", "MC": "张三四五"}],
             [{"ID": "D"}, {"ID": "A", "MC": ""}, {"ID": "E", "BBZ": "x"}]]

    def write(batch: Path, fmt: str, pack) -> None:
        for n, rows in enumerate(parts, start=1):  # two files of one table: two licences
            write_demo(batch / f"{LICENCE[:-1]}{n}-DEMO-{DATE}.{fmt}", [{"MC": "张三", "CJRQ": DATE, **r} for r in rows])
    found = {}
    for fmt, result in as_text_and_parquet(tmp_path, write).items():
        table = next(t for t in result.tables if t.code == "DEMO")
        found[fmt] = ((table.rows_read, table.rows_checked, table.rows_rejected),
                      sorted((r.id, s.file.rsplit(".", 1)[0], s.line) for r in result.rules if r.table == "DEMO"
                             for s in r.samples))
    assert found["parquet"] == found["txt"]
    assert found["parquet"][0] == (6, 6, 0)
    rules = {(rule, file[:15], line) for rule, file, line in found["parquet"][1] if not rule.startswith("FILE.")}
    first, second = f"{LICENCE[:-1]}1", f"{LICENCE[:-1]}2"
    assert rules == {("R", first, 2), ("L", first, 3), ("U", first, 1), ("R", second, 2), ("U", second, 2)}


@pytest.mark.parametrize("dirty", [
    {},
    {2: {"MC": "张\x02"}},  # a control character in a dictionary-encoded column
    {3: {"ID": 'X"1'}},  # a quote in a column written without a dictionary
    {1: {"BBZ": "a\u200bb"}, 4: {"LX": "\x7f", "ID": "Y\x1f"}},
])
def test_a_parquet_file_checked_for_control_characters_first_finds_what_east_text_finds(tmp_path, dirty):
    """A Parquet file's dictionary-encoded text columns are first checked entry by entry: only
    those holding a control character or a quote somewhere, and the columns written without a
    dictionary, are then looked into row by row — none in a clean file whose text columns all have
    a dictionary. The findings are those of the same rows in EAST text."""
    import duckdb
    from engine.sources.discover import SourceFile
    from engine.sources.tabular import parquet_relation
    rows = [{"ID": f"I{i}", "MC": "张三", "LX": "甲", "BBZ": "备注", "CJRQ": DATE, **dirty.get(i, {})}
            for i in range(1, 41)]
    codes = [f["code"] for f in DEMO_FIELDS]
    plain = ["ID"] if dirty else []  # written without a dictionary
    marked = set()

    def write(batch: Path, fmt: str, pack) -> None:
        path = batch / f"{LICENCE}-DEMO-{DATE}.{fmt}"
        write_demo(path, rows, use_dictionary=[c for c in codes if c not in plain])
        if fmt == "parquet":
            rel = parquet_relation(duckdb.connect(), SourceFile(path, "DEMO", "parquet"),
                                   pack.catalog.tables["DEMO"], tmp_path)
            marked.update(set(re.findall(r"'(\w+)'", rel.sql.split(" AS _ctrl")[0])) & set(codes))
    found = {fmt: sorted((r.id, s.line, s.value) for r in result.rules if r.table == "DEMO" for s in r.samples)
             for fmt, result in as_text_and_parquet(tmp_path, write).items()}
    assert marked == set(plain) | {code for row in dirty.values() for code in row}
    assert found["parquet"] == found["txt"]
    assert {(rule, at) for rule, at, _ in found["parquet"] if rule.startswith("FILE.")} == {
        ("FILE.QUOTES" if '"' in value else "FILE.CONTROL_CHARS", at)
        for at, row in dirty.items() for value in row.values()}
