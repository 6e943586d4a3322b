"""Wording and layout shared by the HTML and xlsx renderers (and the console)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..rules.reconcile.classes import CLASSES
from .model import Finding, Record, RuleRun

VERDICT_ZH = {"matched": "双方一致", "differences": "存在差异"}
VERDICT_EN = {"matched": "MATCHED", "differences": "DIFFERENCES"}
SIDE_ZH = {"debt": "债务方", "creditor": "债权方"}


@dataclass(frozen=True)
class Column:
    """One value column of a side-by-side listing: a field of one side."""

    side: str  # debt | creditor
    code: str
    title: str
    pair: int | None  # index of the field pair it belongs to (None for shown-only fields)


def columns(run: RuleRun) -> list[Column]:
    """Key and compared fields as debt/creditor column pairs, then the fields shown for context."""
    out: list[Column] = []
    for i, f in enumerate(run.fields):
        out.append(Column("debt", f.field, f"{f.name}（债务方）", i))
        out.append(Column("creditor", f.other, f"{f.other_name}（债权方）", i))
    return out


def extra_columns(run: RuleRun) -> list[Column]:
    """Fields a finding shows besides the pairs (names, record ids, region), per side."""
    return [Column(s["side"], s["field"], f"{s['name']}（{SIDE_ZH[s['side']]}）", None) for s in run.shown]


def describe(finding: Finding) -> str:
    """One sentence on what is wrong, in Chinese, with the values that show it."""
    c = CLASSES[finding.cls]
    if finding.cls == "duplicate" and finding.creditor:
        parts = [f"{x.name} {x.debt or '∅'} ≠ {x.creditor or '∅'}" for x in finding.comparison if x.differs]
        return (f"债务方 {len(finding.debt)} 条相同记录对应债权方 1 条（重复填报），余额合计 {finding.balance_debt or '∅'} / "
                f"{finding.balance_creditor or '∅'}" + ("；" + "；".join(parts) if parts else ""))
    if finding.comparison:
        parts = [f"{x.name} {x.debt or '∅'} ≠ {x.creditor or '∅'}" for x in finding.comparison if x.differs
                 and x.role != "scope"]
        parts = [f"{x.name} {x.debt or '∅'}（{x.tolerance}）" for x in finding.comparison if x.role == "scope"] + parts
        prefix = ""
        if finding.match and finding.match.get("stage") == "fallback":
            prefix = f"匹配键不一致，按{'、'.join(finding.match['keys'])}第二次匹配配对；"
        if finding.scale:
            prefix += f"余额单位疑似错误（元/万元，×{finding.scale['factor']}）"
            prefix += (f"，换算后余额 {finding.scale['corrected']}，仍差 {finding.scale['remaining']}；"
                       if finding.cls != "misreported" else "；")
        return prefix + "；".join(parts) if parts else c.label_zh
    if finding.cls in ("omitted", "concealed"):
        text = f"债务方无对应记录，债权方余额合计 {finding.balance_creditor or '∅'}"
        return text + ("（匹配键不完整）" if not finding.key_complete else "")
    if finding.cls == "debt_only":
        return "债权方无对应记录" + ("（匹配键不完整）" if not finding.key_complete else "")
    if finding.cls == "duplicate":
        return f"债务方 {len(finding.debt)} 条记录匹配键相同，债权方无记录"
    return (f"债务方 {len(finding.debt)} 条 / 债权方 {len(finding.creditor)} 条，余额合计 "
            f"{finding.balance_debt or '∅'} / {finding.balance_creditor or '∅'}，未自动配对")


def place(records: list[Record]) -> str:
    return "; ".join(f"{r.file}:{r.line}" for r in records)


def differing_names(finding: Finding, run: RuleRun) -> str:
    names = {f.field: f.name for f in run.fields}
    return "、".join(names.get(code, code) for code in finding.differing_fields)


def safe_filename(text: str, limit: int = 60) -> str:
    """A file name every common file system accepts."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip(" .")
    return cleaned[:limit] or "_"
