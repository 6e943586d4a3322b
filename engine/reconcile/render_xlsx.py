"""One ``feedback/<接收方>.xlsx`` per recipient, for follow-up.

Sheet 说明: who, what run, the counts per class and the class definitions, and how to answer. Then
one sheet per reconcile rule with this recipient's findings: one row per record pair (n:m groups take
several rows), the difference's stable identifier (差异标识) and when it was first reported, both
sides' values side by side, differing cells highlighted, and three columns for the recipient:
确认状态 (已确认 / 有异议), 核实情况 and 处理说明 — pre-filled with the recipient's last answer when
the difference was answered before (``--replies``). Returned workbooks are read back by
``jianhe reconcile … --replies DIR`` (engine/reconcile/replies.py). Written in openpyxl's streaming mode.
"""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from ..report.common import output_path
from ..report.xlsx import put, safe_row
from ..rules.reconcile.classes import CLASSES, RECIPIENT_KINDS
from .model import Finding, ReconcileResult, RuleRun
from .render_common import VERDICT_ZH, columns, describe, differing_names, extra_columns, place, safe_filename
from .replies import ACTION_COLUMN, FIRST_COLUMN, REF_COLUMN, STATUS_COLUMN, TEXT_COLUMN
from .routing import Recipient

FOLDER = "feedback"
OTHERS_COLUMN = "对方回复"  # the other side's answers: a bank's query reaches the unit (函询, 三(二)1 第二步、第三步)
LEAD = ["序号", REF_COLUMN, FIRST_COLUMN, "状态", OTHERS_COLUMN, "差异类别", "平台口径", "差异字段", "说明", "债务方余额合计",
        "债权方余额合计", "差额", "债务方文件:行", "债权方文件:行"]
TAIL = [STATUS_COLUMN, TEXT_COLUMN, ACTION_COLUMN]
WIDTHS = [20, 36, 10, 8, 30, 14, 10, 18, 48, 16, 16, 16, 22, 22]
HOW_TO_REPLY = (f"在各规则工作表的“{STATUS_COLUMN}”栏填写 已确认（差异属实，将补正或已补正）或 有异议（在“{TEXT_COLUMN}”栏说明理由），"
                f"“{ACTION_COLUMN}”栏填写处理情况；不要修改“{REF_COLUMN}”栏。退回的工作簿放入一个文件夹，下月对账时以 "
                f"--replies 该文件夹读回：每项差异带上确认状态（待确认 / 已确认 / 有异议）逐月延续，已消除的差异列为已解决。")
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
DIFF_FILL = PatternFill("solid", fgColor="FFC7CE")
BOLD = Font(bold=True)


def filename(rec: Recipient) -> str:
    return safe_filename(f"{RECIPIENT_KINDS[rec.kind][0]}_{rec.code or '未知'}_{rec.name}", 80) + ".xlsx"


def render(result: ReconcileResult, out_dir: Path) -> list[Path]:
    by_recipient: dict[Recipient, list[Finding]] = {}
    for f in result.findings:
        for rec in f.recipients():
            by_recipient.setdefault(rec, []).append(f)
    runs = {r.id: r for r in result.rules}
    extras = {r.id: extra_columns(r) for r in result.rules}
    paths = []
    for rec in sorted(by_recipient, key=lambda r: r.sort_key):
        paths.append(_workbook(result, rec, by_recipient[rec], runs, extras, Path(out_dir) / FOLDER))
    return paths


def _cell(ws, value, fill=None, bold=False) -> WriteOnlyCell:
    """A styled cell, its value set through put() (no formula, no illegal character)."""
    cell = put(WriteOnlyCell(ws), value)
    if fill:
        cell.fill = fill
    if bold:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    return cell


def _workbook(result: ReconcileResult, rec: Recipient, findings: list[Finding], runs: dict[str, RuleRun],
              extras: dict, folder: Path) -> Path:
    wb = Workbook(write_only=True)
    info = wb.create_sheet("说明")
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 90
    for key, value in (("接收方", f"{RECIPIENT_KINDS[rec.kind][0]} {rec.code} {rec.name}"),
                       ("接收方类型", RECIPIENT_KINDS[rec.kind][0]), ("接收方代码", rec.code), ("接收方名称", rec.name),
                       *((("说明", rec.note),) if rec.note else ()),
                       ("对账数据", result.submission), ("上月一致数据", result.previous or "（全量对账）"),
                       ("规则包", f"{result.pack.get('name')} {result.pack.get('version')}"),
                       ("对账时间", result.started_at), ("对账结论", VERDICT_ZH[result.verdict]),
                       ("本接收方差异数", len(findings))):
        info.append([_cell(info, key, bold=True), _cell(info, value)])
    info.append([])
    info.append([_cell(info, "差异类别", bold=True), _cell(info, "条数 / 定义", bold=True)])
    for c in CLASSES.values():
        if c.discrepancy:
            n = sum(f.cls == c.code for f in findings)
            info.append([_cell(info, f"{c.label_zh}（{c.term}）"), _cell(info, f"{n} 条 — {c.definition_zh}")])
    info.append([])
    info.append([_cell(info, "如何回复", bold=True), _cell(info, HOW_TO_REPLY)])
    for rule_id, run in runs.items():
        mine = [f for f in findings if f.rule == rule_id]
        if mine:
            _rule_sheet(wb, run, mine, extras[rule_id], rec)
    path = output_path(folder, filename(rec))
    wb.save(path)
    return path


def _answer(f: Finding, rec: Recipient) -> dict:
    """This recipient's last answer to the difference (pre-filled, so an unchanged workbook answers the same)."""
    return next((r for r in f.replies if (r["recipient"]["kind"], r["recipient"]["code"]) == (rec.kind, rec.code)), {})


def _others(f: Finding, rec: Recipient) -> str:
    """What the difference's other recipients answered (the unit sees the bank's query and the reverse)."""
    parts = []
    for r in f.replies:
        who = r["recipient"]
        if (who["kind"], who["code"]) == (rec.kind, rec.code) or not (r["status"] or r["text"] or r["action"]):
            continue
        label = RECIPIENT_KINDS.get(who["kind"] or "", ("回复方",))[0]
        parts.append(f"{label} {who['name'] or who['code'] or ''}：{r['status'] or '待确认'} "
                     + "；".join(x for x in (r["text"], r["action"]) if x))
    return "\n".join(p.strip() for p in parts)


def _rule_sheet(wb: Workbook, run: RuleRun, findings: list[Finding], extra, rec: Recipient) -> None:
    ws = wb.create_sheet(safe_filename(run.id, 31).replace("[", "(").replace("]", ")"))
    cols = columns(run) + list(extra)
    header = LEAD + [c.title for c in cols] + TAIL
    for i, width in enumerate(WIDTHS + [18] * len(cols) + [12, 30, 30]):
        ws.column_dimensions[_letter(i + 1)].width = width
    ws.freeze_panes = "C2"
    ws.append([_cell(ws, h, HEAD_FILL, bold=True) for h in header])
    for f in findings:
        c = CLASSES[f.cls]
        rows = max(len(f.debt), len(f.creditor))
        differing = set(f.differing_fields)
        for i in range(rows):
            debt = f.debt[i] if i < len(f.debt) else None
            cred = f.creditor[i] if i < len(f.creditor) else None
            lead = [f.id, f.ref, f.first_reported or "", f.status, _others(f, rec) if i == 0 else "", c.label_zh, c.term,
                    differing_names(f, run),
                    describe(f), f.balance_debt, f.balance_creditor, f.balance_difference,
                    place([debt]) if debt else "", place([cred]) if cred else ""]
            cells = list(lead)
            for col in cols:
                record = debt if col.side == "debt" else cred
                value = record.values.get(col.code) if record else None
                differs = col.pair is not None and run.fields[col.pair].field in differing
                cells.append(_cell(ws, value, DIFF_FILL) if differs else value)
            answer = _answer(f, rec) if i == 0 else {}
            tail = [answer.get("status") or "", answer.get("text") or "", answer.get("action") or ""]
            ws.append(safe_row(ws, cells + tail))  # plain values stream fastest


def _letter(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out
