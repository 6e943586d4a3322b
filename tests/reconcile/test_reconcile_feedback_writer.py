"""The writer of the feedback workbooks (engine/reconcile/render_xlsx._Book): both of its modes — in memory
for the usual few rows, streamed for a recipient with many — write text as text (never a formula, the quote
prefix on formula-like text), numbers as numbers, cleaned control characters, unique sheet names."""
from __future__ import annotations

import zipfile
from decimal import Decimal

import openpyxl
import pytest

from engine.reconcile.render_xlsx import IN_MEMORY_ROWS, _Book

VALUES = ["=1+1", "+cmd", "@SUM(A1)", "plain", "a\x07b", Decimal("1234567.89"), 42, None, "", "-2+3"]


@pytest.mark.parametrize("rows", [1, IN_MEMORY_ROWS + 1], ids=["in_memory", "streamed"])
def test_both_modes_write_safe_cells(tmp_path, rows):
    book = _Book(tmp_path / "b.xlsx", rows)
    ws = book.sheet("规则")
    book.row(ws, 0, ["表头", "差异"], fill="#DDEBF7", bold=True)
    book.row(ws, 1, VALUES)
    book.write(ws, 2, 0, "差异值", fill="#FFC7CE")
    assert book.close().is_file()
    with zipfile.ZipFile(tmp_path / "b.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet
    cells = openpyxl.load_workbook(tmp_path / "b.xlsx")["规则"]
    got = [c.value for c in cells[2]]
    assert got[:5] == ["=1+1", "+cmd", "@SUM(A1)", "plain", "a\\x07b"]
    assert got[5] == pytest.approx(1234567.89) and got[6] == 42 and got[9] == "-2+3"
    assert all(c.data_type != "f" for row in cells.iter_rows() for c in row)
    assert cells["A2"].quotePrefix and not cells["D2"].quotePrefix
    assert cells["A1"].font.bold and cells["A1"].fill.fgColor.rgb.endswith("DDEBF7")
    assert cells["A3"].fill.fgColor.rgb.endswith("FFC7CE")


def test_sheet_names_stay_unique_however_they_are_cut(tmp_path):
    book = _Book(tmp_path / "b.xlsx", 1)
    names = [book.sheet("R" * 31).name, book.sheet("r" * 31).name, book.sheet("R" * 31).name, book.sheet("'x'").name]
    book.close()
    assert len({n.lower() for n in names}) == 4 and all(len(n) <= 31 for n in names) and names[3] == "x"


def test_an_unwritable_place_is_an_os_error(tmp_path):
    book = _Book(tmp_path / "missing" / "b.xlsx", 1)
    book.sheet("x")
    with pytest.raises(OSError):
        book.close()
