"""`jianhe lint --pack X`: find mistakes in a rule pack that loading alone does not report.

Each finding is one line ``file:line: rule id: message``:

* the pack does not load (any rule-file error), and every unknown table, field, kind or
  expression field in the rule files — all of them, not just the first;
* duplicate rule ids;
* rules that can never fire: a ``when`` that contradicts itself (``A = '1' AND A = '2'``,
  ``A IN ('x') AND A <> 'x'``, ``num(A) > 5 AND num(A) < 3``, ``is_empty(A) AND A = 'x'``) or
  compares a field with a value its format cannot hold; ``range`` with min > max; ``length`` with
  min > max; checks of filled values (format, codelist, regex …) whose ``when`` needs the field
  empty; ``required`` whose ``when`` needs the field filled;
* rules that can never pass: a code list none of whose codes fits the field's format;
* overlapping rules: two rules making the identical check (same compiled SQL and precondition),
  e.g. a written rule repeating a derived one; a regex that every value of the field's format
  already satisfies (it adds nothing to the format rule).

What is particular to a rule kind (its parameters' contradictions, which values of its field it
can fail at all) the kind states itself: ``RuleKind.lint`` and ``RuleKind.fires_on``.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlglot import exp

from .errors import RuleFileError, UsageError
from .expr import ExpressionError, _parse, compile_expression
from .parameters import resolve, substitute_rule
from .rules import REGISTRY, CompileContext, Rule, RuleError
from .rules.probe import fits as _fits
from .ruleset import RulePack, load_pack, resolve_pack_dir, side_files
from .spec import Catalog, TableSpec, load_catalog
from .yamlio import LocDict, load_yaml


@dataclass(frozen=True)
class Finding:
    file: str
    line: int | None
    rule: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line or 1}: {self.rule or '-'}: {self.message}"


# ----------------------------------------------------------------------------- entry point

def lint(ref: Path | str) -> list[Finding]:
    """Every finding for the pack (folder, pack.yaml or name under rulesets/), sorted by place."""
    pack_dir = resolve_pack_dir(ref)
    pack_file = pack_dir / "pack.yaml" if pack_dir.is_dir() else pack_dir
    if not pack_file.exists():
        raise RuleFileError(f"rule pack not found: {pack_file}")
    load_error = None
    try:
        pack = load_pack(pack_dir)
    except RuleFileError as exc:
        pack, load_error = None, _from_error(exc, pack_file)
    findings = _raw_pass(pack_file)
    if load_error and not any((f.file, f.line, f.rule) == (load_error.file, load_error.line, load_error.rule)
                              for f in findings):
        findings.append(load_error)  # what the raw pass cannot see (e.g. a bad parameter)
    if pack is not None:
        findings += _semantic(pack)
    unique = {(f.file, f.line, f.rule, f.message): f for f in findings}
    return sorted(unique.values(), key=lambda f: (f.file, f.line or 0, f.rule or "", f.message))


def _from_error(exc: RuleFileError, pack_file: Path) -> Finding:
    loc = exc.location
    if loc is None:
        return Finding(str(pack_file), None, None, exc.message)
    return Finding(loc.file, loc.line, loc.rule, exc.message + (f" (key '{loc.key}')" if loc.key else ""))


# ----------------------------------------------------------------------------- raw pass over the files

def _raw_pass(pack_file: Path) -> list[Finding]:
    """Names in the rule files checked one by one, so every unknown table/field/kind is listed."""
    try:
        meta = load_yaml(pack_file)
        catalog = load_catalog((pack_file.parent / meta["spec"]).resolve())
    except (RuleFileError, KeyError, TypeError):
        return []  # reported by the load error already
    skip = {p.resolve() for p in side_files(pack_file, meta)}
    try:
        values = resolve(meta.get("parameters") or {}, None, pack_file)
    except (RuleFileError, UsageError):
        values = {}  # reported by the load error already
    findings: list[Finding] = []
    seen: dict[str, str] = {}
    for path in sorted(p for p in pack_file.parent.rglob("*.yaml") if p.resolve() not in skip):
        try:
            doc = load_yaml(path)
        except RuleFileError as exc:
            findings.append(_from_error(exc, path))
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
            continue
        for item in doc["rules"]:
            if isinstance(item, LocDict) and "id" in item:
                try:  # rules are judged as they run: with the pack's parameters filled in
                    substitute_rule(item, values, path)
                except RuleFileError as exc:
                    findings.append(_from_error(exc, path))
                    continue
                findings += _raw_rule(item, path, catalog, doc.get("table"), seen)
    return findings


def _raw_rule(item: LocDict, path: Path, catalog: Catalog, default_table, seen: dict[str, str]) -> list[Finding]:
    rid, out = str(item["id"]), []

    def add(message: str, key: str | None = None) -> None:
        out.append(Finding(str(path), item.line_of(key) if key else item.line, rid, message))

    if rid in seen:
        add(f"duplicate rule id (first defined at {seen[rid]})", "id")
    seen.setdefault(rid, f"{path}:{item.line}")
    if item.get("kind") not in REGISTRY:
        add(f"unknown rule kind '{item.get('kind')}'", "kind")
    ref = item.get("table", default_table)
    table = catalog.table(str(ref)) if ref else None
    if table is None:
        add(f"unknown table '{ref}'" if ref else "rule has no 'table'", "table" if "table" in item else None)
        return out
    refs = [("field", item["field"])] if isinstance(item.get("field"), str) else []
    refs += [("fields", f) for f in item.get("fields", []) if isinstance(f, str)] if isinstance(item.get("fields"), list) else []
    for key, name in refs:
        if table.field(name) is None:
            add(f"unknown field '{name}' in table {table.code}", key)
    for key in ("when", "expr"):
        if isinstance(item.get(key), str):
            try:
                compile_expression(item[key], table)
            except ExpressionError as exc:
                add(f"in '{key}': {exc}", key)
    return out


# ----------------------------------------------------------------------------- semantic checks

def _where(rule: Rule, pack: RulePack) -> tuple[str, int | None]:
    if rule.source and rule.origin == "written" and ":" in rule.source:
        file, line = rule.source.rsplit(":", 1)
        return file, int(line) if line.isdigit() else None
    table = pack.catalog.tables.get(rule.table)
    spec_field = table.field(rule.field) if table and rule.field else None
    return (rule.source or (table.source_file if table else str(pack.path))), (spec_field.line if spec_field else None)


def _semantic(pack: RulePack) -> list[Finding]:
    findings = []
    for rule in pack.rules:
        table = pack.catalog.tables.get(rule.table)
        if table is None:
            continue
        for message in _never(rule, table, pack.catalog):
            file, line = _where(rule, pack)
            findings.append(Finding(file, line, rule.id, message))
    findings += _overlaps(pack)
    return findings


def _never(rule: Rule, table: TableSpec, catalog: Catalog) -> list[str]:
    out = []
    facts = None
    if rule.when:
        try:
            tree = _parse(rule.when)
        except ExpressionError:
            tree = None
        if tree is not None:
            reason = _contradiction(tree, table, catalog)
            if reason:
                out.append(f"can never fire: 'when' cannot hold ({reason})")
            facts = _facts(_conjuncts(tree), table)
    kind = REGISTRY[rule.kind]
    out += kind.lint(rule, table, catalog)
    if rule.field and facts is not None:
        state = facts.get(table.field(rule.field).code) if table.field(rule.field) else None
        if state and kind.fires_on == "empty" and state.filled:
            out.append(f"can never fire: {rule.kind}, but 'when' already needs the field filled")
        if state and kind.fires_on == "filled" and state.empty:
            out.append(f"can never fire: {rule.kind} checks filled values, but 'when' needs the field empty")
    return out


# --- `when` analysis: conjunctions of simple facts per field

@dataclass
class _State:
    eq: set | None = None  # the values it must equal (intersection of = and IN)
    ne: set = None
    lo: tuple[Decimal, bool] | None = None  # (bound, inclusive)
    hi: tuple[Decimal, bool] | None = None
    empty: bool = False
    filled: bool = False

    def __post_init__(self):
        self.ne = set() if self.ne is None else self.ne


def _unparen(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _conjuncts(node: exp.Expression) -> list[exp.Expression]:
    node = _unparen(node)
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    return [node]


def _field_of(node: exp.Expression, table: TableSpec, numeric: bool = False):
    """(field code, numeric?) for a bare field or num(field)."""
    node = _unparen(node)
    if isinstance(node, exp.Column) and table.field(node.name):
        return table.field(node.name).code, numeric
    if isinstance(node, exp.Anonymous) and node.name.lower() == "num" and len(node.expressions) == 1:
        return _field_of(node.expressions[0], table, True)
    return None


def _literal(node: exp.Expression):
    node = _unparen(node)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return -Decimal(node.this.this)
    if isinstance(node, exp.Literal):
        if node.is_string:
            return node.this
        try:
            return Decimal(node.this)
        except InvalidOperation:
            return None
    return None


def _norm(value, numeric: bool):
    """Values compared as numbers when either side is numeric (as the expression compiler does)."""
    if numeric or isinstance(value, Decimal):
        try:
            return Decimal(str(value)).normalize()
        except InvalidOperation:
            return value
    return value


FLIP = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.EQ: exp.EQ, exp.NEQ: exp.NEQ}


def _facts(conjuncts: list[exp.Expression], table: TableSpec) -> dict[str, _State] | None:
    facts: dict[str, _State] = {}

    def state(code: str) -> _State:
        return facts.setdefault(code, _State())

    for c in conjuncts:
        c = _unparen(c)
        negated = isinstance(c, exp.Not)
        inner = _unparen(c.this) if negated else c
        if isinstance(inner, exp.Anonymous) and inner.name.lower() in ("is_empty", "filled") and inner.expressions:
            f = _field_of(inner.expressions[0], table)
            if f:
                wants_empty = (inner.name.lower() == "is_empty") != negated
                setattr(state(f[0]), "empty" if wants_empty else "filled", True)
            continue
        if isinstance(inner, exp.Is) and isinstance(inner.expression, exp.Null):
            f = _field_of(inner.this, table)
            if f and not negated:
                state(f[0]).empty = True
            elif f:
                state(f[0]).filled = True
            continue
        if isinstance(inner, exp.In) and not inner.args.get("query"):
            f = _field_of(inner.this, table)
            values = [_literal(e) for e in inner.expressions]
            if f and all(v is not None for v in values):
                numeric = f[1] or any(isinstance(v, Decimal) for v in values)
                vals = {_norm(v, numeric) for v in values}
                s = state(f[0])
                if negated:
                    s.ne |= vals
                else:
                    s.eq = vals if s.eq is None else s.eq & vals
                    s.filled = s.filled or all(v != "" for v in vals)
            continue
        if isinstance(inner, exp.Between) and not negated:
            f = _field_of(inner.this, table)
            lo, hi = _literal(inner.args.get("low")), _literal(inner.args.get("high"))
            if f and isinstance(lo, Decimal) and isinstance(hi, Decimal):
                _bound(state(f[0]), exp.GTE, lo)
                _bound(state(f[0]), exp.LTE, hi)
            continue
        if type(inner) in FLIP and not negated:
            op, left, right = type(inner), inner.this, inner.expression
            f, value = _field_of(left, table), _literal(right)
            if f is None:
                f, value, op = _field_of(right, table), _literal(left), FLIP[op]
            if f is None or value is None:
                continue
            numeric = f[1] or isinstance(value, Decimal)
            value = _norm(value, numeric)
            s = state(f[0])
            if op is exp.EQ:
                s.eq = {value} if s.eq is None else s.eq & {value}
                if value == "":
                    s.empty = True
                else:
                    s.filled = True
            elif op is exp.NEQ:
                s.ne.add(value)
            elif numeric and isinstance(value, Decimal):
                _bound(s, op, value)
                s.filled = True
    return facts


def _bound(s: _State, op, value: Decimal) -> None:
    if op in (exp.GT, exp.GTE):
        new = (value, op is exp.GTE)
        if s.lo is None or new[0] > s.lo[0] or (new[0] == s.lo[0] and not new[1]):
            s.lo = new
    else:
        new = (value, op is exp.LTE)
        if s.hi is None or new[0] < s.hi[0] or (new[0] == s.hi[0] and not new[1]):
            s.hi = new


def _contradiction(tree: exp.Expression, table: TableSpec, catalog: Catalog) -> str | None:
    tree = _unparen(tree)
    if isinstance(tree, exp.Or):
        left, right = _contradiction(tree.this, table, catalog), _contradiction(tree.expression, table, catalog)
        return f"{left}; {right}" if left and right else None
    facts = _facts(_conjuncts(tree), table)
    for code, s in (facts or {}).items():
        spec_field = table.field(code)
        if s.empty and s.filled:
            return f"{code} must be both empty and filled"
        if s.eq is not None:
            allowed = {v for v in s.eq if v not in s.ne and _in_bounds(v, s)}
            if not allowed:
                return f"no value of {code} meets every condition on it"
            text = [v for v in allowed if isinstance(v, str) and v != ""]
            if text and len(text) == len(allowed) and not any(_fits(v, spec_field.format) for v in text):
                return f"{code} is compared with {', '.join(map(repr, sorted(text)))}, which format {spec_field.format.code} cannot hold"
        if s.lo and s.hi and (s.lo[0] > s.hi[0] or (s.lo[0] == s.hi[0] and not (s.lo[1] and s.hi[1]))):
            return f"{code} must be above {s.lo[0]} and below {s.hi[0]}"
    return None


def _in_bounds(value, s: _State) -> bool:
    if not isinstance(value, Decimal):
        return True
    if s.lo and (value < s.lo[0] or (value == s.lo[0] and not s.lo[1])):
        return False
    return not (s.hi and (value > s.hi[0] or (value == s.hi[0] and not s.hi[1])))


# --- identical checks

def _signature(rule: Rule, pack: RulePack) -> str | None:
    table = pack.catalog.tables.get(rule.table)
    kind = REGISTRY.get(rule.kind)
    if table is None or kind is None:
        return None
    ctx = CompileContext(pack.catalog, table)
    if kind.needs_params:
        ctx = ctx.with_params(**{p: "20240101" for p in kind.needs_params})
    try:
        check = kind.violation(rule, ctx) if kind.scope == "row" else kind.failures_sql(rule, ctx)
        return f"{rule.table}|{kind.scope}|{ctx.when_sql(rule)}|{check}"
    except (RuleError, ExpressionError, NotImplementedError, KeyError):
        return None


def _overlaps(pack: RulePack) -> list[Finding]:
    first: dict[str, Rule] = {}
    findings = []
    for rule in sorted(pack.rules, key=lambda r: (r.origin != "derived", r.source or "", r.id)):
        sig = _signature(rule, pack)
        if sig is None:
            continue
        other = first.setdefault(sig, rule)
        if other is not rule:
            file, line = _where(rule, pack)
            ofile, oline = _where(other, pack)
            findings.append(Finding(file, line, rule.id,
                                    f"overlaps rule {other.id} ({ofile}:{oline or 1}): the identical check"))
    return findings
