"""codelist: a non-empty field must take a value of a code list (字典值).

Supports the standard's ``其他-XX`` form (XX non-empty, bank-defined) where the list allows it,
extra ``prefix-XX`` forms (e.g. 第三方支付-XX), and ';'-separated multi-valued fields.
"""
from ..dialects.quoting import sql_quote
from .base import CompileContext, Rule, RuleError, RuleKind, filled


class CodeListRule(RuleKind):
    name = "codelist"
    category = "字典值"
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

    def messages(self, rule, ctx):
        values, prefixes, multi = self.resolve(rule, ctx)
        f = ctx.field(rule.field)
        listed = "，".join(values + tuple(f"{p}-XX" for p in prefixes))
        sep_zh, sep_en = ("（多值以;分隔）", " (several values separated by ';')") if multi else ("", "")
        return (f"{ctx.table.name}.{f.name}非空时应填{listed}{sep_zh}",
                f"{ctx.table.code}.{f.code}, when filled, must be one of: {listed}{sep_en}")
