"""A reconcile rule's parameters, checked and resolved against the spec.

The YAML (one rule of kind ``reconcile``; the rule's ``table`` is the debt side)::

    kind: reconcile
    table: DEBT_RECORD                    # debt side (left)
    when: "产品类型 = '银行贷款'"           # the debt side's scope
    against: {table: BANK_LOAN}           # creditor / registry side (right), optional when
    keys: [{field: UNIT_USCC, other: BORROWER_USCC}, CONTRACT_NO, …]
    normalise: [halfwidth, trim, upper]   # default steps for keys and text fields
    balance: {field: BALANCE, other: BALANCE, abs: 1, rel: 0.0001}
    compare: [{field: MATURITY_DATE, type: date, days: 0}, {field: RATE, type: number, abs: 0.01}]
    debtor: {field: UNIT_USCC, other: BORROWER_USCC}
    units: {table: DEBT_UNIT, uscc: UNIT_USCC, name: UNIT_NAME}
    conceal_min_balance: 5000000
    fallback:                             # second match of what the keys left unpaired
      when: "PRODUCT_TYPE <> '债券'"      # debt-side records it may pair (default: the rule's scope)
      keys: [[UNIT_USCC, CONTRACT_NO, AMOUNT], [UNIT_USCC, CONTRACT_NO, BALANCE]]
    routing: {region: {field: REGION_CODE, other: BORROWER_REGION}, province: 430000}

A pair given as a plain string names a field present (by code or Chinese name) on both sides.
A fallback key names fields by their debt-side code; each must be a key, the balance or a
compared field of the rule (its other side and normalisation come from there).
The province may be written as text or as a number; the reconcile command requires it
(``jianhe reconcile`` refuses to run a rule that routes to a province it was not given).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field as dc_field, replace
from decimal import Decimal, InvalidOperation

import jsonschema
import yaml

from ...errors import UsageError
from ...expr import ExpressionError, compile_expression
from ..base import Rule, RuleError
from ...spec import Catalog, Field, TableSpec
from ...yamlio import safe_load_text
from .normalise import DEFAULT_STEPS, STEPS

TYPES = ("text", "number", "date")
DEFAULT_SCALE_FACTORS = (10000,)  # 元 vs 万元: the platform's two units
DEFAULT_SCALE_TOLERANCE = "0.005"

_STEPS = {"type": "array", "items": {"enum": list(STEPS)}, "minItems": 1}
_PAIR_OBJECT = {"type": "object", "additionalProperties": False, "required": ["field"],
                "properties": {"field": {"type": "string"}, "other": {"type": "string"}, "normalise": _STEPS}}
_PAIR = {"oneOf": [{"type": "string"}, _PAIR_OBJECT]}
_TOL = {"type": "number", "minimum": 0}
_COMPARE_ITEM = {"oneOf": [{"type": "string"}, {
    "type": "object", "additionalProperties": False, "required": ["field"],
    "properties": {"field": {"type": "string"}, "other": {"type": "string"}, "type": {"enum": list(TYPES)},
                   "abs": _TOL, "rel": _TOL, "days": {"type": "integer", "minimum": 0}, "normalise": _STEPS,
                   "label": {"type": "string"}}}]}
_SIDE_FIELDS = {"type": "object", "additionalProperties": False,
                "properties": {"field": {"type": "array", "items": {"type": "string"}},
                               "other": {"type": "array", "items": {"type": "string"}}}}

_DIRECTORY = {"type": "object", "additionalProperties": False, "required": ["table", "head", "branch"],
              "properties": {"table": {"type": "string"}, "head": {"type": "string"}, "branch": {"type": "string"},
                             "name": {"type": "string"}}}
_SUPERVISOR = {"type": "object", "additionalProperties": False, "required": ["table", "uscc", "supervisor"],
               "properties": {"table": {"type": "string"}, "uscc": {"type": "string"},
                              "supervisor": {"type": "string"}, "code": {"type": "string"},
                              "region": {"type": "string"}}}

PARAMS_SCHEMA: dict = {
    "against": {"type": "object", "additionalProperties": False, "required": ["table"],
                "properties": {"table": {"type": "string"}, "when": {"type": "string"}}},
    "keys": {"type": "array", "items": _PAIR, "minItems": 1},
    "normalise": _STEPS,
    "balance": {"oneOf": [{"type": "string"}, {
        "type": "object", "additionalProperties": False, "required": ["field"],
        "properties": {"field": {"type": "string"}, "other": {"type": "string"}, "abs": _TOL, "rel": _TOL}}]},
    "compare": {"type": "array", "items": _COMPARE_ITEM},
    "debtor": _PAIR,
    "units": {"type": "object", "additionalProperties": False, "required": ["table", "uscc"],
              "properties": {"table": {"type": "string"}, "uscc": {"type": "string"}, "name": {"type": "string"},
                             "supervisor": {"type": "string"}}},
    "conceal_min_balance": {"type": "number", "minimum": 0},
    "scale_factors": {"type": "array", "items": {"type": "number", "exclusiveMinimum": 1}},
    "scale_tolerance": {"type": "number", "minimum": 0, "maximum": 0.5},
    "routing": {"type": "object", "additionalProperties": False,
                "properties": {"region": {"type": "object", "additionalProperties": False,
                                          "properties": {"field": {"type": "string"}, "other": {"type": "string"}}},
                               "uscc_region": {"type": "boolean"},
                               # text or a number (``--param province=430000`` is read as one); ''
                               # or null: not configured (the reconcile command then refuses to run)
                               "province": {"type": ["string", "integer", "null"]},
                               "branch": {"type": "object", "additionalProperties": False,
                                          "required": ["field", "other"],
                                          "properties": {"field": {"type": "string"}, "other": {"type": "string"},
                                                         "name": {"type": "string"},
                                                         "other_name": {"type": "string"},
                                                         "head": _PAIR, "head_name": _PAIR,
                                                         "directory": _DIRECTORY}},
                               "supervisor": _SUPERVISOR}},
    "show": _SIDE_FIELDS,
    "fallback": {"type": ["object", "null"], "additionalProperties": False, "required": ["keys"],
                 "properties": {"when": {"type": "string"},
                                "keys": {"type": "array", "minItems": 1,
                                         "items": {"type": "array", "minItems": 1, "items": {"type": "string"}}}}},
}
REQUIRED_PARAMS = ("against", "keys", "balance")


@dataclass(frozen=True)
class Pair:
    """One field on each side, compared (or matched) after the same normalisation."""

    left: Field
    right: Field
    steps: tuple[str, ...] = DEFAULT_STEPS
    type: str = "text"
    abs: Decimal = Decimal(0)
    rel: Decimal = Decimal(0)
    days: int = 0
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or self.left.name


@dataclass(frozen=True)
class Units:
    table: TableSpec
    uscc: Field
    name: Field | None
    supervisor: Field | None = None  # the unit's 主管部门 (审核确认, 附件3)


@dataclass(frozen=True)
class FallbackKey:
    """One key set of the second match: each part is a key (``k``, i) or a compared field (``c``, j)."""

    parts: tuple[tuple[str, int], ...]
    names: tuple[str, ...]  # the parts' names, for the reports
    codes: tuple[str, ...]  # the parts' debt-side field codes


@dataclass(frozen=True)
class Fallback:
    """The second match: records the keys left unpaired, paired one to one on other fields."""

    keys: tuple[FallbackKey, ...]
    when: str | None = None  # SQL: the debt-side records it may pair (None: the rule's own scope)
    when_text: str | None = None
    scope_fields: tuple[str, ...] = ()  # fields of the rule's scope: differing for a record paired from outside it
    scope: str | None = None  # the rule's own scope (its ``when``), as written


@dataclass(frozen=True)
class Directory:
    """A branch directory: each head office's branches (分支机构名录)."""

    table: TableSpec
    head: Field
    branch: Field
    name: Field | None


@dataclass(frozen=True)
class BranchRouting:
    """Where a finding goes on the creditor side: the lending branch (附件5 一)."""

    left: Field
    right: Field
    left_name: Field | None
    right_name: Field | None
    head: Pair | None
    directory: Directory | None
    head_name: Pair | None = None


@dataclass(frozen=True)
class SupervisorRouting:
    """Units not on the platform with their 主管部门 (附件1 三.1, 附件3 二)."""

    table: TableSpec
    uscc: Field
    supervisor: Field
    code: Field | None
    region: Field | None


@dataclass(frozen=True)
class ReconcileConfig:
    rule_id: str
    left: TableSpec
    right: TableSpec
    left_when: str  # SQL, TRUE when none
    right_when: str
    keys: tuple[Pair, ...]
    balance: Pair
    compare: tuple[Pair, ...]
    debtor: Pair | None = None
    units: Units | None = None
    conceal_min_balance: Decimal | None = None
    scale_factors: tuple[Decimal, ...] = ()
    scale_tolerance: Decimal = Decimal(DEFAULT_SCALE_TOLERANCE)
    region: tuple[Field | None, Field | None] = (None, None)
    uscc_region: bool = True
    province: str | None = None  # as configured (text); checked by the reconcile command
    show: tuple[tuple[Field, ...], tuple[Field, ...]] = dc_field(default_factory=lambda: ((), ()))
    fallback: Fallback | None = None
    branch: BranchRouting | None = None
    supervisor: SupervisorRouting | None = None

    @property
    def compared(self) -> tuple[Pair, ...]:
        """Balance first, then the other compared fields: the order of every value column."""
        return (self.balance, *self.compare)

    def tables(self) -> set[str]:
        """The tables the rule needs (a branch directory or supervisor list is optional: see ``optional_tables``)."""
        return {self.left.code, self.right.code} | ({self.units.table.code} if self.units else set())

    def optional_tables(self) -> set[str]:
        """Tables used when present: the branch directory and the list of units' 主管部门."""
        out = set()
        if self.branch and self.branch.directory:
            out.add(self.branch.directory.table.code)
        if self.supervisor:
            out.add(self.supervisor.table.code)
        return out

    def thresholds(self) -> dict:
        """The effective thresholds, as reported."""
        return {"balance_abs": str(self.balance.abs), "balance_rel": str(self.balance.rel),
                "conceal_min_balance": None if self.conceal_min_balance is None else str(self.conceal_min_balance),
                "scale_factors": [str(f) for f in self.scale_factors], "scale_tolerance": str(self.scale_tolerance),
                "compare": {p.left.code: _tolerance_text(p) for p in self.compare},
                "fallback": [list(k.names) for k in self.fallback.keys] if self.fallback else [],
                "fallback_scope": self.fallback.when_text if self.fallback else None,
                "province": self.province}


def _tolerance_text(p: Pair) -> str:
    if p.type == "number":
        return f"abs {p.abs}, rel {p.rel}"
    if p.type == "date":
        return f"{p.days} days"
    return "equal after " + ", ".join(p.steps)


def decimal_of(value, what: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RuleError(f"'{value}' is not a number ({what})") from None


def _field(table: TableSpec, ref: str, what: str) -> Field:
    found = table.field(ref)
    if found is None:
        raise RuleError(f"unknown field '{ref}' in table {table.code} ({what})")
    return found


def _pair(spec, left: TableSpec, right: TableSpec, default_steps: tuple[str, ...], what: str, **extra) -> Pair:
    if isinstance(spec, str):
        spec = {"field": spec}
    lf = _field(left, spec["field"], what)
    rf = _field(right, spec.get("other", spec["field"]), what)
    steps = tuple(spec.get("normalise", default_steps))
    return Pair(lf, rf, steps, **extra)


def _compare_pair(spec, left: TableSpec, right: TableSpec, steps: tuple[str, ...]) -> Pair:
    item = {"field": spec} if isinstance(spec, str) else spec
    pair = _pair(item, left, right, steps, "compare")
    kind = item.get("type") or ("number" if pair.left.format.is_numeric else
                                "date" if pair.left.format.kind == "date" else "text")
    if kind == "number" and "days" in item or kind != "number" and ("abs" in item or "rel" in item):
        raise RuleError(f"compare field '{item['field']}' of type {kind}: 'abs'/'rel' are for numbers, 'days' for dates")
    return replace(pair, type=kind, abs=decimal_of(item.get("abs", 0), "abs"), rel=decimal_of(item.get("rel", 0), "rel"),
                   days=int(item.get("days", 0)), label=item.get("label", ""))


def resolve(rule: Rule, catalog: Catalog, left: TableSpec) -> ReconcileConfig:
    """Check the parameters against the spec and resolve every field; RuleError names the problem."""
    p = rule.params
    right = catalog.table(p["against"]["table"])
    if right is None:
        raise RuleError(f"reconcile against unknown table '{p['against']['table']}'")
    if right.code == left.code:
        raise RuleError(f"reconcile 'against' must be another table than {left.code}")
    steps = tuple(p.get("normalise", DEFAULT_STEPS))
    keys = tuple(_pair(k, left, right, steps, "keys") for k in p["keys"])
    bal = p["balance"] if isinstance(p["balance"], dict) else {"field": p["balance"]}
    balance = replace(_pair(bal, left, right, steps, "balance"), type="number",
                      abs=decimal_of(bal.get("abs", 0), "abs"), rel=decimal_of(bal.get("rel", 0), "rel"))
    compare = tuple(_compare_pair(c, left, right, steps) for c in p.get("compare", []))
    names = [c.left.code for c in (balance, *compare)]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise RuleError("a field is compared twice: " + ", ".join(f"'{n}'" for n in twice))
    debtor = _pair(p["debtor"], left, right, steps, "debtor") if "debtor" in p else None
    units = None
    if "units" in p:
        table = catalog.table(p["units"]["table"])
        if table is None:
            raise RuleError(f"units table '{p['units']['table']}' is unknown")
        if debtor is None:
            raise RuleError(f"units table '{p['units']['table']}' needs 'debtor' (the field holding the debtor's USCC "
                            f"on each side)")
        units = Units(table, _field(table, p["units"]["uscc"], "units"),
                      _field(table, p["units"]["name"], "units") if "name" in p["units"] else None)
    if "conceal_min_balance" in p and units is None:
        raise RuleError("'conceal_min_balance' needs 'units' (瞒报 requires the unit to be registered)")
    routing = p.get("routing", {})
    region = routing.get("region", {})
    fallback = _fallback(p.get("fallback"), rule, left, keys, (balance, *compare))
    units = replace(units, supervisor=_field(units.table, p["units"]["supervisor"], "units")) \
        if units and "supervisor" in p["units"] else units
    cfg = ReconcileConfig(
        rule_id=rule.id, left=left, right=right,
        left_when=compile_expression(rule.when, left).sql if rule.when else "TRUE",
        right_when=compile_expression(p["against"]["when"], right).sql if p["against"].get("when") else "TRUE",
        keys=keys, balance=balance, compare=compare, debtor=debtor, units=units,
        conceal_min_balance=decimal_of(p["conceal_min_balance"], "conceal_min_balance")
        if "conceal_min_balance" in p else None,
        scale_factors=tuple(decimal_of(f, "scale_factors") for f in p.get("scale_factors", DEFAULT_SCALE_FACTORS)),
        scale_tolerance=decimal_of(p.get("scale_tolerance", DEFAULT_SCALE_TOLERANCE), "scale_tolerance"),
        region=(_field(left, region["field"], "routing") if "field" in region else None,
                _field(right, region["other"], "routing") if "other" in region else None),
        uscc_region=bool(routing.get("uscc_region", True)), province=province_text(routing.get("province")),
        show=(tuple(_field(left, f, "show") for f in p.get("show", {}).get("field", [])),
              tuple(_field(right, f, "show") for f in p.get("show", {}).get("other", []))),
        fallback=fallback,
        branch=_branch(routing.get("branch"), catalog, left, right, steps),
        supervisor=_supervisor(routing.get("supervisor"), catalog),
    )
    return cfg


def province_text(value) -> str | None:
    """The configured province as text (``430000`` given as a number is the same); None when not given."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _fallback(spec, rule: Rule, left: TableSpec, keys: tuple[Pair, ...], compared: tuple[Pair, ...]) -> Fallback | None:
    if not spec:
        return None
    sets = []
    for names in spec["keys"]:
        parts, labels, codes = [], [], []
        for ref in names:
            f = _field(left, ref, "fallback")
            where = next((("k", i) for i, k in enumerate(keys) if k.left == f), None) or \
                next((("c", j) for j, c in enumerate(compared) if c.left == f), None)
            if where is None:
                raise RuleError(f"fallback field '{ref}' is neither a key nor a compared field of the rule")
            parts.append(where)
            labels.append(f.name)
            codes.append(f.code)
        if len(set(parts)) != len(parts):
            twice = next(n for i, n in enumerate(names) if parts[i] in parts[:i])
            raise RuleError(f"a fallback key names a field twice: '{twice}'")
        sets.append(FallbackKey(tuple(parts), tuple(labels), tuple(codes)))
    compared_codes = {c.left.code for c in compared}  # a compared scope field is reported as compared
    scope_fields = tuple(f for f in (compile_expression(rule.when, left).fields if rule.when else ())
                         if f not in compared_codes)
    when = spec.get("when")
    try:
        when_sql = compile_expression(when, left).sql if when else None
    except ExpressionError as exc:
        raise RuleError(f"fallback when '{when}': {exc}") from None
    return Fallback(tuple(sets), when_sql, when,
                    tuple(dict.fromkeys(scope_fields)), rule.when)


def _branch(spec, catalog: Catalog, left: TableSpec, right: TableSpec, steps: tuple[str, ...]) -> BranchRouting | None:
    if not spec:
        return None
    directory = None
    if "directory" in spec:
        d = spec["directory"]
        table = catalog.table(d["table"])
        if table is None:
            raise RuleError(f"branch directory table '{d['table']}' is unknown")
        directory = Directory(table, _field(table, d["head"], "routing.branch.directory"),
                              _field(table, d["branch"], "routing.branch.directory"),
                              _field(table, d["name"], "routing.branch.directory") if "name" in d else None)
    return BranchRouting(
        _field(left, spec["field"], "routing.branch"), _field(right, spec["other"], "routing.branch"),
        _field(left, spec["name"], "routing.branch") if "name" in spec else None,
        _field(right, spec["other_name"], "routing.branch") if "other_name" in spec else None,
        _pair(spec["head"], left, right, steps, "routing.branch.head") if "head" in spec else None, directory,
        _pair(spec["head_name"], left, right, steps, "routing.branch.head_name") if "head_name" in spec else None)


def _supervisor(spec, catalog: Catalog) -> SupervisorRouting | None:
    if not spec:
        return None
    table = catalog.table(spec["table"])
    if table is None:
        raise RuleError(f"supervisor table '{spec['table']}' is unknown")
    return SupervisorRouting(table, _field(table, spec["uscc"], "routing.supervisor"),
                             _field(table, spec["supervisor"], "routing.supervisor"),
                             _field(table, spec["code"], "routing.supervisor") if "code" in spec else None,
                             _field(table, spec["region"], "routing.supervisor") if "region" in spec else None)


def apply_overrides(rules: list[Rule], overrides: list[str] | tuple[str, ...], catalog: Catalog | None = None) -> list[Rule]:
    """Rules with ``--set [RULE_ID:]PATH=VALUE`` applied (every reconcile rule when no id is given).

    PATH is a parameter (``conceal_min_balance``), a nested one (``balance.abs``,
    ``routing.province``) or a compared field's setting (``compare.RATE.abs``, by field code or
    name). VALUE is read as YAML (``5000000``, ``0.001``, ``[10000]``)."""
    out = {r.id: replace(r, params=copy.deepcopy(r.params)) for r in rules}
    for text in overrides:
        target, sep, raw = text.partition("=")
        if not sep or not target:
            raise UsageError(f"--set {text!r}: expected [RULE_ID:]PARAMETER=VALUE")
        rule_id, colon, path = target.rpartition(":")
        if colon and rule_id not in out:
            raise UsageError(f"--set {text!r}: no reconcile rule '{rule_id}' (rules: {', '.join(out)})")
        try:
            value = safe_load_text(raw)
        except yaml.YAMLError:
            raise UsageError(f"--set {text!r}: the value is not valid YAML") from None
        for rid in [rule_id] if colon else list(out):
            table = catalog.tables.get(out[rid].table) if catalog else None
            _set(out[rid].params, path.split("."), value, text, table)
    validator = jsonschema.Draft202012Validator({"type": "object", "properties": PARAMS_SCHEMA})
    for rule in out.values():
        error = jsonschema.exceptions.best_match(validator.iter_errors(rule.params))
        if error is not None:
            where = "/".join(str(p) for p in error.path)
            raise UsageError(f"--set on rule {rule.id}: {where}: {error.message}")
    return list(out.values())


def _set(params: dict, path: list[str], value, text: str, table: TableSpec | None = None) -> None:
    if path[0] not in PARAMS_SCHEMA:
        raise UsageError(f"--set {text!r}: unknown parameter '{path[0]}' (known: {', '.join(PARAMS_SCHEMA)})")
    if path[0] == "compare" and len(path) == 3:
        items = params.setdefault("compare", [])
        wanted = table.field(path[1]) if table else None
        for i, item in enumerate(items):
            item = {"field": item} if isinstance(item, str) else item
            same = wanted is not None and table.field(item["field"]) == wanted
            if same or path[1] in (item["field"], item.get("other"), item.get("label")):
                items[i] = {**item, path[2]: value}
                return
        raise UsageError(f"--set {text!r}: the rule compares no field '{path[1]}'")
    node = params
    for step in path[:-1]:
        child = node.get(step)
        if isinstance(child, str):  # a pair written as one field name
            child = {"field": child}
        node[step] = child if isinstance(child, dict) else {}
        node = node[step]
    node[path[-1]] = value
