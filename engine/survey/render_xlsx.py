"""``survey.xlsx``: the summary as a workbook — 排名 (one row per batch), 检核类型 and 表 (per batch),
规则 (one row per rule and institution). Every cell goes through engine/report/xlsx.py's put(), so
text a spreadsheet would evaluate (= + - @) stays text.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from ..report.common import output_path
from ..report.xlsx import _sheet
from ..results import SEVERITY_ZH

FILENAME = "survey.xlsx"
VERDICT_ZH = {"ready": "准予报送", "not_ready": "不予报送", "unreadable": "无法检核"}


def render(summary: dict, out_dir: Path) -> Path:
    wb = Workbook(write_only=True)
    insts = summary["institutions"]
    _sheet(wb, "排名", ["排名", "金融许可证号", "采集日期", "结论", "行数", "错误记录", "每万行错误", "强校验错误记录",
                      "未通过规则数", "错误率", "原因"], (8, 18, 12, 10, 12, 12, 12, 14, 12, 10, 60),
           [[i["rank"], i["licence"], i["date"], VERDICT_ZH[i["verdict"]], i["rows"], i["findings"],
             i["findings_per_10k"], i["findings_strong"], i["rules_failed"], i["error_rate"], i["error"] or ""]
            for i in insts], percent_col=9)
    _sheet(wb, "检核类型", ["批次", "检核类型", "检查次数", "错误条数", "错误率", "未通过规则数"], (26, 36, 14, 12, 10, 12),
           [[i["label"], c["category_full"], c["checked"], c["failed"], c["rate"], c["rules_failed"]]
            for i in insts for c in i["categories"]], percent_col=4)
    _sheet(wb, "表", ["批次", "表名字符串", "检核表名", "行数", "检查次数", "错误条数", "错误率", "未通过规则数"],
           (26, 14, 22, 12, 14, 12, 10, 12),
           [[i["label"], t["code"], t["name"], t["rows"], t["checked"], t["failed"], t["rate"], t["rules_failed"]]
            for i in insts for t in i["tables"]], percent_col=6)
    _sheet(wb, "规则", ["检核规则序号", "表名字符串", "检核类型", "严重程度", "检核规则", "未通过机构数", "批次", "总条数",
                      "错误条数", "错误率"], (16, 14, 12, 10, 60, 12, 26, 12, 12, 10),
           [[r["id"], r["table"], r["category"], SEVERITY_ZH.get(r["severity"], r["severity"]), r["message_zh"],
             r["institutions_failing"], i["label"], i["checked"], i["failed"], i["rate"]]
            for r in summary["rules"] for i in r["institutions"]], percent_col=9)
    path = output_path(out_dir, FILENAME)
    wb.save(path)
    return path
