"""备注 (BBZ) exceptions: remark tokens that may excuse failures of named rules.

A bank writes justified exceptions into the 备注 field, several separated by ';' (e.g.
"境外客户;客户已工商注销"). A pack may map such tokens to the rules they excuse; an excused
failure is still recorded and reported — counted apart from the failures, never dropped.
"""
from __future__ import annotations

from pathlib import Path

from .errors import Location, RuleFileError
from .spec import check_schema
from .yamlio import load_yaml

REMARK_FIELD = "BBZ"


def load_excuses(path: Path, rule_ids: set[str], aliases: dict[str, str] | None = None) -> dict[str, list[str]]:
    """rule id → remark tokens that excuse it; unknown rule ids are rule-file errors. An old (local) id of a
    derived rule that took its official number (``aliases``) names that rule, so excuse files stay valid."""
    doc = load_yaml(path)
    check_schema(doc, "excuses", path)
    by_rule: dict[str, list[str]] = {}
    for entry in doc["excuses"]:
        for rid in (str(r) if str(r) in rule_ids else (aliases or {}).get(str(r), str(r)) for r in entry["rules"]):
            if rid not in rule_ids:
                raise RuleFileError(f"excuse '{entry['token']}' names unknown rule '{rid}'",
                                    Location(str(path), entry.line_of("rules"), rule=rid, key="rules"))
            by_rule.setdefault(rid, []).append(entry["token"])
    return by_rule
