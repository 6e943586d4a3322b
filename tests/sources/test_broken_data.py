"""A corpus of broken submissions (EAST text, CSV, Parquet, entries that are not files): every kind
of damage is a finding with file and line, the row counts always add up (read = checked +
rejected), the run never raises, and the good files of the same batch are still fully checked.

``CASES`` is the corpus (one entry per kind of damage, with a readable id); each case builds a
batch folder, runs the real engine once (shared by the findings test and the manifest test) and
states exactly which FILE.* / rule findings it expects and the row counts of every table.
A separate test runs a ~150 MB GB18030 file in a subprocess and bounds its peak memory.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from typing import Callable

import duckdb
import pytest

from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission
from engine.sources.load import CHUNK
from tests.helpers import DATE, DEMO_FIELDS, LICENCE, east_line, write_pack, write_spec

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------------------------
# the batch: two tables, DEMO (13 fields) and ZB (4 fields), a couple of simple rules on each
# ---------------------------------------------------------------------------------------------

ZB_FIELDS = [
    {"code": "ID", "name": "编号", "format": "C..20", "required": True},
    {"code": "MC", "name": "名称", "format": "C..12"},
    {"code": "JE", "name": "金额", "format": "D20.2"},
    {"code": "CJRQ", "name": "采集日期", "format": "YYYYMMDD", "required": True},
]
TABLES = {"DEMO": DEMO_FIELDS, "ZB": ZB_FIELDS}
N_DEMO = len(DEMO_FIELDS)  # 13

BASE_RULES = """\
rules:
  - {id: R, table: DEMO, kind: required, field: MC}
  - {id: F, table: DEMO, kind: format, field: JE}
  - {id: RZ, table: ZB, kind: required, field: MC}
  - {id: FZ, table: ZB, kind: format, field: JE}
"""
WRITTEN_RULE_TABLES = {"R": "DEMO", "F": "DEMO", "RZ": "ZB", "FZ": "ZB"}

DEMO = f"{LICENCE}-DEMO-{DATE}.txt"
ZB = f"{LICENCE}-ZB-{DATE}.txt"


def demo(**values) -> bytes:
    """One DEMO record (no line ending); a good one unless values say otherwise."""
    return east_line(DEMO_FIELDS, {"ID": "1", "MC": "张三", "LX": "甲类", "JE": "1.00", **values}).encode()


def zb(**values) -> bytes:
    return east_line(ZB_FIELDS, {"ID": "Z1", "MC": "李四", "JE": "2.50", **values}).encode()


def lines(*records: bytes, end: bytes = b"\n") -> bytes:
    return b"".join(r + end for r in records)


def good_zb(batch: Path) -> None:
    """The good second table of most batches: two clean records."""
    (batch / ZB).write_bytes(lines(zb(), zb(ID="Z2", MC="王五")))


def files(demo_data: bytes | None = None, zb_data: bytes | None = None, **others: bytes) -> Callable[[Path], None]:
    """A builder writing the DEMO file (if given), the good ZB file (unless replaced) and other files."""
    def build(batch: Path) -> None:
        if demo_data is not None:
            (batch / DEMO).write_bytes(demo_data)
        if zb_data is None:
            good_zb(batch)
        else:
            (batch / ZB).write_bytes(zb_data)
        for name, data in others.items():
            (batch / name).write_bytes(data)
    return build


ZB_OK = (2, 2, 0)


@dataclass
class Case:
    id: str
    build: Callable[[Path], None]
    # (rule id, table) -> every expected finding as (file, line) or (file, line, value);
    # None only where the finding's id cannot be known in advance (then ``check`` says what must hold)
    findings: dict[tuple[str, str], list[tuple]] | None
    rows: dict[str, tuple[int, int, int]]  # table -> (rows_read, rows_checked, rows_rejected), every table
    rules: str = ""  # extra rule lines appended to BASE_RULES
    not_run: set[str] = dc_field(default_factory=set)  # written rules expected not to run (besides absent tables)
    check: Callable | None = None  # further case-specific assertions on the result
    max_seconds: float | None = None


# ---------------------------------------------------------------------------------------------
# builders and checks of the bigger / odder cases
# ---------------------------------------------------------------------------------------------

def gb18030_file(batch: Path) -> None:
    text = b"".join(east_line(DEMO_FIELDS, {"ID": str(i), **row}).encode("gb18030") + b"\n" for i, row in enumerate([
        {"MC": "张三", "JE": "1.00"},
        {"MC": "", "JE": "2.00"},                 # R fails
        {"MC": "王五王五王五", "JE": "3.00"},      # 12 bytes in GB18030, 18 UTF-8 bytes: FM (C..12) fails
        {"MC": "赵六", "JE": "1,00"},             # F fails
    ], start=1))
    (batch / DEMO).write_bytes(text)
    good_zb(batch)


def check_gb18030(result) -> None:
    t = table(result, "DEMO")
    assert [f.encoding for f in t.files] == ["gb18030"]
    assert samples(result, "FM", "DEMO") == [(DEMO, 3, "王五王五王五")]  # the decoded text, not mojibake
    assert samples(result, "F", "DEMO") == [(DEMO, 4, "1,00")]


TEN_MB = 10 * 1024 * 1024


def ten_mb_field(batch: Path) -> None:
    with open(batch / DEMO, "wb") as fh:
        fh.write(demo() + b"\n")
        fh.write(demo(ID="2", BBZ="{BIG}").replace(b"{BIG}", b"x" * TEN_MB) + b"\n")
        fh.write(demo(ID="3", MC="") + b"\n")
    good_zb(batch)


def check_ten_mb(result) -> None:
    (s,) = rule(result, "FB", "DEMO").samples
    assert (s.line, len(s.value)) == (2, TEN_MB)
    assert set(s.value) == {"x"}


def chunk_boundary(batch: Path) -> None:
    """A 3-byte character straddling the pre-scan's chunk boundary must not look like bad UTF-8."""
    head = demo() + b"\n"
    prefix = demo(ID="2", BBZ="{FILL}").split(b"{FILL}")[0]
    fill = CHUNK - len(head) - len(prefix) - 1  # '张' starts one byte before the boundary
    record = demo(ID="2", BBZ="{FILL}").replace(b"{FILL}", b"y" * fill + "张".encode())
    assert len(head) + record.rindex("张".encode()) == CHUNK - 1
    (batch / DEMO).write_bytes(head + record + b"\n" + demo(ID="3", JE="x") + b"\n")
    good_zb(batch)


GOOD_EVERY = 1001
MANY_GOOD = 50
MANY_TOTAL = GOOD_EVERY * MANY_GOOD  # 50,050 lines: 50 good, 50,000 bad
MANY_GOOD_LINES = [1 + GOOD_EVERY * k for k in range(MANY_GOOD)]
MANY_BAD_LINES = sorted(set(range(1, MANY_TOTAL + 1)) - set(MANY_GOOD_LINES))


def many_bad_lines(batch: Path) -> None:
    good = demo() + b"\n"
    bad = b"x\n"
    good_set = set(MANY_GOOD_LINES)
    (batch / DEMO).write_bytes(b"".join(good if n in good_set else bad for n in range(1, MANY_TOTAL + 1)))
    good_zb(batch)


def unreadable(batch: Path) -> None:
    (batch / DEMO).write_bytes(lines(demo()))
    os.chmod(batch / DEMO, 0)
    good_zb(batch)


def check_unreadable(result) -> None:
    # which FILE.* id it gets is the engine's choice; it must name the file and reject nothing silently
    named = [s for r in result.rules if r.status == "failed" and r.kind == "file" for s in r.samples if s.file == DEMO]
    assert named, "the unreadable file is not reported"
    assert [r.id for r in result.rules if r.status == "failed" and r.table == "ZB"] == []


def directory_like_file(batch: Path) -> None:
    (batch / DEMO).write_bytes(lines(demo(), demo(ID="2")))
    (batch / ZB).mkdir()
    (batch / ZB / ZB).write_bytes(b"garbage\n")


def csv_missing_column(batch: Path) -> None:
    codes = [f["code"] for f in DEMO_FIELDS if f["code"] != "MC"]
    rows = [",".join(codes)] + [",".join({"ID": str(i), "CJRQ": DATE}.get(c, "") for c in codes) for i in (1, 2, 3)]
    (batch / "DEMO.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    good_zb(batch)


# CSV and Parquet files of DEMO: a header of field codes (or Chinese names), then rows; the good ZB
CSV = "DEMO.csv"
CODES = [f["code"] for f in DEMO_FIELDS]


def csv_row(**values) -> str:
    """One good DEMO row as CSV text (no quoting: callers quote what needs it)."""
    row = {"ID": "1", "MC": "张三", "LX": "甲类", "JE": "1.00", "CJRQ": DATE, **values}
    return ",".join(row.get(c, "") for c in CODES)


def csv_file(*rows: str, header: str = ",".join(CODES), end: str = "\n", tail: bytes = b"") -> Callable[[Path], None]:
    """A builder writing DEMO.csv (header, rows, each ending with ``end``; raw ``tail`` bytes after) and the good ZB."""
    def build(batch: Path) -> None:
        (batch / CSV).write_bytes("".join(r + end for r in (header, *rows)).encode() + tail)
        good_zb(batch)
    return build


def parquet_file(data: Callable[[Path], None]) -> Callable[[Path], None]:
    def build(batch: Path) -> None:
        data(batch / "DEMO.parquet")
        good_zb(batch)
    return build


def demo_parquet(path: Path, rows: int = 3, **columns: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    values = {c: [{"ID": str(i + 1), "MC": "张三", "JE": "1.00", "CJRQ": DATE}.get(c, "") for i in range(rows)]
              for c in CODES}
    pq.write_table(pa.table({**values, **columns}), path)


def corrupt_parquet_page(path: Path) -> None:
    """Valid footer and schema, a data page overwritten: DuckDB fails only when it reads the rows."""
    demo_parquet(path, 5000, BBZ=[f"备注{i}" * 20 for i in range(5000)])
    data = bytearray(path.read_bytes())
    data[200:4000] = b"\xab" * 3800
    path.write_bytes(bytes(data))


def invalid_utf8_past_the_header_mib(batch: Path) -> None:
    """Invalid UTF-8 only after the first MiB (what the header check reads): DuckDB's read finds it."""
    rows = [csv_row(ID=str(i), BBZ="x" * 100) for i in range(12_000)]
    (batch / CSV).write_bytes(("\n".join([",".join(CODES), *rows]) + "\n").encode() + b"9,\xff\n")
    good_zb(batch)


def dangling_link(batch: Path) -> None:
    (batch / DEMO).write_bytes(lines(demo(), demo(ID="2")))
    os.symlink(batch / "nowhere.txt", batch / ZB)


def check_unreadable_named(result, name: str) -> None:
    """The file is one FILE.UNREADABLE finding whose reason names it; nothing else failed."""
    (finding,) = rule(result, "FILE.UNREADABLE", "DEMO").samples
    assert finding.file == name and finding.value.startswith(f"{name}: ") and len(finding.value) > len(name) + 2
    assert [(r.id, r.table) for r in result.rules if r.status == "failed"] == [("FILE.UNREADABLE", "DEMO")]


def check_missing_table(result) -> None:
    r = rule(result, "REF", "DEMO")
    assert r.status == "not_run" and "ZB" in (r.note or "")
    assert not table(result, "ZB").present


def check_quotes(result) -> None:
    assert rule(result, "FILE.QUOTES", "DEMO").severity == "weak"


def check_two_files(result) -> None:
    assert sorted((f.path, f.rows_read, f.rows_rejected) for f in table(result, "DEMO").files) == [
        (DEMO, 2, 0), (DEMO2, 3, 1)]


DEMO2 = f"B0002H111000001-DEMO-{DATE}.txt"  # sorts after DEMO
ZB_MAY = f"{LICENCE}-ZB-20240531.txt"
HEADER = "\x01".join(f["code"] for f in DEMO_FIELDS).encode()
REF_RULE = "  - {id: REF, table: DEMO, kind: reference, field: ID, targets: [{table: ZB, fields: [ID]}]}\n"
FM_RULE = "  - {id: FM, table: DEMO, kind: format, field: MC}\n"


def fc(line: int, count: int, file: str = DEMO, expected: int = N_DEMO) -> tuple:
    return (file, line, f"{count} fields, expected {expected}")


CASES = [
    Case("too_few_fields",
         files(lines(demo(), b"\x01".join([b"x"] * 5), demo(ID="3", MC=""))),
         {("FILE.FIELD_COUNT", "DEMO"): [fc(2, 5)], ("R", "DEMO"): [(DEMO, 3)]},
         {"DEMO": (3, 2, 1), "ZB": ZB_OK}),
    Case("too_many_fields",
         files(lines(demo(), demo(), demo(ID="3") + b"\x01extra", demo(JE="-"))),
         {("FILE.FIELD_COUNT", "DEMO"): [fc(3, 14)], ("F", "DEMO"): [(DEMO, 4)]},
         {"DEMO": (4, 3, 1), "ZB": ZB_OK}),
    Case("empty_line_in_middle",
         files(lines(demo(), b"", demo(ID="3", MC=""))),
         {("FILE.FIELD_COUNT", "DEMO"): [fc(2, 1)], ("R", "DEMO"): [(DEMO, 3)]},  # line numbers do not shift
         {"DEMO": (3, 2, 1), "ZB": ZB_OK}),
    Case("trailing_delimiter_on_every_line",
         files(lines(demo() + b"\x01", demo(ID="2") + b"\x01"), lines(zb(), zb(JE="1.5.0"))),
         {("FILE.FIELD_COUNT", "DEMO"): [fc(1, 14), fc(2, 14)], ("FZ", "ZB"): [(ZB, 2)]},
         {"DEMO": (2, 0, 2), "ZB": ZB_OK}),
    Case("lone_utf8_continuation_byte",
         files(lines(demo(), demo(ID="2").replace("张".encode(), b"\x80"), demo(ID="3", JE="01.00"))),
         {("FILE.ENCODING", "DEMO"): [(DEMO, 2, "invalid UTF-8 at byte 3")], ("F", "DEMO"): [(DEMO, 3)]},
         {"DEMO": (3, 2, 1), "ZB": ZB_OK}),
    Case("truncated_multibyte_char_at_eof",
         files(lines(demo(), demo(ID="2", MC="")) + demo(ID="3", BBZ="备注") + "张".encode()[:2]),
         {("FILE.ENCODING", "DEMO"): [(DEMO, 3)], ("R", "DEMO"): [(DEMO, 2)]},
         {"DEMO": (3, 2, 1), "ZB": ZB_OK}),
    Case("whole_file_gb18030",
         gb18030_file,
         {("FILE.GB18030", "DEMO"): [(DEMO, 1)], ("R", "DEMO"): [(DEMO, 2)], ("FM", "DEMO"): [(DEMO, 3)],
          ("F", "DEMO"): [(DEMO, 4)]},
         {"DEMO": (4, 4, 0), "ZB": ZB_OK}, rules=FM_RULE, check=check_gb18030),
    Case("gbk_line_inside_utf8_file",
         files(lines(demo(), east_line(DEMO_FIELDS, {"ID": "2", "MC": "李四"}).encode("gbk"), demo(ID="3", MC=""))),
         {("FILE.ENCODING", "DEMO"): [(DEMO, 2, "invalid UTF-8 at byte 3")], ("R", "DEMO"): [(DEMO, 3)]},
         {"DEMO": (3, 2, 1), "ZB": ZB_OK}),
    Case("utf8_bom",
         # ID judged as I..4: passes only if the BOM is not glued to the first value
         files(b"\xef\xbb\xbf" + lines(demo(), demo(ID="2")), b"\xef\xbb\xbf" + lines(zb(ID="7"))),
         {("FILE.BOM", "DEMO"): [(DEMO, 1)], ("FILE.BOM", "ZB"): [(ZB, 1)]},
         {"DEMO": (2, 2, 0), "ZB": (1, 1, 0)},
         rules="  - {id: FI, table: DEMO, kind: format, field: ID, format: 'I..4'}\n"
               "  - {id: FIZ, table: ZB, kind: format, field: ID, format: 'I..4'}\n"),
    Case("crlf_on_every_line",
         # a CR left on the last field would break CJRQ (FILE.CJRQ_MISMATCH) — it must not
         files(lines(demo(), demo(ID="2", JE="1.000"), demo(ID="3"), end=b"\r\n")),
         {("FILE.CRLF", "DEMO"): [(DEMO, 1), (DEMO, 2), (DEMO, 3)], ("F", "DEMO"): [(DEMO, 2)]},
         {"DEMO": (3, 3, 0), "ZB": ZB_OK}),
    Case("cr_only_line_endings",
         # old-Mac endings: no LF, so the file is one line of 3 glued records; it is rejected, not mended
         files(lines(demo(), demo(ID="2"), demo(ID="3"), end=b"\r")),
         {("FILE.CRLF", "DEMO"): [(DEMO, 1)], ("FILE.CONTROL_CHARS", "DEMO"): [(DEMO, 1, "NUL/CR byte")],
          ("FILE.FIELD_COUNT", "DEMO"): [fc(1, 3 * N_DEMO - 2)]},
         {"DEMO": (1, 0, 1), "ZB": ZB_OK}),
    Case("soh_inside_double_quotes",
         files(lines(demo(), demo(ID="2", MC='"张\x01三"'), demo(ID="3", MC=""))),
         {("FILE.FIELD_COUNT", "DEMO"): [fc(2, 14)], ("R", "DEMO"): [(DEMO, 3)]},
         {"DEMO": (3, 2, 1), "ZB": ZB_OK}),
    Case("lf_inside_double_quotes",
         # the record splits in two short lines; the next record keeps its (shifted) physical line
         files(lines(demo(), demo(ID="2", MC='"张\n三"'), demo(ID="3", MC=""))),
         {("FILE.FIELD_COUNT", "DEMO"): [fc(2, 2), fc(3, N_DEMO - 1)], ("R", "DEMO"): [(DEMO, 4)]},
         {"DEMO": (4, 2, 2), "ZB": ZB_OK}),
    Case("double_quotes_in_fields",
         files(lines(demo(), demo(ID="2", MC='张"三', BBZ='"备注"'), demo(ID="3", JE='"1.00"'))),
         {("FILE.QUOTES", "DEMO"): [(DEMO, 2, "MC,BBZ"), (DEMO, 3, "JE")], ("F", "DEMO"): [(DEMO, 3)]},
         {"DEMO": (3, 3, 0), "ZB": ZB_OK}, check=check_quotes),
    Case("control_characters",
         files(lines(demo(BBZ="a\tb"), demo(ID="2", MC="张\x1f三"), demo(ID="3", JE="1\x7f"),
                     demo(ID="4", LX="甲\x00类"), demo(ID="5"))),
         {("FILE.CONTROL_CHARS", "DEMO"): [(DEMO, 1, "BBZ"), (DEMO, 2, "MC"), (DEMO, 3, "JE"),
                                           (DEMO, 4, "NUL/CR byte")],  # a NUL becomes a space, so no field
          ("F", "DEMO"): [(DEMO, 3)]},
         {"DEMO": (5, 5, 0), "ZB": ZB_OK}),
    Case("empty_file",
         files(b""),
         {("FILE.EMPTY", "DEMO"): [(DEMO, None)]},
         {"DEMO": (0, 0, 0), "ZB": ZB_OK}),
    Case("file_of_only_newlines",
         files(b"\n\n\n"),
         {("FILE.FIELD_COUNT", "DEMO"): [fc(1, 1), fc(2, 1), fc(3, 1)]},
         {"DEMO": (3, 0, 3), "ZB": ZB_OK}),
    Case("ten_mb_single_field",
         ten_mb_field,
         {("FB", "DEMO"): [(DEMO, 2)], ("R", "DEMO"): [(DEMO, 3)]},
         {"DEMO": (3, 3, 0), "ZB": ZB_OK},
         rules="  - {id: FB, table: DEMO, kind: format, field: BBZ}\n", check=check_ten_mb, max_seconds=30),
    Case("multibyte_char_across_prescan_chunk",
         chunk_boundary,
         {("F", "DEMO"): [(DEMO, 3)]},
         {"DEMO": (3, 3, 0), "ZB": ZB_OK}, max_seconds=30),
    Case("last_line_without_lf",
         files(lines(demo(), demo(ID="2")) + demo(ID="3", MC=""), zb() + b"\n" + zb(ID="Z2", JE="x")),
         {("R", "DEMO"): [(DEMO, 3)], ("FZ", "ZB"): [(ZB, 2)]},
         {"DEMO": (3, 3, 0), "ZB": (2, 2, 0)}),
    Case("two_files_for_one_table",
         files(lines(demo(), demo(ID="2")), **{DEMO2: lines(demo(ID="3"), b"x", demo(ID="5", MC=""))}),
         {("FILE.DUPLICATE", "DEMO"): [(DEMO2, None, f"also {DEMO}")],
          ("FILE.FIELD_COUNT", "DEMO"): [fc(2, 1, DEMO2)], ("R", "DEMO"): [(DEMO2, 3)]},
         {"DEMO": (5, 4, 1), "ZB": ZB_OK}, check=check_two_files),
    Case("cjrq_differs_from_file_name",
         files(lines(demo(), demo(ID="2", CJRQ="20240531"), demo(ID="3", CJRQ="")), lines(zb(CJRQ="20240701"))),
         {("FILE.CJRQ_MISMATCH", "DEMO"): [(DEMO, 2, "20240531"), (DEMO, 3, "")],
          ("FILE.CJRQ_MISMATCH", "ZB"): [(ZB, 1, "20240701")]},
         {"DEMO": (3, 3, 0), "ZB": (1, 1, 0)}),
    Case("batch_dates_differ",
         lambda b: ((b / DEMO).write_bytes(lines(demo())),
                    (b / ZB_MAY).write_bytes(lines(zb(CJRQ="20240531"), zb(ID="Z2", CJRQ="20240531", MC="")))),
         {("FILE.BATCH_DATE", "ZB"): [(ZB_MAY, None, f"20240531 ≠ {DATE}")], ("RZ", "ZB"): [(ZB_MAY, 2)]},
         {"DEMO": (1, 1, 0), "ZB": (2, 2, 0)}),
    Case("missing_table_of_reference_rule",
         lambda b: (b / DEMO).write_bytes(lines(demo(), demo(ID="2", MC=""))),
         {("FILE.MISSING_TABLE", "DEMO"): [(None, None, "ZB (rule REF)")], ("R", "DEMO"): [(DEMO, 2)]},
         {"DEMO": (2, 2, 0), "ZB": (0, 0, 0)}, rules=REF_RULE, not_run={"REF"}, check=check_missing_table),
    Case("referenced_table_wholly_rejected",
         # ZB is there but every line is broken: the reference rule runs and finds nothing to match
         files(lines(demo(ID="Z1"), demo(ID="Z2"), demo(ID="")), lines(b"Z1\x01x", b"Z2\x01x")),
         {("FILE.FIELD_COUNT", "ZB"): [fc(1, 2, ZB, 4), fc(2, 2, ZB, 4)], ("REF", "DEMO"): [(DEMO, 1), (DEMO, 2)]},
         {"DEMO": (3, 3, 0), "ZB": (2, 0, 2)}, rules=REF_RULE),
    Case("unknown_table_and_bad_file_names",
         files(lines(demo()), **{f"{LICENCE}-NOSUCH-{DATE}.txt": b"x\n", "readme.txt": b"hello\n",
                                 f"{LICENCE}-DEMO-2024063.txt": lines(demo()), f"{LICENCE}-demo-{DATE}.txt": b"y\n"}),
         {("FILE.UNKNOWN_TABLE", "*"): [(f"{LICENCE}-NOSUCH-{DATE}.txt", None, "NOSUCH")],
          ("FILE.NAME", "*"): [(f"{LICENCE}-DEMO-2024063.txt", None), (f"{LICENCE}-demo-{DATE}.txt", None),
                               ("readme.txt", None)]},
         {"DEMO": (1, 1, 0), "ZB": ZB_OK}),
    Case("unreadable_file_chmod_000",
         unreadable, None, {"DEMO": (0, 0, 0), "ZB": ZB_OK}, check=check_unreadable),
    Case("directory_named_like_a_data_file",
         # never silently invisible: a pack must not end READY without the table
         directory_like_file,
         {("FILE.UNREADABLE", "ZB"): [(ZB, None, f"{ZB}: not a regular file but a directory; not read")]},
         {"DEMO": (2, 2, 0), "ZB": (0, 0, 0)}),
    Case("dangling_symlink_named_like_a_data_file",
         dangling_link,
         {("FILE.UNREADABLE", "ZB"): [(ZB, None, f"{ZB}: not a regular file but a dangling symbolic link; not read")]},
         {"DEMO": (2, 2, 0), "ZB": (0, 0, 0)}),
    Case("fifty_thousand_short_lines",
         many_bad_lines,
         {("FILE.FIELD_COUNT", "DEMO"): [fc(n, 1) for n in MANY_BAD_LINES]},
         {"DEMO": (MANY_TOTAL, MANY_GOOD, MANY_TOTAL - MANY_GOOD), "ZB": ZB_OK}, max_seconds=30),
    Case("header_row_in_txt_file",
         # a header has the right field count, so it is checked as data and flagged like one
         files(lines(HEADER, demo(), demo(ID="2"))),
         {("FILE.CJRQ_MISMATCH", "DEMO"): [(DEMO, 1, "CJRQ")], ("F", "DEMO"): [(DEMO, 1, "JE")]},
         {"DEMO": (3, 3, 0), "ZB": ZB_OK}),
    Case("utf16le_file_with_bom",
         # an Excel "Unicode text" export: not recognised as an encoding, but nothing passes silently —
         # the BOM line is invalid UTF-8, the NUL-interleaved record is checked with NULs as spaces and
         # fails loudly, the stray NUL after the last LF is a rejected line
         files((demo().decode() + "\n" + demo(ID="2").decode() + "\n").encode("utf-16")),
         {("FILE.ENCODING", "DEMO"): [(DEMO, 1, "invalid UTF-8 at byte 1")],
          ("FILE.CONTROL_CHARS", "DEMO"): [(DEMO, 2, "MC"), (DEMO, 2, "NUL/CR byte"), (DEMO, 3, "NUL/CR byte")],
          ("FILE.CJRQ_MISMATCH", "DEMO"): [(DEMO, 2, " 2 0 2 4 0 6 3 0 ")], ("F", "DEMO"): [(DEMO, 2, " 1 . 0 0 ")],
          ("FILE.FIELD_COUNT", "DEMO"): [fc(3, 1)]},
         {"DEMO": (3, 1, 2), "ZB": ZB_OK}),
    Case("csv_file_missing_a_column",
         csv_missing_column,
         {("FILE.FIELD_COUNT", "DEMO"): [("DEMO.csv", None, "missing column MC 名称")]},
         {"DEMO": (3, 0, 3), "ZB": ZB_OK}),
    Case("csv_rows_with_too_many_and_too_few_fields",
         # one ragged row is one finding at its line; the others are checked
         csv_file(csv_row(), csv_row(ID="2") + ",extra", csv_row(ID="3", MC=""), "4,x,y,z,w"),
         {("FILE.FIELD_COUNT", "DEMO"): [fc(3, 14, CSV), fc(5, 5, CSV)], ("R", "DEMO"): [(CSV, 4)]},
         {"DEMO": (4, 2, 2), "ZB": ZB_OK}),
    Case("csv_ragged_rows_in_a_file_with_quotes",
         csv_file(csv_row(MC='"张,三"'), csv_row(ID="2") + ",extra", csv_row(ID="3", MC=""), "4,x,y,z,w"),
         {("FILE.FIELD_COUNT", "DEMO"): [fc(3, 14, CSV), fc(5, 5, CSV)], ("R", "DEMO"): [(CSV, 4)],
          ("FM", "DEMO"): [(CSV, 2, "张,三")]},
         {"DEMO": (4, 2, 2), "ZB": ZB_OK}, rules=FM_RULE.replace("field: MC", "field: MC, format: 'C..6'")),
    Case("csv_quoted_field_with_line_breaks",
         # a record over physical lines 3-5: the next records keep their physical lines 6 and 7
         csv_file(csv_row(), csv_row(ID="2", BBZ='"a\nb\nc"'), csv_row(ID="3", MC=""), csv_row(ID="4", JE="x")),
         {("FILE.CONTROL_CHARS", "DEMO"): [(CSV, 3, "BBZ")], ("R", "DEMO"): [(CSV, 6)], ("F", "DEMO"): [(CSV, 7)]},
         {"DEMO": (4, 4, 0), "ZB": ZB_OK}),
    Case("csv_crlf_with_quoted_line_break_blank_lines_and_a_lone_cr",
         csv_file(csv_row(BBZ='"a\r\nb"'), "", csv_row(ID="2", MC=""), csv_row(ID="3", BBZ="x\ry"),
                  csv_row(ID="4", JE="x"), "", end="\r\n"),
         {("FILE.CONTROL_CHARS", "DEMO"): [(CSV, 2, "BBZ"), (CSV, 6, "BBZ")],
          ("FILE.FIELD_COUNT", "DEMO"): [fc(4, 1, CSV), fc(8, 1, CSV)],
          ("R", "DEMO"): [(CSV, 5)], ("F", "DEMO"): [(CSV, 7)]},
         {"DEMO": (6, 4, 2), "ZB": ZB_OK}),
    Case("csv_with_cr_only_line_ends",
         # old-Mac line ends: read as they are the file would be its header line alone, i.e. empty
         csv_file(csv_row(), csv_row(ID="2", MC=""), end="\r"),
         {("FILE.UNREADABLE", "DEMO"): [(CSV, None, f"{CSV}: line 1 holds a CR that does not end it; "
                                                    "CSV lines must end with LF or CRLF")]},
         {"DEMO": (0, 0, 0), "ZB": ZB_OK}),
    Case("csv_blank_lines_without_quotes",
         csv_file(csv_row(), "", csv_row(ID="2", MC=""), "", csv_row(ID="3", JE="x")),
         {("FILE.FIELD_COUNT", "DEMO"): [fc(3, 1, CSV), fc(5, 1, CSV)], ("R", "DEMO"): [(CSV, 4)],
          ("F", "DEMO"): [(CSV, 6)]},
         {"DEMO": (5, 3, 2), "ZB": ZB_OK}),
    Case("csv_with_a_fields_code_and_its_chinese_name",
         csv_file(csv_row() + ",9.00", csv_row(ID="2") + ",8.00", header=",".join(CODES) + ",金额"),
         {("FILE.FIELD_COUNT", "DEMO"): [(CSV, None, "duplicate column JE 金额: JE, 金额")]},
         {"DEMO": (2, 0, 2), "ZB": ZB_OK}),
    Case("csv_with_one_column_twice",
         csv_file(csv_row() + ",李四", header=",".join(CODES) + ",MC"),
         {("FILE.FIELD_COUNT", "DEMO"): [(CSV, None, "duplicate column MC 名称: MC, MC")]},
         {"DEMO": (1, 0, 1), "ZB": ZB_OK}),
    Case("csv_utf16",
         lambda b: ((b / CSV).write_bytes(("\n".join([",".join(CODES), csv_row()]) + "\n").encode("utf-16")),
                    good_zb(b)),
         {("FILE.UNREADABLE", "DEMO"): [(CSV, None, f"{CSV}: UTF-16 text (byte-order mark FF FE); "
                                                    "CSV files must be UTF-8")]},
         {"DEMO": (0, 0, 0), "ZB": ZB_OK}),
    Case("csv_invalid_utf8_in_a_row",
         csv_file(csv_row(), tail=b"2,\xff\xfe,x\n"),
         {("FILE.UNREADABLE", "DEMO"): [(CSV, None, f"{CSV}: not valid UTF-8 (line 3, byte 3); CSV files must be UTF-8")]},
         {"DEMO": (0, 0, 0), "ZB": ZB_OK}),
    Case("csv_invalid_utf8_past_the_first_mib",
         invalid_utf8_past_the_header_mib,
         {("FILE.UNREADABLE", "DEMO"): [(CSV, None, f"{CSV}: not valid UTF-8 (line 12002, byte 3); "
                                                    "CSV files must be UTF-8")]},
         {"DEMO": (0, 0, 0), "ZB": ZB_OK}),
    Case("parquet_file_that_is_not_parquet",
         parquet_file(lambda path: path.write_bytes(b"PAR1 this is not a parquet file PAR1")),
         None, {"DEMO": (0, 0, 0), "ZB": ZB_OK}, check=lambda r: check_unreadable_named(r, "DEMO.parquet")),
    Case("parquet_file_with_a_corrupt_data_page",
         parquet_file(corrupt_parquet_page),
         None, {"DEMO": (0, 0, 0), "ZB": ZB_OK}, check=lambda r: check_unreadable_named(r, "DEMO.parquet")),
    Case("invisible_characters_in_east_text",
         # multi-byte in UTF-8: no control byte, so the file is read as it is (no cleaning) and still flagged
         files(lines(demo(ID="0001\u200b"), demo(ID="2", MC="张\u202e三"), demo(ID="3", BBZ="x\u0085y"),
                     demo(ID="4", BBZ="a\ufeffb", LX="甲\u2066类"), demo(ID="5", MC="\u200d"), demo(ID="6"))),
         {("FILE.CONTROL_CHARS", "DEMO"): [(DEMO, 1, "ID"), (DEMO, 2, "MC"), (DEMO, 3, "BBZ"), (DEMO, 4, "LX,BBZ"),
                                           (DEMO, 5, "MC")]},
         {"DEMO": (6, 6, 0), "ZB": ZB_OK}),
    Case("invisible_and_control_characters_in_east_text",
         files(lines(demo(BBZ="a\tb"), demo(ID="2", MC="张\u200b三"), demo(ID="3", JE="1\u00857"))),
         {("FILE.CONTROL_CHARS", "DEMO"): [(DEMO, 1, "BBZ"), (DEMO, 2, "MC"), (DEMO, 3, "JE")], ("F", "DEMO"): [(DEMO, 3)]},
         {"DEMO": (3, 3, 0), "ZB": ZB_OK}),
    Case("invisible_characters_in_csv",
         csv_file(csv_row(ID="1\u200b"), csv_row(ID="2", MC='"张\u202e三"'), csv_row(ID="3")),
         {("FILE.CONTROL_CHARS", "DEMO"): [(CSV, 2, "ID"), (CSV, 3, "MC")]},
         {"DEMO": (3, 3, 0), "ZB": ZB_OK}),
    Case("invisible_characters_in_parquet",
         parquet_file(lambda path: demo_parquet(path, 3, ID=["1", "2\ufeff", "3"], MC=["a\u2069", "b", "c\u009b"])),
         {("FILE.CONTROL_CHARS", "DEMO"): [("DEMO.parquet", 1, "MC"), ("DEMO.parquet", 2, "ID"),
                                           ("DEMO.parquet", 3, "MC")]},
         {"DEMO": (3, 3, 0), "ZB": ZB_OK}),
]

XFAIL: dict = {}
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
SKIP = {
    "unreadable_file_chmod_000": [
        pytest.mark.skipif(AS_ROOT, reason="running as root: chmod 000 does not stop root from reading the "
                                           "file, so an unreadable file cannot be made"),
    ],
}
PARAMS = [pytest.param(c, id=c.id, marks=([XFAIL[c.id]] if c.id in XFAIL else []) + SKIP.get(c.id, [])) for c in CASES]


def test_the_corpus_has_at_least_twenty_distinct_kinds():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 20


# ---------------------------------------------------------------------------------------------
# running a case (once per session, shared by the findings and the manifest tests)
# ---------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    batch: Path
    result: object = None
    error: BaseException | None = None
    seconds: float = 0.0


@pytest.fixture(scope="module")
def run_case(tmp_path_factory):
    cache: dict[str, Outcome] = {}

    def run(case: Case):
        if case.id not in cache:
            root = tmp_path_factory.mktemp(case.id)
            write_spec(root, TABLES)
            pack = load_pack(write_pack(root, BASE_RULES + case.rules))
            batch = root / "batch"
            batch.mkdir()
            case.build(batch)
            outcome = Outcome(batch)
            started = time.perf_counter()
            try:
                outcome.result = validate_submission(batch, pack, show_pii=True, sample_limit=100_000)
            except Exception as exc:  # noqa: BLE001 - kept, re-raised in every test of the case
                outcome.error = exc
            outcome.seconds = time.perf_counter() - started
            cache[case.id] = outcome
        outcome = cache[case.id]
        if outcome.error is not None:
            raise outcome.error
        return outcome

    return run


def table(result, code):
    return next(t for t in result.tables if t.code == code)


def rule(result, rule_id, table_code):
    matches = [r for r in result.rules if r.id == rule_id and r.table == table_code]
    assert len(matches) == 1, f"rule {rule_id} on {table_code}: {len(matches)} in the result"
    return matches[0]


def samples(result, rule_id, table_code) -> list[tuple]:
    return [(s.file, s.line, s.value) for s in rule(result, rule_id, table_code).samples]


def _order(item: tuple):
    file, line = item[0], item[1]
    return (file is not None, file or "", line is not None, line or 0, *(str(v) for v in item[2:]))


@pytest.mark.slow
@pytest.mark.parametrize("case", PARAMS)
def test_broken_batch(case: Case, run_case):
    outcome = run_case(case)
    result = outcome.result

    # exactly the expected findings, with file, line (and value where given)
    failed = {(r.id, r.table) for r in result.rules if r.status == "failed"}
    if case.findings is not None:
        assert failed == set(case.findings), "failed rules differ from the expected ones"
    for (rule_id, code), expected in (case.findings or {}).items():
        r = rule(result, rule_id, code)
        assert r.failed == len(expected), f"{rule_id}/{code}: {r.failed} findings, expected {len(expected)}"
        width = {len(w) for w in expected}
        assert len(width) == 1, "give every finding of a rule as (file, line) or every one as (file, line, value)"
        width = width.pop()
        got = sorted((s[:width] for s in samples(result, rule_id, code)), key=_order)
        assert got == sorted(expected, key=_order), f"{rule_id}/{code} findings"

    # every table: read = checked + rejected, with the exact numbers; the files add up to the table
    assert {t.code for t in result.tables} == set(case.rows) == set(TABLES)
    for t in result.tables:
        assert t.rows_read == t.rows_checked + t.rows_rejected, t.code
        assert (t.rows_read, t.rows_checked, t.rows_rejected) == case.rows[t.code], t.code
        assert sum(f.rows_read for f in t.files) == t.rows_read
        assert sum(f.rows_rejected for f in t.files) == t.rows_rejected
        assert t.present == bool(t.files)

    # every written rule ran over all checked rows of its table (good files fully checked) unless it could not
    for r in result.rules:
        if r.kind == "file" or r.table == "*":
            continue
        t = table(result, r.table)
        if not t.present or r.id in case.not_run:
            assert r.status == "not_run", r.id
        else:
            assert r.status in ("passed", "failed"), r.id
            assert r.checked == t.rows_checked, r.id
    summary = result.summary()
    assert summary["rows_read"] == summary["rows_checked"] + summary["rows_rejected"]

    if case.check:
        case.check(result)
    if case.max_seconds:
        assert outcome.seconds < case.max_seconds, f"took {outcome.seconds:.1f} s"


@pytest.mark.parametrize("case", PARAMS)
def test_manifest_lists_every_file_with_size_and_sha256(case: Case, run_case):
    outcome = run_case(case)
    inputs = outcome.result.manifest["inputs"]
    # every regular file, and every entry named like a data file that is not one (directory, dangling link)
    on_disk = sorted(p for p in outcome.batch.iterdir() if p.is_file() or p.suffix in (".txt", ".csv", ".parquet"))
    assert [i["file"] for i in inputs] == [p.name for p in on_disk]
    for entry, path in zip(inputs, on_disk):
        if not path.is_file():
            assert (entry["bytes"], entry["sha256"], entry["rows_read"]) == (None, None, 0)
            assert entry["note"].startswith("not a regular file but "), path.name
            continue
        assert entry["bytes"] == path.stat().st_size, path.name
        if os.access(path, os.R_OK):
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
            assert entry["sha256"] == digest.hexdigest(), path.name
        else:
            assert entry["sha256"] is None, f"{path.name} could not be read, yet it has a digest"
    # rows per table in the manifest agree with the tables
    for t in outcome.result.tables:
        mine = [i for i in inputs if i["table"] == t.code]
        assert sum(i["rows_read"] for i in mine) == t.rows_read
        assert sum(i["rows_rejected"] for i in mine) == t.rows_rejected


# ---------------------------------------------------------------------------------------------
# GB18030 conversion in bounded memory
# ---------------------------------------------------------------------------------------------

GB_TARGET_BYTES = 150 * 1024 * 1024
PEAK_RSS_LIMIT_MB = 700
CONVERSION_OVERHEAD_MB = 64
# DuckDB keeps the loaded table in memory up to its memory_limit (the engine's default is 1 GB) and
# spills beyond it: with the default, a 150 MB GB18030 file (225 MB as UTF-8) peaks at ~760 MB RSS
# whether or not it is converted — that buffer is DuckDB's, not the conversion's. The run is given
# a 256 MB limit so the peak measures the engine's own streaming (pre-scan, guess, clean copy).
CHILD_MEMORY_LIMIT = "256MB"

CHILD = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from engine.ruleset import load_pack
    from engine.backends.duckdb.run import validate_submission
    result = validate_submission(sys.argv[3], load_pack(sys.argv[2]), memory_limit=sys.argv[4])
    t = next(t for t in result.tables if t.code == "DEMO")
    print(json.dumps({"rows": [t.rows_read, t.rows_checked, t.rows_rejected],
                      "encoding": [f.encoding for f in t.files],
                      "failed": sorted([r.id, r.failed] for r in result.rules if r.status == "failed")}))
""")

NOTE = "中文备注测试" * 26  # 156 characters: 312 GB18030 bytes, 468 UTF-8 bytes (BBZ is C..600)
BLOCK = 5000


def write_records(path: Path, encoding: str, *, target: int | None = None, count: int | None = None) -> int:
    """Write DEMO records in blocks (never the whole file in memory) until ``target`` bytes or
    ``count`` records; returns the number of records."""
    n = written = 0
    with open(path, "wb") as fh:
        while (target is not None and written < target) or (count is not None and n < count):
            block = "".join(east_line(DEMO_FIELDS, {"ID": str(n + i), "MC": "张三", "JE": "1.00", "BBZ": NOTE}) + "\n"
                            for i in range(BLOCK)).encode(encoding)
            fh.write(block)
            written += len(block)
            n += BLOCK
    return n


def peak_rss_mb(cmd: list[str]) -> tuple[float, dict]:
    """Run the child under /usr/bin/time -v (or read RUSAGE_CHILDREN); its peak RSS and its output."""
    if os.path.exists("/usr/bin/time"):
        proc = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True, timeout=300)
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
        assert proc.returncode == 0 and m, proc.stderr[-2000:]
        peak = int(m.group(1)) / 1024
    else:  # the largest child so far; runs go smallest first, so this is this child's peak or less
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux
    return peak, json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_gb18030_conversion_uses_bounded_memory(tmp_path):
    started = time.perf_counter()
    write_spec(tmp_path, TABLES)
    pack_dir = write_pack(tmp_path, BASE_RULES)
    gb, utf8 = tmp_path / "gb", tmp_path / "utf8"
    gb.mkdir(), utf8.mkdir()
    n = write_records(gb / DEMO, "gb18030", target=GB_TARGET_BYTES)
    write_records(utf8 / DEMO, "utf-8", count=n)  # the same records, already UTF-8 (~225 MB)
    assert (gb / DEMO).stat().st_size >= GB_TARGET_BYTES

    def child(batch: Path) -> list[str]:
        return [sys.executable, "-c", CHILD, str(ROOT), str(pack_dir), str(batch), CHILD_MEMORY_LIMIT]

    utf8_peak, utf8_out = peak_rss_mb(child(utf8))
    gb_peak, gb_out = peak_rss_mb(child(gb))
    seconds = time.perf_counter() - started

    assert gb_out == {"rows": [n, n, 0], "encoding": ["gb18030"], "failed": [["FILE.GB18030", 1]]}
    assert utf8_out == {"rows": [n, n, 0], "encoding": ["utf-8"], "failed": []}
    size = GB_TARGET_BYTES >> 20
    assert gb_peak < PEAK_RSS_LIMIT_MB, f"peak RSS {gb_peak:.0f} MB for a {size} MB GB18030 file"
    # converting costs (almost) nothing beyond reading the same text as UTF-8: it streams line by line
    assert gb_peak < utf8_peak + CONVERSION_OVERHEAD_MB, f"GB18030 {gb_peak:.0f} MB vs UTF-8 {utf8_peak:.0f} MB"
    assert seconds < 60, f"took {seconds:.0f} s"
