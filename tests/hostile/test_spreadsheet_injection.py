"""Spreadsheet (formula) injection and illegal characters in every workbook jianhe writes.

Reconcile feedback workbooks go to outside recipients; once a value ``=1+1`` in a data file, or a
submission folder named ``=HYPERLINK(…)``, became a live formula, and a control character in the
folder name stopped the xlsx report with an internal error. Now no cell of any sheet is a formula,
the text reads as written, and illegal characters show as visible escapes.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
from openpyxl import Workbook

from tests.reconcile.helpers import bank, folder_with, loan, unit
from .conftest import EXAMPLE, jianhe

HOSTILE = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a <f> element, with or without a namespace prefix


def cells(book: Path) -> list:
    """Every cell of every sheet; asserts first that none is a formula (sheet XML and openpyxl)."""
    with zipfile.ZipFile(book) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not FORMULA.search(zf.read(name)), f"{book.name} {name} holds a formula"
    out = []
    for ws in openpyxl.load_workbook(book).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{book.name} {ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                out.append(cell)
    return out


def all_books(folder: Path) -> list[Path]:
    books = sorted(folder.rglob("*.xlsx"))
    assert books, f"no workbook under {folder}"
    return books


def test_the_cell_helper_keeps_text_and_numbers(tmp_path):
    """Both sheet kinds: formula-like text is an inline string with the quote prefix; numbers stay numbers."""
    from engine.report.xlsx import put, safe_row
    values = HOSTILE + [42, -3.5, None, "plain", "a\x07b\x1bc\ud800"]
    wb = Workbook(write_only=True)
    streamed = wb.create_sheet("streamed")
    streamed.append(safe_row(streamed, values))
    wb.save(tmp_path / "w.xlsx")
    wb = Workbook()
    wb.active.append(safe_row(wb.active, values))
    put(wb.active.cell(2, 1), "=HYPERLINK(\"http://x\",\"y\")")
    wb.save(tmp_path / "n.xlsx")
    for book in (tmp_path / "w.xlsx", tmp_path / "n.xlsx"):
        got = {c.coordinate: c for c in cells(book)}
        assert [got[f"{col}1"].value for col in "ABCD"] == HOSTILE[:4]
        assert got["E1"].value.endswith("=1+1") and got["F1"].value.endswith("=1+1")
        assert all(got[f"{col}1"].quotePrefix for col in "ABCDEF")
        assert got["G1"].value == 42 and got["G1"].data_type == "n" and got["H1"].value == -3.5
        assert got["J1"].value == "plain" and not got["J1"].quotePrefix
        assert got["K1"].value == "a\\x07b\\x1bc\\ud800"  # visible escapes, not a crash
        with zipfile.ZipFile(book) as zf:
            xml = zf.read(next(n for n in zf.namelist() if n.startswith("xl/worksheets/sheet"))).decode()
        assert re.search(r'<c r="A1"[^>]*t="inlineStr"[^>]*><is><t>=1\+1</t></is></c>', xml), xml[:600]
    assert got["A2"].value == "=HYPERLINK(\"http://x\",\"y\")" and got["A2"].quotePrefix


def _hostile_submission(root: Path, name: str) -> Path:
    """The example batch copied under ``name`` (relative to root), with hostile values in one file."""
    target = root / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(EXAMPLE, target)
    contract = next(target.glob("*-XDHTB-*.txt"))
    lines = contract.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, value in enumerate(HOSTILE[:4]):
        lines[i] = lines[i].replace("\x01CNY\x01", f"\x01{value}\x01", 1)
    contract.write_text("".join(lines), encoding="utf-8")
    return target


def test_validate_xlsx_has_no_formula(tmp_path):
    """A submission folder given as ``=HYPERLINK("http://x","y")`` (relative, as a user types it)."""
    name = '=HYPERLINK("http://x","y")'
    _hostile_submission(tmp_path, name)
    proc = jianhe("validate", name, "--format", "xlsx,json", "--report-dir", "out", "--quiet", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr[-500:]
    texts = [c.value for book in all_books(tmp_path / "out") for c in cells(book) if isinstance(c.value, str)]
    assert any(t.startswith("=HYPERLINK(") for t in texts), texts[:40]
    counts = [c for c in cells(tmp_path / "out" / "检核结果及备案表.xlsx") if c.column == 9 and c.row > 1]
    assert counts and all(c.data_type == "n" for c in counts if c.value is not None)  # 总条数 stays a number


def test_validate_xlsx_with_control_characters_in_the_path(tmp_path):
    name = "bell\x07esc\x1b[31m"
    _hostile_submission(tmp_path, name)
    proc = jianhe("validate", name, "--format", "xlsx", "--report-dir", "out", "--quiet", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr[-500:]
    texts = [c.value for c in cells(tmp_path / "out" / "检核结果及备案表.xlsx") if isinstance(c.value, str)]
    assert "bell\\x07esc\\x1b[31m" in texts


def test_reconcile_feedback_workbooks_have_no_formula(tmp_path):
    """Hostile text in every column the feedback shows: names, record ids, keys, values."""
    debts = [loan(1, RECORD_ID="=1+1", UNIT_NAME="+cmd", CREDITOR_NAME="@SUM(A1)", CONTRACT_NO="=HT1",
                  BALANCE="7000000.00", RATE="-2+3"),
             loan(2, RECORD_ID="\t=1+1", UNIT_NAME="=cmd|' /C calc'!A0", MATURITY_DATE="20290101")]
    banks = [bank(1, BORROWER_NAME="-2+3", BANK_NAME="=1+1", BRANCH_NAME="@SUM(A1)\x07", CONTRACT_NO="=HT1"),
             bank(2, BORROWER_NAME="=SUM(1,2)", BRANCH_NAME="+cmd")]
    folder = folder_with(tmp_path, debts, banks, units=[unit(UNIT_NAME="=1+1")])
    out = tmp_path / "out"
    proc = jianhe("reconcile", "--param", "province=460000", folder, "--pack", "debt_platform", "--report-dir", out)
    assert proc.returncode == 1, proc.stderr[-500:]
    texts = [c.value for book in all_books(out) for c in cells(book) if isinstance(c.value, str)]
    for value in ("=1+1", "+cmd", "@SUM(A1)", "-2+3", "=cmd|' /C calc'!A0", "=SUM(1,2)", "@SUM(A1)\\x07"):
        assert value in texts, value
