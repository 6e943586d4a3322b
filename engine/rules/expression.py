"""expression: a restricted boolean expression that must hold on every row (see engine.expr).

An expression that evaluates to NULL (e.g. num() of a non-number) counts as passing; use
``when`` or a format rule to judge such values explicitly.
"""
from ..expr import compile_expression
from .base import CompileContext, Rule, RuleKind


class Expression(RuleKind):
    name = "expression"
    gx_unsupported = "a jianhe expression (helpers, typed arithmetic) has no GX expectation"
    category = "其他"
    needs_field = False
    params_schema = {"expr": {"type": "string", "minLength": 1}}
    required_params = ("expr",)

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        return f"NOT coalesce({compile_expression(rule.params['expr'], ctx.table).sql}, TRUE)"

    def evidence(self, rule: Rule, ctx: CompileContext) -> str:
        fields = compile_expression(rule.params["expr"], ctx.table).fields
        return ctx.values(list(fields)) if fields else "NULL"

    def messages(self, rule, ctx):
        return (f"{ctx.table.name}应满足：{rule.params['expr']}", f"{ctx.table.code} must satisfy: {rule.params['expr']}")
