"""Replies: the recipients' filled-in feedback workbooks, read back (``jianhe reconcile … --replies DIR``).

The notice has differences confirmed or queried by their recipients and answered until both sides agree
(三(二)1 第二步–第四步, 附件1 二, 附件2 三). Each row of a feedback workbook carries the difference's
stable identifier (差异标识: rule, normalised keys) and three columns for the recipient: 确认状态
(已确认 / 有异议; empty or 待确认 is no answer yet), 核实情况 and 处理说明. ``--replies DIR`` reads every
workbook under DIR — last month's feedback folder with the returned workbooks in it — and this month's
differences carry them:

* status 有异议 when a recipient disputes the difference, 已确认 when every recipient of it (the debt
  side's and, for bank loans, the lending branch) confirmed it, else 待确认;
* the replies themselves (who, what status, what they wrote, from which file) and when the difference
  was first reported (首次报告, carried from workbook to workbook);
* a difference some reply names that is gone this month is listed as resolved (已解决).

Replies are read from their own folder, never from the report folder: the report folder refuses to
replace a workbook a recipient changed (engine/report/folder.py), and a run must not read its own output.
A workbook that cannot be read, a sheet without the identifier column or a status that is none of the
three is a problem named in the report; it never stops the run.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..rules.reconcile.classes import RECIPIENT_KINDS, STATUSES

REF_COLUMN = "差异标识"
STATUS_COLUMN = "确认状态"
TEXT_COLUMN = "核实情况"
ACTION_COLUMN = "处理说明"
FIRST_COLUMN = "首次报告"
MAX_BYTES = 64 * 2**20

# what a recipient may write in 确认状态
STATUS_WORDS = {"已确认": "已确认", "确认": "已确认", "无误": "已确认", "同意": "已确认",
                "有异议": "有异议", "异议": "有异议", "存疑": "有异议", "疑问": "有异议",
                "待确认": "待确认"}
OPEN = "待确认"


@dataclass
class Reply:
    ref: str
    status: str | None  # 已确认 | 有异议 | 待确认; None: nothing written
    text: str
    action: str
    first_reported: str | None
    recipient_kind: str | None
    recipient_code: str | None
    recipient_name: str | None
    file: str
    sheet: str
    row: int

    def to_dict(self) -> dict:
        return {"recipient": {"kind": self.recipient_kind, "code": self.recipient_code, "name": self.recipient_name},
                "status": self.status, "text": self.text, "action": self.action, "file": self.file,
                "sheet": self.sheet, "row": self.row}


@dataclass
class Replies:
    folder: str
    files: list[str] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def by_ref(self) -> dict[str, list[Reply]]:
        out: dict[str, list[Reply]] = {}
        for r in self.replies:
            out.setdefault(r.ref, []).append(r)
        return out


def status_of(word) -> str | None:
    text = str(word or "").strip()
    return STATUS_WORDS.get(text) if text else None


def read_replies(folder: Path) -> Replies:
    """Every feedback workbook under ``folder`` (sub-folders too), in name order."""
    folder = Path(folder)
    out = Replies(str(folder))
    for path in sorted(p for p in folder.rglob("*.xlsx") if not p.name.startswith(("~$", "."))):
        name = path.relative_to(folder).as_posix()
        try:
            if path.stat().st_size > MAX_BYTES:
                out.problems.append(f"{name}: larger than {MAX_BYTES // 2**20} MB, not read")
                continue
            _read_workbook(path, name, out)
        except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
            out.problems.append(f"{name}: not a readable workbook ({type(exc).__name__})")
            continue
        out.files.append(name)
    return out


def _read_workbook(path: Path, name: str, out: Replies) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        kind = code = rec_name = None
        found = False
        for ws in wb.worksheets:
            if ws.title == "说明":
                info = {str(r[0]).strip(): r[1] for r in ws.iter_rows(max_col=2, values_only=True) if r and r[0]}
                kind = _kind(info.get("接收方类型"))
                code = _text(info.get("接收方代码")) or None
                rec_name = _text(info.get("接收方名称")) or None
                continue
            rows = ws.iter_rows(values_only=True)
            header = [_text(h) for h in next(rows, ())]
            if REF_COLUMN not in header:
                out.problems.append(f"{name}: sheet {ws.title} has no {REF_COLUMN} column, not read")
                continue
            found = True
            col = {h: i for i, h in enumerate(header) if h}
            seen: set[str] = set()
            for n, row in enumerate(rows, start=2):
                cell = (lambda h: row[col[h]] if h in col and col[h] < len(row) else None)
                ref = _text(cell(REF_COLUMN))
                if not ref or ref in seen:  # an n:m difference takes several rows: its first row answers
                    continue
                seen.add(ref)
                word = _text(cell(STATUS_COLUMN))
                status = status_of(word)
                if word and status is None:
                    out.problems.append(f"{name}: sheet {ws.title} row {n}: {STATUS_COLUMN} {word!r} is none of "
                                        f"{', '.join(STATUSES)}; read as {OPEN}")
                out.replies.append(Reply(ref, status, _text(cell(TEXT_COLUMN)), _text(cell(ACTION_COLUMN)),
                                         _text(cell(FIRST_COLUMN)) or None, kind, code, rec_name, name, ws.title, n))
        if not found:
            out.problems.append(f"{name}: no sheet with a {REF_COLUMN} column (not a feedback workbook?)")
    finally:
        wb.close()


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _kind(label) -> str | None:
    text = _text(label)
    return next((k for k, (zh, _) in RECIPIENT_KINDS.items() if text in (k, zh)), None)


# ---------------------------------------------------------------- statuses of this month's differences


def parse_ref(ref: str) -> tuple[str, list[tuple[str | None, ...]]]:
    """A difference identifier → (rule, its key tuples): ``RULE:k0|k1|…`` (``=…`` the other side's key of a
    pair of the second match, ``#n`` a repeat); ∅ stands for an empty component."""
    rule, _, rest = ref.partition(":")
    rest = rest.split("#", 1)[0]
    keys = [tuple(None if k == "∅" else k for k in part.split("|")) for part in rest.split("=") if part]
    return rule, keys


def apply(findings: list, replies: Replies | None, period: str) -> list[dict]:
    """Give every finding its status, replies and first report; returns the resolved differences (named by
    a reply, gone this month)."""
    by_ref = replies.by_ref() if replies else {}
    for f in findings:
        mine = by_ref.get(f.ref, [])
        latest: dict[tuple, object] = {}
        for r in mine:  # per recipient, the last workbook (by name) with something written wins
            key = (r.recipient_kind, r.recipient_code)
            if r.status or r.text or r.action or key not in latest:
                latest[key] = r
        answers = list(latest.values())
        statuses = {k: r.status for k, r in latest.items() if r.status}
        if "有异议" in statuses.values():
            f.status = "有异议"
        elif all(statuses.get((rec.kind, rec.code)) == "已确认" for rec in f.recipients()):
            f.status = "已确认"
        else:
            f.status = OPEN
        f.replies = [r.to_dict() for r in answers]
        firsts = sorted(r.first_reported for r in mine if r.first_reported)
        f.first_reported = firsts[0] if firsts else period
    current = {f.ref for f in findings}
    resolved = []
    for ref, items in sorted(by_ref.items()):
        if ref in current:
            continue
        firsts = sorted(r.first_reported for r in items if r.first_reported)
        statuses = [r.status for r in items if r.status]
        resolved.append({"ref": ref, "rule": parse_ref(ref)[0], "first_reported": firsts[0] if firsts else None,
                         "last_status": "有异议" if "有异议" in statuses else statuses[-1] if statuses else OPEN,
                         "replies": [r.to_dict() for r in items if r.status or r.text or r.action]})
    return resolved
