"""reconcile: two-sided reconciliation of a debt-side table against a creditor/registry table.

The rule's ``table`` is the debt side; ``against`` names the other side. Records are matched on
normalised keys, compared field by field with per-field tolerances and every group of records
sharing a key is classified (一致, 错报, 少报, 多报, 漏报, 瞒报, 一对多 …; see classes.py
beside this module). ``jianhe validate`` reports every record of a non-matched group — from
either side's file — with the class and the differing fields as its value; ``jianhe reconcile``
(engine/reconcile/) runs the same SQL (sql.py) and gives the detailed, routed report.
Parameters: config.py.
"""
from ..base import CompileContext, Rule, RuleKind
from .config import PARAMS_SCHEMA, REQUIRED_PARAMS, resolve
from .sql import current_relations, failures_sql


class Reconcile(RuleKind):
    name = "reconcile"
    scope = "set"
    category = "关联"
    needs_field = False
    params_schema = PARAMS_SCHEMA
    required_params = REQUIRED_PARAMS

    def tables_needed(self, rule: Rule) -> set[str]:
        needed = {rule.table, rule.params["against"]["table"]}
        return needed | ({rule.params["units"]["table"]} if "units" in rule.params else set())

    def failures_sql(self, rule: Rule, ctx: CompileContext) -> str:
        cfg = resolve(rule, ctx.catalog, ctx.table)
        return failures_sql(cfg, current_relations(cfg), (ctx.key_sql(cfg.left), ctx.key_sql(cfg.right)))

    def messages(self, rule: Rule, ctx: CompileContext) -> tuple[str, str]:
        other = ctx.catalog.table(rule.params["against"]["table"])
        return (f"{ctx.table.name}与{other.name}对账应一致（错报、少报、多报、漏报、瞒报、匹配异常）",
                f"{ctx.table.code} must reconcile with {other.code} (mis-, under-, over-reported, omitted, "
                f"concealed, ambiguous matches)")
