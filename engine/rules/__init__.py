"""The rule-kind registry: one module per kind, one line here per kind."""
from __future__ import annotations

from .aggregate import Aggregate
from .base import CATEGORIES, SEVERITIES, CompileContext, Rule, RuleError, RuleKind
from .codelist import CodeListRule
from .compare import Compare
from .deadline import Deadline
from .distribution import Distribution
from .expression import Expression
from .forbidden_chars import ForbiddenChars
from .form import Form
from .identifier import IdentifierRule
from .format import Format
from .graph import Graph
from .length import Length
from .not_default import NotDefault
from .range import Range
from .reconcile import Reconcile
from .reference import Reference
from .regex import Regex
from .required import Required
from .scope import Scope
from .tieout import TieOut
from .unique import Unique

REGISTRY: dict[str, RuleKind] = {kind.name: kind() for kind in (
    Required,
    Format,
    Length,
    Regex,
    CodeListRule,
    Range,
    Compare,
    NotDefault,
    ForbiddenChars,
    Expression,
    Unique,
    Reference,
    Distribution,
    TieOut,
    Scope,
    IdentifierRule,
    Reconcile,
    Deadline,
    Aggregate,
    Graph,
    Form,
)}


def kind_of(rule: Rule) -> RuleKind:
    return REGISTRY[rule.kind]


def refusals(entries, target: str, not_run: dict[int, str]) -> dict[int, str]:
    """{entry index: reason} for the planned rules whose kind says it cannot run on ``target``
    ("pushdown": in a warehouse, "spark"); the others are left to the target's dialect, which
    judges their SQL node by node. Rules already not run are left out."""
    out = {}
    for entry in entries:
        kind = REGISTRY.get(entry.rule.kind)
        reason = kind.cannot_run_on.get(target) if kind else None
        if reason and entry.index not in not_run:
            out[entry.index] = reason
    return out


__all__ = ["CATEGORIES", "SEVERITIES", "REGISTRY", "CompileContext", "Rule", "RuleError", "RuleKind", "kind_of",
           "refusals"]
