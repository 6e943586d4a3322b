"""required: the field must not be empty (NULL or empty string) — 为空校验."""
from ..spec import TableSpec
from .base import CompileContext, Rule, RuleKind, is_empty, with_value
from .expect import Expectation, column


class Required(RuleKind):
    name = "required"
    category = "为空"
    fires_on = "empty"

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        return is_empty(ctx.column(rule.field))

    def gx_expectations(self, rule: Rule, ctx: CompileContext) -> list[Expectation]:
        return [("expect_column_values_to_not_be_null", {"column": column(rule, ctx)})]

    def failing_rows(self, rule: Rule, table: TableSpec, clean: dict) -> list[dict]:
        return with_value(rule, table, clean, "")

    def messages(self, rule, ctx):
        f = ctx.field(rule.field)
        return f"{ctx.table.name}.{f.name}不允许为空", f"{ctx.table.code}.{f.code} must not be empty"
