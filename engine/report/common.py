"""Labels and small formatters shared by the renderers."""
from __future__ import annotations

import re
from pathlib import Path

from ..results import SEVERITY_ORDER, SEVERITY_ZH

VERDICT_ZH = {"ready": "准予报送", "not_ready": "不予报送"}
VERDICT_EN = {"ready": "READY", "not_ready": "NOT READY"}
STATUS_ZH = {"passed": "通过", "failed": "未通过", "not_run": "未执行", "not_applicable": "不适用"}
# The ten official 检核类型 in the regulator's order, with the names its result template uses.
CATEGORY_FULL = {
    "为空": "1缺失类-为空校验", "默认值": "1缺失类-默认值校验（日期和数值为0）", "日期格式": "2格式规范类-日期格式",
    "特殊字符": "2格式规范类-特殊字符校验", "唯一性": "2格式规范类-唯一性校验", "长度": "2格式规范类-长度校验",
    "字典值": "2格式规范类-字典值校验", "关联": "3表间关联类-关联校验", "数值比较": "4业务类-数值比较类", "其他": "4业务类-其他类",
}
_STATUS_RANK = {"failed": 0, "not_run": 1, "passed": 2, "not_applicable": 3}

# Characters XML 1.0 cannot carry (C0 controls other than tab/newline/CR, surrogates, U+FFFE/FFFF).
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def severity_zh(severity: str) -> str:
    return SEVERITY_ZH.get(severity, severity)


def triage_key(rule) -> tuple:
    """Sort key putting what needs attention first: failed rules (strong, weak, info; within a severity
    the most failing records first), then rules not run (by severity), then passed rules. A stable
    sort keeps the model's order (table, then id) among equals."""
    rank = _STATUS_RANK.get(rule.status, 3)
    severity = -SEVERITY_ORDER.get(rule.severity, 0) if rank < 2 else 0
    return rank, severity, -rule.failed if rank == 0 else 0


def fmt_rate(rate: float) -> str:
    """A 0..1 failure rate as a percentage: 0%, <0.01%, 1.23%, 100%."""
    pct = (rate or 0.0) * 100
    if pct == 0:
        return "0%"
    if pct < 0.01:
        return "<0.01%"
    if pct >= 100:
        return "100%"
    return f"{pct:.2f}%"


def fmt_int(n: int | None) -> str:
    return f"{n:,}" if isinstance(n, int) else ("" if n is None else str(n))


def fmt_duration(seconds: float) -> str:
    seconds = float(seconds or 0.0)
    if seconds < 60:
        return f"{seconds:.2f} s"
    m, s = divmod(seconds, 60)
    if m < 60:
        return f"{int(m)} min {s:.0f} s"
    h, m = divmod(m, 60)
    return f"{int(h)} h {int(m)} min"


def shorten(text: str | None, limit: int) -> str:
    """First line of ``text``, cut to ``limit`` characters with an ellipsis."""
    lines = (text or "").strip().splitlines()
    text = lines[0] if lines else ""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def xml_safe(text: object) -> str:
    """``str(text)`` with characters XML 1.0 cannot represent replaced by U+FFFD."""
    return _XML_BAD.sub("\ufffd", "" if text is None else str(text))


def field_ref(rule) -> str:
    """TABLE.FIELD (or just TABLE for table-level rules)."""
    return f"{rule.table}.{rule.field}" if rule.field else rule.table


def output_path(out_dir: Path, filename: str) -> Path:
    """Where a renderer writes its file (the folder is created when missing)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return out_dir / filename


def write_text(out_dir: Path, filename: str, text: str) -> Path:
    path = output_path(out_dir, filename)
    path.write_text(text, encoding="utf-8")
    return path


def write_bytes(out_dir: Path, filename: str, data: bytes) -> Path:
    path = output_path(out_dir, filename)
    path.write_bytes(data)
    return path
