"""codelist: a non-empty field must take a value of a code list (字典值).

Supports the standard's ``其他-XX`` form (XX non-empty, bank-defined) where the list allows it,
extra ``prefix-XX`` forms (e.g. 第三方支付-XX), and ';'-separated multi-valued fields.
"""
from ..dialects.quoting import sql_quote
import itertools

from ..spec import Catalog, TableSpec
from .base import CompileContext, Rule, RuleError, RuleKind, filled, with_value
from .expect import Expectation, column, literal, match_regex
from .probe import fits


class CodeListRule(RuleKind):
    name = "codelist"
    category = "字典值"
    fires_on = "filled"
    params_schema = {
        "codelist": {"type": "string"},
        "values": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "other": {"type": "boolean"},
        "other_prefixes": {"type": "array", "items": {"type": "string"}},
        "multi": {"type": "boolean"},
    }

    def resolve(self, rule: Rule, ctx: CompileContext) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        """(values, X-XX prefixes, multi) for this rule, from params or the field's code list."""
        p = rule.params
        f = ctx.field(rule.field)
        name = p.get("codelist") or (None if "values" in p else f.codelist)
        if name:
            cl = ctx.catalog.codelists.get(name)
            if cl is None:
                raise RuleError(f"unknown code list '{name}'")
            values, other, prefixes = cl.values, cl.other, cl.other_prefixes
        elif "values" in p:
            values, other, prefixes = tuple(p["values"]), False, ()
        else:
            raise RuleError(f"field {f.code} has no code list; give 'codelist' or 'values'")
        other = p.get("other", other)
        prefixes = tuple(p.get("other_prefixes", prefixes)) + (("其他",) if other else ())
        return values, prefixes, p.get("multi", f.multi)

    def _bad_item(self, item: str, values, prefixes) -> str:
        allowed = f"{item} IN ({', '.join(sql_quote(v) for v in values)})"
        for prefix in prefixes:
            allowed += f" OR (starts_with({item}, {sql_quote(prefix + '-')}) AND length({item}) > {len(prefix) + 1})"
        return f"NOT ({allowed})"

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        values, prefixes, multi = self.resolve(rule, ctx)
        col = ctx.column(rule.field)
        if multi:
            check = f"len(list_filter(string_split({col}, ';'), lambda x: {self._bad_item('x', values, prefixes)})) > 0"
        else:
            check = self._bad_item(col, values, prefixes)
        return f"({filled(col)} AND {check})"

    def gx_expectations(self, rule: Rule, ctx: CompileContext) -> list[Expectation]:
        """A value set; a regex where ``X-XX`` forms or several values per field are allowed."""
        values, prefixes, multi = self.resolve(rule, ctx)
        col = column(rule, ctx)
        if not prefixes and not multi:
            return [("expect_column_values_to_be_in_set", {"column": col, "value_set": list(values)})]
        item = "|".join([literal(v) for v in values] + [f"{literal(p + '-')}.+" for p in prefixes])
        body = f"(?:{item})(?:;(?:{item}))*" if multi else f"(?:{item})"
        return match_regex(col, f"(?s)^{body}\\Z")

    def lint(self, rule: Rule, table: TableSpec, catalog: Catalog) -> list[str]:
        """A list none of whose codes (nor X-XX forms, nor pairs of a multi-value) fits the field's format."""
        spec_field = table.field(rule.field) if rule.field else None
        if spec_field is None:
            return []
        try:
            values, prefixes, multi = self.resolve(rule, CompileContext(catalog, table))
        except RuleError:
            return []
        candidates = list(values) + [f"{p}-X" for p in prefixes]
        if multi:
            candidates += [";".join(pair) for pair in itertools.islice(itertools.combinations(values, 2), 3)]
        if candidates and not any(fits(v, spec_field.format) for v in candidates):
            return [f"can never pass: no code of the list fits format {spec_field.format.code} of {spec_field.code}"]
        return []

    def failing_rows(self, rule: Rule, table: TableSpec, clean: dict) -> list[dict]:
        return with_value(rule, table, clean, "无此值")

    def messages(self, rule, ctx):
        values, prefixes, multi = self.resolve(rule, ctx)
        f = ctx.field(rule.field)
        listed = "，".join(values + tuple(f"{p}-XX" for p in prefixes))
        sep_zh, sep_en = ("（多值以;分隔）", " (several values separated by ';')") if multi else ("", "")
        return (f"{ctx.table.name}.{f.name}非空时应填{listed}{sep_zh}",
                f"{ctx.table.code}.{f.code}, when filled, must be one of: {listed}{sep_en}")
