"""length: a non-empty field's length must be one of the given lengths or within [min, max].

``unit: chars`` (default) counts characters; ``unit: bytes`` counts UTF-8 bytes.
"""
from ..spec import Catalog, TableSpec
from .base import CompileContext, NotExpressible, Rule, RuleError, RuleKind, filled, with_value
from .expect import Expectation, column, match_regex


class Length(RuleKind):
    name = "length"
    category = "长度"
    fires_on = "filled"
    params_schema = {
        "lengths": {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 1},
        "min": {"type": "integer", "minimum": 0},
        "max": {"type": "integer", "minimum": 0},
        "unit": {"enum": ["chars", "bytes"]},
    }

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        p = rule.params
        col = ctx.column(rule.field)
        size = f"{'strlen' if p.get('unit') == 'bytes' else 'length'}({col})"
        if "lengths" in p:
            bad = f"{size} NOT IN ({', '.join(str(int(n)) for n in p['lengths'])})"
        elif "min" in p or "max" in p:
            parts = ([f"{size} < {int(p['min'])}"] if "min" in p else []) + ([f"{size} > {int(p['max'])}"] if "max" in p else [])
            bad = " OR ".join(parts)
        else:
            raise RuleError("length rule needs 'lengths' or 'min'/'max'")
        return f"({filled(col)} AND ({bad}))"

    def gx_expectations(self, rule: Rule, ctx: CompileContext) -> list[Expectation]:
        p = rule.params
        col = column(rule, ctx)
        if p.get("unit") == "bytes":
            raise NotExpressible("counts UTF-8 bytes; GX counts characters")
        if "lengths" in p:
            alternatives = "|".join(f".{{{int(n)}}}" for n in p["lengths"])
            return match_regex(col, f"(?s)^(?:{alternatives})\\Z")
        kwargs = {"column": col}
        if "min" in p:
            kwargs["min_value"] = int(p["min"])
        if "max" in p:
            kwargs["max_value"] = int(p["max"])
        return [("expect_column_value_lengths_to_be_between", kwargs)]

    def lint(self, rule: Rule, table: TableSpec, catalog: Catalog) -> list[str]:
        p = rule.params
        if "min" in p and "max" in p and p["min"] > p["max"]:
            return [f"length can never be met: min {p['min']} > max {p['max']}"]
        return []

    def failing_rows(self, rule: Rule, table: TableSpec, clean: dict) -> list[dict] | None:
        """Too short (against 'min'), else too long (against 'max')."""
        p = rule.params
        if "min" in p:
            return with_value(rule, table, clean, "short")
        if "max" in p:
            return with_value(rule, table, clean, "四个字符"[: p["max"] + 1] + "字" * 3)
        return None

    def messages(self, rule, ctx):
        f, p = ctx.field(rule.field), rule.params
        want = ("或".join(map(str, p["lengths"])) if "lengths" in p
                else f"{p.get('min', 0)}..{p.get('max', '∞')}")
        unit_zh, unit_en = ("字节", "bytes") if p.get("unit") == "bytes" else ("字符", "characters")
        return (f"{ctx.table.name}.{f.name}非空时长度应为{want}{unit_zh}",
                f"{ctx.table.code}.{f.code}, when filled, must have length {want.replace('或', ' or ')} {unit_en}")
