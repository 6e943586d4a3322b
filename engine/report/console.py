"""Console summary: a few plain-text lines for the terminal (optionally ANSI-coloured)."""
from __future__ import annotations

import unicodedata
from typing import TextIO

from ..results import SEVERITY_ORDER, RunResult
from .common import VERDICT_EN, VERDICT_ZH, field_ref, fmt_int, severity_zh

MAX_FAILED_SHOWN = 30
BASELINE_TAGS = {"new": "新增 new", "grown": "增长 grown", "unchanged": "未变 unchanged", "fixed": "已修复 fixed"}
MESSAGE_COLS = 60

_RESET = "\033[0m"
_COLORS = {"ready": "\033[1;32m", "not_ready": "\033[1;31m",
           "strong": "\033[31m", "weak": "\033[33m", "info": "\033[36m", "dim": "\033[2m"}


def _width(text: str) -> int:
    """Display columns: East Asian wide/fullwidth characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1
               for c in text)


def _pad(text: str, cols: int) -> str:
    return text + " " * max(cols - _width(text), 0)


def _clip(text: str, cols: int) -> str:
    text = " ".join((text or "").split())
    if _width(text) <= cols:
        return text
    out, used = [], 0
    for c in text:
        w = _width(c)
        if used + w > cols - 1:
            break
        out.append(c)
        used += w
    return "".join(out) + "…"


def _write(stream: TextIO, line: str) -> None:
    try:
        stream.write(line + "\n")
    except UnicodeEncodeError:  # e.g. a non-UTF-8 console: degrade instead of crashing
        enc = getattr(stream, "encoding", None) or "ascii"
        stream.write(line.encode(enc, errors="replace").decode(enc, errors="replace") + "\n")


def _not_run_note(result: RunResult, summary: dict) -> str:
    """A verdict says what it did not check: rules not run, and tables that were absent."""
    if not summary["rules_not_run"]:
        return ""
    absent = sum(not t.present for t in result.tables)
    tables = f", {absent} 张表未报送 table(s) absent" if absent else ""
    return f" — 未执行 {fmt_int(summary['rules_not_run'])} rules not run{tables}"


def render_console(result: RunResult, stream: TextIO, color: bool = False) -> None:
    def c(key: str, text: str) -> str:
        return f"{_COLORS[key]}{text}{_RESET}" if color and key in _COLORS else text

    s = result.summary()
    pack = result.pack or {}
    pack_label = " ".join(str(pack.get(k)) for k in ("name", "version") if pack.get(k))
    verdict = f"{VERDICT_ZH.get(result.verdict, result.verdict)} {VERDICT_EN.get(result.verdict, '')}".strip()
    _write(stream, f"检核 jianhe: {c(result.verdict, verdict)}{_not_run_note(result, s)}  (fail-on {result.fail_on})  "
                   f"{result.submission}" + (f"  [{pack_label}]" if pack_label else ""))
    sev = s["failed_by_severity"]
    _write(stream, f"规则 rules {fmt_int(s['rules_total'])}: 通过 passed {fmt_int(s['rules_passed'])}, "
                   f"未通过 failed {fmt_int(s['rules_failed'])} "
                   f"(强校验 {sev.get('strong', 0)} / 弱校验 {sev.get('weak', 0)} / 提示 {sev.get('info', 0)}), "
                   f"未执行 not run {fmt_int(s['rules_not_run'])}"
                   + (f", 不适用 n/a {fmt_int(s['rules_not_applicable'])}" if s.get("rules_not_applicable") else "")
                   + f"; findings {fmt_int(s['findings_total'])}"
                   + (f" (+{fmt_int(s['findings_excused'])} 备注豁免 excused)" if s.get("findings_excused") else ""))
    _write(stream, f"行 rows: read {fmt_int(s['rows_read'])}, checked {fmt_int(s['rows_checked'])}, "
                   f"rejected {fmt_int(s['rows_rejected'])}")
    if s.get("findings_waived"):
        _write(stream, f"豁免 waived: {fmt_int(s['findings_waived'])} findings covered by waivers")
    if result.baseline:
        counts = result.baseline["counts"]
        _write(stream, f"基线 baseline {result.baseline['file']} (tolerance {result.baseline['tolerance']}): "
                       + ", ".join(f"{BASELINE_TAGS[k]} {counts[k]}" for k in BASELINE_TAGS))
    for reason in result.verdict_reasons:
        _write(stream, f"  {c('not_ready', '!')} {reason}")

    if result.tables:
        name_cols = max(_width(f"{t.code} {t.name}") for t in result.tables)
        for t in result.tables:
            label = _pad(f"{t.code} {t.name}", name_cols)
            if not t.present:
                _write(stream, f"  {label}  {c('dim', '未提供 not present')}  failed rules {t.rules_failed}/{t.rules}")
                continue
            _write(stream, f"  {label}  rows {fmt_int(t.rows_read)} read / {fmt_int(t.rows_checked)} checked / "
                           f"{fmt_int(t.rows_rejected)} rejected  failed rules {t.rules_failed}/{t.rules}")

    failed = sorted(result.failed_rules,
                    key=lambda r: (-SEVERITY_ORDER.get(r.severity, 0), -r.failed, r.table, r.id))
    if not failed:
        return
    _write(stream, f"未通过规则 failed rules ({len(failed)}):")
    shown = failed[:MAX_FAILED_SHOWN]
    id_cols = max(_width(r.id) for r in shown)
    ref_cols = min(max(_width(field_ref(r)) for r in shown), 40)
    cnt_cols = max(len(f"{fmt_int(r.failed)}/{fmt_int(r.checked)}") for r in shown)
    for r in shown:
        sev_label = c(r.severity, _pad(severity_zh(r.severity), 6))
        counts = f"{fmt_int(r.failed)}/{fmt_int(r.checked)}".rjust(cnt_cols)
        tag = f"[{BASELINE_TAGS[r.baseline['status']]}] " if r.baseline else ""
        _write(stream, f"  {sev_label} {_pad(r.id, id_cols)}  {_pad(_clip(field_ref(r), 40), ref_cols)}  "
                       f"{counts}  {tag}{_clip(r.message_zh, MESSAGE_COLS)}")
    if len(failed) > MAX_FAILED_SHOWN:
        _write(stream, f"  … {len(failed) - MAX_FAILED_SHOWN} more")
