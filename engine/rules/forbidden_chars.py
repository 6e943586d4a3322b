"""forbidden_chars: a field must not contain any character of a set (特殊字符校验).

Named sets from the official rules are available (``charset: standard | account_name |
account_number | bank_name``); ``chars`` gives an explicit set.
"""
from ..formats import sql_quote
from .base import CompileContext, Rule, RuleError, RuleKind, filled

STANDARD = "~!！@#$%^&[]{}><'‘’“”\\/?？=+￥、【】|."
CHARSETS = {
    "standard": STANDARD,
    "account_name": STANDARD + "《》",
    "account_number": STANDARD + " ·\t",
    "bank_name": "~!！#$%^[]{}><=￥【】",
    "control": "".join(chr(c) for c in range(0x20) if c != 1) + "\x7f",
}


def char_class(chars: str) -> str:
    """An RE2 character class matching any of ``chars``."""
    escaped = "".join("\\" + c if c in "\\]^-[" else (f"\\x{ord(c):02x}" if ord(c) < 0x20 or c == "\x7f" else c)
                      for c in dict.fromkeys(chars))
    return f"[{escaped}]"


class ForbiddenChars(RuleKind):
    name = "forbidden_chars"
    category = "特殊字符"
    params_schema = {"chars": {"type": "string", "minLength": 1}, "charset": {"enum": sorted(CHARSETS)}}

    def _chars(self, rule: Rule) -> str:
        p = rule.params
        if "chars" in p:
            return p["chars"]
        return CHARSETS[p.get("charset", "standard")]

    def violation(self, rule: Rule, ctx: CompileContext) -> str:
        col = ctx.column(rule.field)
        chars = self._chars(rule)
        if not chars:
            raise RuleError("forbidden_chars needs a non-empty 'chars'")
        return f"({filled(col)} AND regexp_matches({col}, {sql_quote(char_class(chars))}))"

    def messages(self, rule, ctx):
        f = ctx.field(rule.field)
        shown = self._chars(rule) if rule.params.get("charset") != "control" else "控制字符"
        return (f"{ctx.table.name}.{f.name}不包含特殊字符，其中特殊字符包括{shown}",
                f"{ctx.table.code}.{f.code} must not contain any of: {shown}")
