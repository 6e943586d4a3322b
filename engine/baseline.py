"""Baseline ("ratchet") mode: gate only on what got worse since an accepted earlier report.

``jianhe validate … --baseline previous/report.json [--baseline-tolerance N | P%]`` compares each
rule × table with the same rule × table of the baseline (a JSON report of jianhe):

* **new** — failing now, passing / not run / absent in the baseline;
* **grown** — failing in both, with more *new failing records* than the tolerance allows;
* **unchanged** — failing in both, within the tolerance (fewer failures included);
* **fixed** — failing in the baseline, passing now.

A failing record is identified by its key (as the report shows it), else by its line and value.
When both reports hold every failing record of the rule (failures ≤ --sample-limit), the new
records are those whose identity the baseline lacks; otherwise the growth of the count stands in.
The tolerance is absolute (``5``: up to 5 new records per rule) or relative to the baseline's
failures (``10%``, rounded down). With a baseline the verdict (and exit code 1) counts only new
and grown rules at or above ``--fail-on``; expired waivers still fail the run.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import jsonschema

from .errors import UsageError
from .results import SEVERITY_ORDER, RuleResult, RunResult
from .waivers import expiry_reasons

STATUSES = ("new", "grown", "unchanged", "fixed")
GATING = ("new", "grown")
_COUNT = {"type": "integer", "minimum": 0}
# only what the comparison reads: reports of older and newer jianhe versions stay usable
SCHEMA = {
    "type": "object", "required": ["rules"],
    "properties": {"rules": {"type": "array", "items": {
        "type": "object", "required": ["id", "table", "status", "failed"],
        "properties": {"id": {"type": "string"}, "table": {"type": "string"}, "status": {"type": "string"},
                       "failed": _COUNT, "samples": {"type": "array", "items": {"type": "object"}}}}}},
}


@dataclass(frozen=True)
class Tolerance:
    amount: float = 0
    percent: bool = False

    @classmethod
    def parse(cls, text: str | None) -> "Tolerance":
        if text is None or str(text).strip() == "":
            return cls()
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(%?)\s*", str(text))
        if not m or (not m[2] and "." in m[1]):
            raise UsageError(f"--baseline-tolerance must be a count (e.g. 5) or a percentage (e.g. 10%), not {text!r}")
        return cls(float(m[1]), bool(m[2]))

    def allowed(self, baseline_failed: int) -> int:
        """New failing records a rule may gain without counting as grown."""
        return int(baseline_failed * self.amount / 100) if self.percent else int(self.amount)

    def __str__(self) -> str:
        return f"{self.amount:g}%" if self.percent else f"{int(self.amount)}"


@dataclass(frozen=True)
class BaselineRule:
    failed: int
    identities: Counter | None  # None when the baseline does not hold every failing record


@dataclass
class Baseline:
    path: Path
    rules: dict[tuple[str, str], BaselineRule]
    submission: str | None = None
    started_at: str | None = None
    pack: dict | None = None


def identity(sample) -> str:
    """What names a failing record across runs: its key, else its line and value."""
    get = sample.get if isinstance(sample, dict) else lambda k: getattr(sample, k)
    key = get("key")
    return f"key:{key}" if key is not None else f"line:{get('line')}:{get('value')}"


def _counted(samples) -> list:
    """Samples that count as failures (not excused by 备注, not waived)."""
    get = (lambda s, k: s.get(k, False)) if samples and isinstance(samples[0], dict) else getattr
    return [s for s in samples if not get(s, "excused") and not get(s, "waived")]


def _identities(samples, failed: int) -> Counter | None:
    counted = _counted(samples)
    return Counter(identity(s) for s in counted) if len(counted) == failed else None


MAX_BASELINE_BYTES = 256 << 20


def load_baseline(path: Path) -> Baseline:
    """Read a previous JSON report; anything else is a usage error (exit 2) naming the file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BASELINE_BYTES:
            raise UsageError(f"{path}: the baseline is larger than {MAX_BASELINE_BYTES >> 20} MB; "
                             "a jianhe report.json is far smaller")
        doc = json.loads(path.read_text(encoding="utf-8"))
        error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc))
    except FileNotFoundError:
        raise UsageError(f"baseline not found: {path}") from None
    except RecursionError:  # nesting no report has; json and jsonschema both recurse
        raise UsageError(f"{path}: the baseline is not a JSON report of jianhe (nested too deeply)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{path}: the baseline is not a JSON report of jianhe ({str(exc)[:200]})") from None
    if error is not None:
        where = "/".join(map(str, error.absolute_path)) or "the document"
        raise UsageError(f"{path}: the baseline is not a JSON report of jianhe (at {where}: {error.message})")
    rules = {}
    for r in doc["rules"]:
        failed = r["failed"] if r["status"] == "failed" else 0
        rules[(r["table"], r["id"])] = BaselineRule(failed, _identities(r.get("samples", []), failed))
    return Baseline(path, rules, doc.get("submission"), doc.get("started_at"), doc.get("pack"))


def _judge(rule: RuleResult, base: BaselineRule | None, tolerance: Tolerance) -> dict | None:
    before = base.failed if base else 0
    if rule.status != "failed":
        return {"status": "fixed", "failed": before, "new": 0} if rule.status == "passed" and before else None
    if not before:
        return {"status": "new", "failed": 0, "new": rule.failed}
    now = _identities(rule.samples, rule.failed)
    if now is not None and base.identities is not None:
        new = sum((now - base.identities).values())
    else:
        new = max(rule.failed - before, 0)
    status = "grown" if new > tolerance.allowed(before) else "unchanged"
    return {"status": status, "failed": before, "new": new}


def _current_ids(rules: dict[tuple[str, str], BaselineRule], pack: str | None) -> dict[tuple[str, str], BaselineRule]:
    """The baseline's rules under the pack's current ids: a rule the pack renamed since (a derived rule that
    took its official number) is matched under its new id; a rule under its current id is kept as it is."""
    from .changelog import aliases_named

    renamed = aliases_named(pack)
    out = {(t, renamed.get(i, i)): b for (t, i), b in rules.items() if renamed.get(i, i) != i}
    out.update({key: b for key, b in rules.items() if key[1] not in renamed})
    return out


def apply_baseline(result: RunResult, baseline: Baseline, tolerance: Tolerance | None = None) -> RunResult:
    """Mark every rule against the baseline and decide the verdict on new and grown rules only."""
    tolerance = tolerance or Tolerance()
    counts = dict.fromkeys(STATUSES, 0)
    seen = set()
    before = _current_ids(baseline.rules, (result.pack or {}).get("name"))
    for rule in result.rules:
        seen.add((rule.table, rule.id))
        rule.baseline = _judge(rule, before.get((rule.table, rule.id)), tolerance)
        if rule.baseline:
            counts[rule.baseline["status"]] += 1
    gone = sorted(f"{t}/{i}" for (t, i), b in before.items() if b.failed and (t, i) not in seen)
    result.baseline = {"file": str(baseline.path), "tolerance": str(tolerance), "submission": baseline.submission,
                       "started_at": baseline.started_at, "pack": baseline.pack, "counts": counts, "gone": gone}
    result.options = {**(result.options or {}), "baseline": str(baseline.path),
                      "baseline_tolerance": str(tolerance)}
    _decide(result)
    return result


def _decide(result: RunResult) -> None:
    if result.fail_on == "none":
        gating = []
    else:
        threshold = SEVERITY_ORDER[result.fail_on]
        gating = [r for r in result.rules if r.baseline and r.baseline["status"] in GATING
                  and SEVERITY_ORDER[r.severity] >= threshold]
    reasons = []
    for status in GATING:
        rules = [r for r in gating if r.baseline["status"] == status]
        if rules:
            names = ", ".join(f"{r.table}/{r.id}" for r in rules[:10]) + (" …" if len(rules) > 10 else "")
            label = "newly failing" if status == "new" else "with new failing records beyond the tolerance"
            reasons.append(f"{len(rules)} rule(s) {label} since the baseline: {names}")
    reasons += expiry_reasons(result)
    result.verdict_reasons = reasons
    result.verdict = "not_ready" if reasons else "ready"
