"""《监管标准化数据检核结果及备案表》 as .xlsx: the regulator's rule sheet, the failing records, the run.

Sheets: 检核结果 — one row per rule with the regulator's columns (rule no., rule type, table, table
code, field, field code, rule text, strong flag, total rows, error rows, error rate, remark-excused
rows, status and an empty explanation column for the bank to fill in), failed rules first (strong,
weak, info; most error rows first), then rules not run, then passed ones — except for a pack built on
the regulator's own rule register (east5): there the sheet is the regulator's layout, every rule of the
register under its official number, 检核类型 label and text in the order of the official workbook, the
pack's other rules after them (in the order above); 错误明细 — every failing
record the results keep (up to --sample-limit per rule, masked as in every report) in the same
order; 运行信息 — what was run on what, in Chinese. The workbook is streamed (write-only), so a large
detail sheet costs no memory per cell.
"""
from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from ..coverage import OfficialRule, official_rules_of
from ..results import SEVERITY_ZH, RuleResult, RunResult
from .common import CATEGORY_FULL, STATUS_ZH, VERDICT_ZH, output_path, triage_key

# Every cell any jianhe workbook writes goes through put() or stream_value() below. Workbooks leave
# the bank (reconcile feedback goes to outside recipients), and their text comes from data files,
# folder names and packs: text a spreadsheet would evaluate (OWASP CSV injection: = + - @ tab CR)
# is stored as a text cell with the quote prefix, never as a formula, and keeps its visible value.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not in XML 1.0
MAX_CELL_CHARS = 32_767  # Excel's limit; a longer cell makes Excel "repair" the file

FILENAME = "检核结果及备案表.xlsx"
HEADER = ["检核规则序号", "检核类型", "检核表名", "表名字符串", "数据项名称", "数据项代码", "检核规则", "是否强校验",
          "总条数", "错误条数", "错误率", "备注豁免条数", "检核状态", "错误原因说明"]
RULE_WIDTHS = (14, 24, 20, 12, 18, 12, 60, 10, 10, 10, 10, 12, 10, 30)
# 行号 stays in column I, where the rule sheet has its 总条数: a number (or empty) in every sheet
DETAIL_HEADER = ["规则编号", "检核类型", "表名", "表名字符串", "字段名称", "字段代码", "严重程度", "文件", "行号", "主键",
                 "错误值", "记录状态"]
DETAIL_WIDTHS = (16, 24, 20, 12, 18, 12, 10, 44, 8, 30, 40, 12)
FAIL_ON_ZH = {"strong": "强校验未通过即不予报送", "weak": "弱校验及以上未通过即不予报送",
              "info": "提示及以上未通过即不予报送", "none": "不以检核结果判定（none）"}
BASELINE_ZH = {"new": "新增", "grown": "增长", "unchanged": "未变", "fixed": "已修复"}


def official_rules(result: RunResult) -> dict[str, OfficialRule]:
    """The regulator's register entries of the result's pack by rule id (empty for packs without one)."""
    return official_rules_of((result.pack or {}).get("name"))


def ordered_rules(result: RunResult, official: dict[str, OfficialRule] | None = None) -> list[RuleResult]:
    """Rules of the official register in the workbook's order, then the others: failed first (strong, weak,
    info; most error rows first), then not run, then passed. Without a register, only the latter order."""
    official = official_rules(result) if official is None else official
    triaged = sorted(result.rules, key=triage_key)
    listed = sorted((r for r in triaged if r.id in official), key=lambda r: official[r.id].order)
    return listed + [r for r in triaged if r.id not in official]


def _label_and_text(r: RuleResult, official: dict[str, OfficialRule]) -> tuple[str, str]:
    """The official 检核类型 label and rule text where the register has the rule, else the pack's."""
    entry = official.get(r.id)
    if entry and entry.category:
        return entry.category, entry.text
    return CATEGORY_FULL.get(r.category, r.category), r.message_zh


def rows(result: RunResult) -> list[list]:
    """The 检核结果 sheet's rows, in ordered_rules() order."""
    out = []
    official = official_rules(result)
    for r in ordered_rules(result, official):
        ran = r.status not in ("not_run", "not_applicable")
        total = r.checked if ran else None
        label, text = _label_and_text(r, official)
        out.append([r.id, label, r.table_name, r.table, r.field_name or "",
                    r.field or "", text, "是" if r.severity == "strong" else "否", total,
                    r.failed if ran else None, r.rate if ran else None,
                    r.excused, STATUS_ZH.get(r.status, r.status), r.note or ""])
    return out


def detail_rows(result: RunResult) -> list[list]:
    """The 错误明细 sheet's rows: every failing record kept in the results (the samples, masked as
    every report shows them), rule by rule in ordered_rules() order, each rule's in the model's order."""
    out = []
    official = official_rules(result)
    for r in ordered_rules(result, official):
        label = _label_and_text(r, official)[0]
        for s in r.samples:
            state = "已豁免" if s.waived else ("备注豁免" if s.excused else "错误")
            out.append([r.id, label, r.table_name, s.table or r.table,
                        r.field_name or "", r.field or "", SEVERITY_ZH.get(r.severity, r.severity), s.file or "",
                        s.line, s.key or "", "" if s.value is None else s.value, state])
    return out


def run_info(result: RunResult) -> list[tuple[str, object]]:
    """The 运行信息 sheet: what was run on what, labelled in Chinese."""
    summary, options, pack = result.summary(), result.options or {}, result.pack or {}
    by_severity = summary["failed_by_severity"]
    absent = [t for t in result.tables if not t.present]
    info: list[tuple[str, object]] = [
        ("报送批次", result.submission),
        ("检核结论", VERDICT_ZH.get(result.verdict, result.verdict)),
        ("判定阈值", FAIL_ON_ZH.get(result.fail_on, result.fail_on)),
    ]
    info += [("其他判定原因", reason) for reason in result.verdict_reasons]
    info += [
        ("规则包", pack.get("name") or ""),
        ("规则包版本", pack.get("version") or ""),
        ("规则包摘要", pack.get("digest") or ""),
        ("开始时间", result.started_at),
        ("耗时（秒）", round(float(result.duration_s or 0.0), 3)),
        ("规则总数", summary["rules_total"]),
        ("通过规则数", summary["rules_passed"]),
        ("未通过规则数", summary["rules_failed"]),
        ("其中强校验", by_severity.get("strong", 0)),
        ("其中弱校验", by_severity.get("weak", 0)),
        ("其中提示", by_severity.get("info", 0)),
        ("未执行规则数", summary["rules_not_run"]),
        ("错误记录数", summary["findings_total"]),
        ("备注豁免记录数", summary["findings_excused"]),
        ("豁免记录数", summary["findings_waived"]),
        ("错误明细条数", sum(len(r.samples) for r in result.rules)),
        ("错误明细上限（每条规则）", options.get("sample_limit", "")),
        ("数据表数", len(result.tables)),
        ("未报送表数", len(absent)),
        ("读取行数", summary["rows_read"]),
        ("检核行数", summary["rows_checked"]),
        ("拒绝行数", summary["rows_rejected"]),
        ("敏感信息脱敏", "否（--show-pii）" if options.get("show_pii") else "是"),
    ]
    if options.get("previous_date"):
        info.append(("上期采集日期", options["previous_date"]))
    if result.baseline:
        info.append(("基线报告", result.baseline.get("file", "")))
        counts = result.baseline.get("counts") or {}
        info += [(f"基线·{BASELINE_ZH.get(k, k)}", v) for k, v in counts.items()]
    info.append(("引擎版本", ", ".join(f"{k} {v}" for k, v in (result.engine or {}).items())))
    return info


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


def _header(ws: WriteOnlyWorksheet, names: list[str]) -> list:
    cells = []
    for name in names:
        cell = put(WriteOnlyCell(ws), name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cells.append(cell)
    return cells


def _sheet(wb: Workbook, title: str, header: list[str], widths: tuple[int, ...], body: list[list],
           percent_col: int | None = None) -> None:
    """A streamed sheet: bold header row frozen, column widths, an auto-filter over every row."""
    ws = wb.create_sheet(title)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(body) + 1}"
    ws.append(_header(ws, header))
    for values in body:
        row = safe_row(ws, values)
        if percent_col is not None and values[percent_col] is not None:
            row[percent_col] = put(WriteOnlyCell(ws), values[percent_col])
            row[percent_col].number_format = "0.00%"
        ws.append(row)


def render(result: RunResult, out_dir: Path) -> Path:
    wb = Workbook(write_only=True)
    _sheet(wb, "检核结果", HEADER, RULE_WIDTHS, rows(result), percent_col=10)
    _sheet(wb, "错误明细", DETAIL_HEADER, DETAIL_WIDTHS, detail_rows(result))
    info = wb.create_sheet("运行信息")
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 60
    info.append(_header(info, ["项目", "内容"]))
    for key, value in run_info(result):
        info.append(safe_row(info, [key, value]))
    path = output_path(out_dir, FILENAME)
    wb.save(path)
    return path
