"""not_default: the field must not hold its 'not applicable' default (99991231, 999912, 000000, 0)."""
from ..dialects.quoting import sql_quote
from .base import CompileContext, NotExpressible, Rule, RuleError, RuleKind
from .expect import Expectation


class NotDefault(RuleKind):
    name = "not_default"
    category = "默认值"
    fires_on = "filled"
    params_schema = {"default": {"type": "string"}}

    def _default(self, rule: Rule, ctx: CompileContext) -> str:
        fmt = ctx.field(rule.field).format
        default = rule.params.get("default", fmt.default)
        if default is None:
            raise RuleError(f"field {rule.field} (format {fmt.code}) has no default; give 'default'")
        return default

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        col = ctx.column(rule.field)
        default = self._default(rule, ctx)
        if ctx.field(rule.field).format.is_numeric and "default" not in rule.params:
            return f"(TRY_CAST({col} AS DECIMAL(38, 10)) = 0)"
        return f"({col} = {sql_quote(default)})"

    def gx_expectations(self, rule: Rule, ctx: CompileContext) -> list[Expectation]:
        f = ctx.field(rule.field)
        if f.format.is_numeric and "default" not in rule.params:
            raise NotExpressible("the numeric default 0 is any text that reads as zero")
        return [("expect_column_values_to_not_be_in_set", {"column": f.code, "value_set": [self._default(rule, ctx)]})]

    def messages(self, rule, ctx):
        f, d = ctx.field(rule.field), self._default(rule, ctx)
        return f"{ctx.table.name}.{f.name}不允许为{d}", f"{ctx.table.code}.{f.code} must not be the default {d}"
