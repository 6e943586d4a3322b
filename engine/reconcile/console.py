"""The console summary of ``jianhe reconcile``: verdict, counts per class, recipients, changes."""
from __future__ import annotations

from typing import TextIO

from ..report.common import fmt_int
from ..rules.reconcile.classes import CHANGES, CLASSES, RECIPIENT_KINDS
from .model import ReconcileResult
from .render_common import VERDICT_EN, VERDICT_ZH


def render_console(result: ReconcileResult, stream: TextIO) -> None:
    s = result.summary()
    pack = result.pack
    lines = [f"对账 jianhe reconcile: {VERDICT_ZH[result.verdict]} {VERDICT_EN[result.verdict]}  {result.submission}"
             + (f"  (上月 previous {result.previous})" if result.previous else "")
             + f"  [{pack.get('name')} {pack.get('version')}]",
             f"记录 records: 债务方 debt {fmt_int(s['reconciled_debt'])}/{fmt_int(s['records_debt'])}, "
             f"债权方 creditor {fmt_int(s['reconciled_creditor'])}/{fmt_int(s['records_creditor'])} "
             f"(reconciled/in scope); 无法读取 rows rejected {fmt_int(s['rows_rejected'])}"]
    lines.append("差异类别 class                      " + "  ".join(f"{r.id:>18}" for r in result.rules) + "       total")
    for code, c in CLASSES.items():
        label = f"{c.label_zh} {code}"
        pad = 34 - sum(2 if ord(ch) > 0x2E80 else 1 for ch in label)
        lines.append(f"  {label}{' ' * max(pad, 1)}" + "  ".join(f"{fmt_int(r.counts[code]):>18}" for r in result.rules)
                     + f"  {fmt_int(s['groups'][code]):>10}")
    for run in result.rules:
        if run.status != "run" or run.note:
            lines.append(f"  {run.id}: {'未执行 not run' if run.status != 'run' else '注意 note'} — {run.note}")
    if s["changes"] is not None:
        for side, label in (("debt", "债务方 debt"), ("creditor", "债权方 creditor")):
            counts = s["changes"][side]
            lines.append(f"月度变动 {label}: " + ", ".join(f"{CHANGES[k][0]} {k} {fmt_int(v)}" for k, v in counts.items()))
    recipients = result.recipients()
    if recipients:
        by_kind = {k: sum(r["kind"] == k for r in recipients) for k in RECIPIENT_KINDS}
        lines.append("接收方 recipients: " + ", ".join(f"{RECIPIENT_KINDS[k][0]} {k} {n}" for k, n in by_kind.items()))
    if result.replies is not None:
        r = result.replies
        lines.append(f"反馈 replies: {fmt_int(r['read'])} 条回复 from {len(r['files'])} 个工作簿; 状态 status "
                     + ", ".join(f"{k} {fmt_int(v)}" for k, v in s["statuses"].items())
                     + f"; 已解决 resolved {fmt_int(len(r['resolved']))}"
                     + (f"; 问题 problems {len(r['problems'])}" if r["problems"] else ""))
    if result.out_of_scope:
        lines.append(f"未纳入对账范围 out of scope: {fmt_int(len(result.out_of_scope))} records")
    for line in lines:
        try:
            stream.write(line + "\n")
        except UnicodeEncodeError:
            enc = getattr(stream, "encoding", None) or "ascii"
            stream.write(line.encode(enc, errors="replace").decode(enc, errors="replace") + "\n")
