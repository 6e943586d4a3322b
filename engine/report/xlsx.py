"""《监管标准化数据检核结果及备案表》 as .xlsx: one row per rule with the regulator's columns.

Columns follow the template named in the interface spec: rule no., rule type, table, table code,
field, field code, rule text, strong flag, total rows, error rows, error rate, and an empty
explanation column for the bank to fill in. A second sheet records what was run on what.
"""
from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from ..results import RunResult
from .common import output_path

# Every cell any jianhe workbook writes goes through put() or stream_value() below. Workbooks leave
# the bank (reconcile feedback goes to outside recipients), and their text comes from data files,
# folder names and packs: text a spreadsheet would evaluate (OWASP CSV injection: = + - @ tab CR)
# is stored as a text cell with the quote prefix, never as a formula, and keeps its visible value.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not in XML 1.0
MAX_CELL_CHARS = 32_767  # Excel's limit; a longer cell makes Excel "repair" the file

FILENAME = "检核结果及备案表.xlsx"
CATEGORY_FULL = {
    "为空": "1缺失类-为空校验", "默认值": "1缺失类-默认值校验（日期和数值为0）", "日期格式": "2格式规范类-日期格式",
    "特殊字符": "2格式规范类-特殊字符校验", "唯一性": "2格式规范类-唯一性校验", "长度": "2格式规范类-长度校验",
    "字典值": "2格式规范类-字典值校验", "关联": "3表间关联类-关联校验", "数值比较": "4业务类-数值比较类", "其他": "4业务类-其他类",
}
HEADER = ["检核规则序号", "检核类型", "检核表名", "表名字符串", "数据项名称", "数据项代码", "检核规则", "是否强校验",
          "总条数", "错误条数", "错误率", "备注豁免条数", "检核状态", "错误原因说明"]
STATUS_ZH = {"passed": "通过", "failed": "未通过", "not_run": "未执行"}


def rows(result: RunResult) -> list[list]:
    out = []
    for r in result.rules:
        total = r.checked if r.status != "not_run" else None
        out.append([r.id, CATEGORY_FULL.get(r.category, r.category), r.table_name, r.table, r.field_name or "",
                    r.field or "", r.message_zh, "是" if r.severity == "strong" else "否", total,
                    r.failed if r.status != "not_run" else None, r.rate if r.status != "not_run" else None,
                    r.excused, STATUS_ZH.get(r.status, r.status), r.note or ""])
    return out


def cell_text(text: str) -> str:
    """Text a cell can carry: characters XML 1.0 forbids shown as visible escapes (a folder name
    with \\x07 must not stop the report), cut to Excel's cell limit."""
    text = XML_BAD.sub(_escape, text)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def formula_like(value: object) -> bool:
    """A string a spreadsheet would (re)evaluate as a formula when stored or edited."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def put(cell: Cell, value: object) -> Cell:
    """Set a cell's value safely: numbers stay numbers; text is cleaned and, when formula-like,
    stored as a string (t="inlineStr", no <f>) with the quote prefix so an edit keeps it text."""
    if not isinstance(value, str):
        cell.value = value
        return cell
    cell.value = text = cell_text(value)
    if formula_like(text):
        cell.data_type = "s"  # openpyxl typed it 'f' on assignment
        cell.quotePrefix = True
    return cell


def stream_value(ws: WriteOnlyWorksheet, value: object):
    """A value for a write-only sheet's ``append``: plain when harmless (plain values stream
    fastest), a text cell when formula-like; cells already built (not str) pass through."""
    if not isinstance(value, str):
        return value
    text = cell_text(value)
    return put(WriteOnlyCell(ws), text) if formula_like(text) else text


def safe_row(ws: Worksheet | WriteOnlyWorksheet, values: list) -> list:
    """``values`` ready for ``ws.append``, every one set through put() (the only way cells are written)."""
    if isinstance(ws, WriteOnlyWorksheet):
        return [stream_value(ws, v) for v in values]
    return [v if isinstance(v, Cell) else put(Cell(ws), v) for v in values]


def render(result: RunResult, out_dir: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "检核结果"
    ws.append(safe_row(ws, HEADER))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows(result):
        ws.append(safe_row(ws, row))
    for row in ws.iter_rows(min_row=2, min_col=11, max_col=11):
        row[0].number_format = "0.00%"
    for col, width in zip("ABCDEFGHIJKLMN", (14, 24, 20, 12, 18, 12, 60, 10, 10, 10, 10, 12, 10, 30)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    info = wb.create_sheet("运行信息")
    summary = result.summary()
    for key, value in (("报送批次 submission", result.submission), ("规则包 pack", f"{result.pack.get('name')} {result.pack.get('version')}"),
                       ("结论 verdict", result.verdict), ("fail-on", result.fail_on), ("开始时间 started", result.started_at),
                       ("规则数 rules", summary["rules_total"]), ("未通过 failed", summary["rules_failed"]),
                       ("读取行数 rows read", summary["rows_read"]), ("检核行数 rows checked", summary["rows_checked"]),
                       ("拒绝行数 rows rejected", summary["rows_rejected"])):
        info.append(safe_row(info, [key, value]))
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 60
    path = output_path(out_dir, FILENAME)
    wb.save(path)
    return path
