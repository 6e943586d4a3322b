"""identifier: a non-empty field must be a valid identifier of the given type.

Types and the standards they follow are in engine/identifiers.py (check digits for ID numbers,
USCC, organisation codes, LEI and bank cards; shipped lists for divisions, currencies,
countries and industries). Empty values pass: the ``required`` kind judges those.
"""
from ..identifiers import IDENTIFIERS
from .base import CompileContext, Rule, RuleKind, filled


class IdentifierRule(RuleKind):
    name = "identifier"
    category = "其他"
    params_schema = {"type": {"enum": list(IDENTIFIERS)}}
    required_params = ("type",)

    def default_category(self, rule: Rule, ctx: CompileContext) -> str:
        return IDENTIFIERS[rule.params["type"]].category

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        col = ctx.column(rule.field)
        return f"({filled(col)} AND NOT coalesce({IDENTIFIERS[rule.params['type']].macro}({col}), FALSE))"

    def messages(self, rule: Rule, ctx: CompileContext) -> tuple[str, str]:
        ident = IDENTIFIERS[rule.params["type"]]
        f = ctx.field(rule.field)
        return (f"{ctx.table.name}.{f.name}不是有效的{ident.zh}（{ident.standard}）",
                f"{ctx.table.code}.{f.code} is not a valid {ident.en} ({ident.standard})")
