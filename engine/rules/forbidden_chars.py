"""forbidden_chars: a field must not contain any character of a set (特殊字符校验).

Named sets from the official rules are available (``charset: standard | account_name |
account_number | bank_name``); ``chars`` gives an explicit set. ``control`` is what no field of a
file may hold (FILE.CONTROL_CHARS): C0 and C1 control characters, and the invisible format
characters that make two values look alike or reorder what is shown (zero-width, bidi controls).
"""
from ..dialects.quoting import sql_quote
from .base import CompileContext, Rule, RuleError, RuleKind, filled
from .expect import Expectation, column, literal

# invisible characters no field may hold: C1 controls (U+0080-U+009F, e.g. U+0085 NEL), zero-width
# characters (U+200B-U+200D, U+2060, U+FEFF) and bidi controls (U+200E/U+200F, U+202A-U+202E,
# U+2066-U+2069). All are multi-byte in UTF-8, so a scan for control bytes does not see them.
INVISIBLE = ("".join(chr(c) for c in range(0x80, 0xA0)) + "\u200b\u200c\u200d\u200e\u200f"
             + "".join(chr(c) for c in range(0x202A, 0x202F)) + "\u2060" + "".join(chr(c) for c in range(0x2066, 0x206A))
             + "\ufeff")
STANDARD = "~!！@#$%^&[]{}><'‘’“”\\/?？=+￥、【】|."
CHARSETS = {
    "standard": STANDARD,
    "account_name": STANDARD + "《》",
    "account_number": STANDARD + " ·\t",
    "bank_name": "~!！#$%^[]{}><=￥【】",
    "control": "".join(chr(c) for c in range(0x20) if c != 1) + "\x7f" + INVISIBLE,
}


def char_class(chars: str) -> str:
    """An RE2 character class matching any of ``chars``; characters that do not print are written as
    code points, so the SQL shown to users never holds a bidi control that reorders it."""
    return "[" + "".join(_class_char(c) for c in dict.fromkeys(chars)) + "]"


def _class_char(c: str) -> str:
    if c in "\\]^-[":
        return "\\" + c
    if ord(c) < 0x20 or c == "\x7f":
        return f"\\x{ord(c):02x}"
    return c if c.isprintable() else f"\\x{{{ord(c):x}}}"


class ForbiddenChars(RuleKind):
    name = "forbidden_chars"
    category = "特殊字符"
    fires_on = "filled"
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

    def gx_expectations(self, rule: Rule, ctx: CompileContext) -> list[Expectation]:
        return [("expect_column_values_to_not_match_regex",
                 {"column": column(rule, ctx), "regex": "[" + literal("".join(dict.fromkeys(self._chars(rule)))) + "]"})]

    def messages(self, rule, ctx):
        f = ctx.field(rule.field)
        shown = self._chars(rule) if rule.params.get("charset") != "control" else "控制字符"
        return (f"{ctx.table.name}.{f.name}不包含特殊字符，其中特殊字符包括{shown}",
                f"{ctx.table.code}.{f.code} must not contain any of: {shown}")
