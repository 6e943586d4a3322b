"""required: the field must not be empty (NULL or empty string) — 为空校验."""
from .base import CompileContext, Rule, RuleKind, is_empty


class Required(RuleKind):
    name = "required"
    category = "为空"

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        return is_empty(ctx.column(rule.field))

    def messages(self, rule, ctx):
        f = ctx.field(rule.field)
        return f"{ctx.table.name}.{f.name}不允许为空", f"{ctx.table.code}.{f.code} must not be empty"
