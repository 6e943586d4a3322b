"""《监管标准化数据检核结果及备案表》 as .xlsx: one row per rule with the regulator's columns.

Columns follow the template named in the interface spec: rule no., rule type, table, table code,
field, field code, rule text, strong flag, total rows, error rows, error rate, and an empty
explanation column for the bank to fill in. A second sheet records what was run on what.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ..results import RunResult
from .common import output_path

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


def render(result: RunResult, out_dir: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "检核结果"
    ws.append(HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows(result):
        ws.append(row)
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
        info.append([key, value])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 60
    path = output_path(out_dir, FILENAME)
    wb.save(path)
    return path
