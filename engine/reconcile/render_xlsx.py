"""One ``feedback/<接收方>.xlsx`` per recipient, for follow-up.

Sheet 说明: who, what run, the counts per class and the class definitions, and how to answer. Then
one sheet per reconcile rule with this recipient's findings: one row per record pair (n:m groups take
several rows), the difference's stable identifier (差异标识) and when it was first reported, both
sides' values side by side, differing cells highlighted, and three columns for the recipient:
确认状态 (已确认 / 有异议), 核实情况 and 处理说明 — pre-filled with the recipient's last answer when
the difference was answered before (``--replies``). Returned workbooks are read back by
``jianhe reconcile … --replies DIR`` (engine/reconcile/replies.py).

A run writes one workbook per recipient (thousands at a time), so they are written with XlsxWriter — in
memory, or streamed in constant memory for a recipient with many rows — every value through :meth:`_Book.write`: text cleaned as every jianhe
workbook's (``cell_text``), always a string — never a formula — and formula-like text with the quote
prefix so an edit keeps it text. They are written on every core (engine/reconcile/workbook_pool.py); a
workbook's creation time is the run's start, so the same run gives the same bytes however it is written.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ..report.common import output_path
from ..report.xlsx import cell_text, formula_like
from ..rules.reconcile.classes import CLASSES, RECIPIENT_KINDS
from . import workbook_pool
from .model import Finding, ReconcileResult, RuleRun
from .render_common import Column, VERDICT_ZH, columns, describe, differing_names, extra_columns, place, safe_filename
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
HEAD_FILL = "#DDEBF7"
DIFF_FILL = "#FFC7CE"
OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
# A workbook of up to this many rows is built in memory (no temporary file per part: most recipients have a
# few differences, and a run writes thousands of workbooks); a larger one streams its rows in constant memory.
IN_MEMORY_ROWS = 20_000


def filename(rec: Recipient) -> str:
    return safe_filename(f"{RECIPIENT_KINDS[rec.kind][0]}_{rec.code or '未知'}_{rec.name}", 80) + ".xlsx"


@dataclass(frozen=True)
class _Run:
    """What every workbook of a run shows besides its recipient's findings: small, so that each worker
    process gets it once (the whole result would send every finding to every worker)."""

    folder: Path
    submission: str
    previous: str | None
    pack: str
    started_at: str
    verdict: str
    runs: dict[str, RuleRun]
    extras: dict[str, list[Column]]

    @property
    def created(self) -> datetime | None:
        """The workbooks' creation time: the run's start (not the moment of writing: same run, same bytes)."""
        try:
            return datetime.fromisoformat(self.started_at).astimezone(timezone.utc)
        except (TypeError, ValueError):
            return None


def render(result: ReconcileResult, out_dir: Path) -> list[Path]:
    by_recipient: dict[Recipient, list[Finding]] = {}
    for f in result.findings:
        for rec in f.recipients():
            by_recipient.setdefault(rec, []).append(f)
    run = _Run(Path(out_dir) / FOLDER, result.submission, result.previous,
               f"{result.pack.get('name')} {result.pack.get('version')}", result.started_at, result.verdict,
               {r.id: r for r in result.rules}, {r.id: extra_columns(r) for r in result.rules})
    jobs = [(rec, by_recipient[rec]) for rec in sorted(by_recipient, key=lambda r: r.sort_key)]
    if jobs:
        run.folder.mkdir(parents=True, exist_ok=True)  # an unwritable place fails here, before any worker starts
    return workbook_pool.write(_write_job, run, jobs, [_rows(findings) for _, findings in jobs])


def _rows(findings: list[Finding]) -> int:
    """A workbook's rows: one per record pair (an n:m group takes several)."""
    return sum(max(len(f.debt), len(f.creditor)) for f in findings)


def _write_job(run: _Run, job: tuple[Recipient, list[Finding]]) -> Path:
    """One recipient's workbook (module level: a worker process finds it by name)."""
    return _workbook(run, *job)


class _Book:
    """One workbook: its formats made once, every cell written through :meth:`write`."""

    def __init__(self, path: Path, rows: int, created: datetime | None = None):
        self.path = path
        mode = {"in_memory": True} if rows <= IN_MEMORY_ROWS else {"constant_memory": True}
        self.wb = xlsxwriter.Workbook(str(path), {**OPTIONS, **mode})
        if created is not None:  # else XlsxWriter stamps the time of closing
            self.wb.set_properties({"created": created})
        self.formats: dict[tuple, Format | None] = {}
        self.sheet_names: set[str] = set()

    def sheet(self, name: str) -> Worksheet:
        """A new sheet under ``name`` made unique (Excel compares sheet names without case; a name may not
        begin or end with an apostrophe)."""
        name = name.strip("'") or "_"
        unique, n = name, 1
        while unique.lower() in self.sheet_names:
            n += 1
            unique = f"{name[:31 - len(str(n)) - 1]}~{n}"
        self.sheet_names.add(unique.lower())
        return self.wb.add_worksheet(unique)

    def format(self, fill: str | None, bold: bool, quote: bool) -> Format | None:
        key = (fill, bold, quote)
        if key not in self.formats:
            props = {**({"bg_color": fill, "pattern": 1} if fill else {}),
                     **({"bold": True, "text_wrap": True, "valign": "vcenter"} if bold else {}),
                     **({"quote_prefix": True} if quote else {})}
            self.formats[key] = self.wb.add_format(props) if props else None
        return self.formats[key]

    def write(self, ws: Worksheet, row: int, col: int, value, fill: str | None = None, bold: bool = False) -> None:
        """Numbers stay numbers; anything else is written as cleaned text, never as a formula."""
        if value is None or value == "":
            if fill or bold:
                ws.write_blank(row, col, None, self.format(fill, bold, False))
            return
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            ws.write_number(row, col, float(value), self.format(fill, bold, False))
            return
        text = cell_text(value if isinstance(value, str) else str(value))
        ws.write_string(row, col, text, self.format(fill, bold, formula_like(text)))

    def row(self, ws: Worksheet, row: int, values: list, fill: str | None = None, bold: bool = False) -> None:
        for col, value in enumerate(values):
            self.write(ws, row, col, value, fill, bold)

    def close(self) -> Path:
        try:
            self.wb.close()
        except FileCreateError as exc:  # the OSError behind it, as every other report writer raises
            raise (exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc))) from None
        return self.path


def _workbook(run: _Run, rec: Recipient, findings: list[Finding]) -> Path:
    book = _Book(output_path(run.folder, filename(rec)), _rows(findings), run.created)
    info = book.sheet("说明")
    info.set_column(0, 0, 22)
    info.set_column(1, 1, 90)
    facts = (("接收方", f"{RECIPIENT_KINDS[rec.kind][0]} {rec.code} {rec.name}"),
             ("接收方类型", RECIPIENT_KINDS[rec.kind][0]), ("接收方代码", rec.code), ("接收方名称", rec.name),
             *((("说明", rec.note),) if rec.note else ()),
             ("对账数据", run.submission), ("上月一致数据", run.previous or "（全量对账）"),
             ("规则包", run.pack), ("对账时间", run.started_at), ("对账结论", VERDICT_ZH[run.verdict]),
             ("本接收方差异数", len(findings)))
    # (key, value, key in bold, value in bold); None is an empty line
    lines: list[tuple | None] = [(key, value, True, False) for key, value in facts]
    lines += [None, ("差异类别", "条数 / 定义", True, True)]
    lines += [(f"{c.label_zh}（{c.term}）", f"{sum(f.cls == c.code for f in findings)} 条 — {c.definition_zh}", False, False)
              for c in CLASSES.values() if c.discrepancy]
    lines += [None, ("如何回复", HOW_TO_REPLY, True, False)]
    for number, line in enumerate(lines):
        if line:
            book.write(info, number, 0, line[0], bold=line[2])
            book.write(info, number, 1, line[1], bold=line[3])
    for rule_id, rule in run.runs.items():
        mine = [f for f in findings if f.rule == rule_id]
        if mine:
            _rule_sheet(book, rule, mine, run.extras[rule_id], rec)
    return book.close()


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


def _rule_sheet(book: _Book, run: RuleRun, findings: list[Finding], extra, rec: Recipient) -> None:
    ws = book.sheet(safe_filename(run.id, 31).replace("[", "(").replace("]", ")"))
    cols = columns(run) + list(extra)
    header = LEAD + [c.title for c in cols] + TAIL
    for i, width in enumerate(WIDTHS + [18] * len(cols) + [12, 30, 30]):
        ws.set_column(i, i, width)
    ws.freeze_panes(1, 2)
    book.row(ws, 0, header, HEAD_FILL, bold=True)
    number = 1
    for f in findings:
        c = CLASSES[f.cls]
        rows = max(len(f.debt), len(f.creditor))
        differing = set(f.differing_fields)
        for i in range(rows):
            debt = f.debt[i] if i < len(f.debt) else None
            cred = f.creditor[i] if i < len(f.creditor) else None
            answer = _answer(f, rec) if i == 0 else {}
            book.row(ws, number, [f.id, f.ref, f.first_reported or "", f.status, _others(f, rec) if i == 0 else "",
                                  c.label_zh, c.term, differing_names(f, run), describe(f), f.balance_debt,
                                  f.balance_creditor, f.balance_difference, place([debt]) if debt else "",
                                  place([cred]) if cred else ""])
            for k, col in enumerate(cols, start=len(LEAD)):
                record = debt if col.side == "debt" else cred
                differs = col.pair is not None and run.fields[col.pair].field in differing
                book.write(ws, number, k, record.values.get(col.code) if record else None, DIFF_FILL if differs else None)
            for k, value in enumerate((answer.get("status"), answer.get("text"), answer.get("action")),
                                      start=len(LEAD) + len(cols)):
                book.write(ws, number, k, value)
            number += 1
