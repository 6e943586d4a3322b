"""Translate an RE2 pattern (what DuckDB runs) into a pattern with the same meaning in another
regex dialect, or refuse: one scanner over RE2's syntax, and per target a table of what each
piece becomes (``RegexTarget``).

Two targets:

- ``PORTABLE``: one text that PostgreSQL's ARE and Python's ``re`` read alike (warehouse
  push-down, Great Expectations). Only a conservative subset is translated, so that the three
  engines agree on every string: literals, escaped punctuation, character classes with ranges,
  ``\\d`` (ASCII digits), ``.`` (any character but ``\\n``, as in RE2), ``\\x{...}`` code points,
  groups, alternation and bounded repetition (at most 255, PostgreSQL's limit). ``$`` becomes
  ``\\Z`` (Python's ``$`` also matches before a final line break). Locale- or Unicode-table
  dependent syntax — ``\\w``, ``\\s``, ``\\b``, ``\\p{Han}``, POSIX classes other than
  ``[:digit:]``, flags — is refused with the reason.
- ``JAVA``: java.util.regex (Spark). The two agree on most syntax; where they differ RE2's
  meaning is kept: ``$`` ends the text, ``.`` excludes only ``\\n`` (UNIX_LINES), ``\\s`` is
  RE2's ASCII set (no ``\\x0b``), ``\\p{Han}`` becomes ``\\p{IsHan}``, ``[:alpha:]`` becomes
  ``\\p{Alpha}``, a literal ``&&`` or ``[`` inside a class is escaped. ``\\C`` and the ungreedy
  flag ``U`` are refused.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

Piece = tuple[str, int]  # (translated text, index after what was read)


class NotPortable(ValueError):
    """The pattern uses syntax whose meaning the target regex dialect does not share."""


# --- the portable target (PostgreSQL ARE and Python re) -----------------------------------------

MAX_REPEAT = 255
CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
REFUSED = {"w": "\\w (word characters differ by engine)", "W": "\\W", "s": "\\s (white space differs by engine)",
           "S": "\\S", "b": "\\b (word boundaries differ by engine)", "B": "\\B", "p": "\\p{...} (Unicode classes)",
           "P": "\\P{...} (Unicode classes)", "Q": "\\Q...\\E", "E": "\\E", "C": "\\C", "z": "\\z", "A": "\\A"}
NAMED_GROUP = re.compile(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>")


def char(c: str) -> str:
    """One literal character, written so that PostgreSQL and Python read it the same way."""
    code = ord(c)
    if c.isascii() and c.isalnum():
        return c
    if code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0:
        return f"\\u{code:04x}"
    if c.isascii():
        return " " if c == " " else "\\" + c
    if code > 0xFFFF:
        return f"\\U{code:08x}"
    return c


def _code_point(pattern: str, i: int) -> Piece:
    """``\\xHH`` or ``\\x{H...}`` at pattern[i] == '\\\\', as one portable character."""
    if pattern.startswith("{", i + 2):
        end = pattern.find("}", i + 3)
        digits = pattern[i + 3:end] if end > 0 else ""
        if not re.fullmatch(r"[0-9A-Fa-f]{1,6}", digits):
            raise NotPortable(f"bad code point escape at {i + 1}")
        value, nxt = int(digits, 16), end + 1
    else:
        digits = pattern[i + 2:i + 4]
        if not re.fullmatch(r"[0-9A-Fa-f]{2}", digits):
            raise NotPortable(f"bad \\x escape at {i + 1}")
        value, nxt = int(digits, 16), i + 4
    if value > 0x10FFFF or 0xD800 <= value <= 0xDFFF:
        raise NotPortable(f"code point {value:x} out of range")
    return char(chr(value)), nxt


def _not_digit(pattern: str, i: int, in_class: bool) -> Piece:
    if in_class:
        raise NotPortable("\\D inside a character class")
    return "[^0-9]", i + 2


def _portable_other(pattern: str, i: int, in_class: bool) -> Piece:
    c = pattern[i + 1]
    if c in CONTROL_ESCAPES:
        return char(CONTROL_ESCAPES[c]), i + 2
    if c in REFUSED:
        raise NotPortable(f"{REFUSED[c]} is not portable")
    if c.isascii() and c.isalnum():
        raise NotPortable(f"escape \\{c} is not portable")
    return char(c), i + 2


def _portable_group(pattern: str, i: int) -> Piece:
    """``(``, ``(?:``, ``(?P<name>`` and ``(?<name>`` (names dropped); flags are refused."""
    if not pattern.startswith("(?", i):
        return "(", i + 1
    if pattern.startswith("(?:", i):
        return "(?:", i + 3
    named = NAMED_GROUP.match(pattern, i)
    if named:
        return "(", named.end()
    raise NotPortable("inline flags and lookaround are not portable")


def _bounded_repeat(pattern: str, i: int, after_something: bool) -> Piece:
    m = REPEAT.match(pattern, i)
    if not (m and after_something):
        return "\\{", i + 1
    low, high = int(m[1]), m[3]
    if low > MAX_REPEAT or (high and int(high) > MAX_REPEAT):
        raise NotPortable(f"repetition over {MAX_REPEAT}")
    if high and int(high) < low:
        raise NotPortable("repetition bounds reversed")
    return m[0], m.end()


def _compiles(result: str) -> None:
    try:
        re.compile(result)
    except re.error as exc:
        raise NotPortable(f"pattern does not compile after translation: {exc}") from None


def _portable_posix(name: str) -> str | None:
    if name != "digit":
        raise NotPortable(f"POSIX class [:{name}:] is not portable")
    return "0-9"


def _unterminated(text: str) -> str:
    raise NotPortable("unterminated character class")


# --- the Java target (Spark) --------------------------------------------------------------------

GENERAL_CATEGORIES = {"L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
                      "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So",
                      "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co", "Cn", "Any"}
POSIX = {"alnum": r"\p{Alnum}", "alpha": r"\p{Alpha}", "ascii": r"\p{ASCII}", "blank": r"\p{Blank}",
         "cntrl": r"\p{Cntrl}", "digit": r"\p{Digit}", "graph": r"\p{Graph}", "lower": r"\p{Lower}",
         "print": r"\p{Print}", "punct": r"\p{Punct}", "space": r"\s", "upper": r"\p{Upper}",
         "word": r"\w", "xdigit": r"\p{XDigit}"}
RE2_SPACE = r"\t\n\f\r "
FLAGS = re.compile(r"\(\?([imsU-]+)[:)]")


def _property(pattern: str, i: int, in_class: bool) -> Piece:
    """``\\pL``, ``\\p{Han}``, ``\\P{^Lu}``: Java names scripts ``IsHan``."""
    negated = pattern[i + 1] == "P"
    if i + 2 < len(pattern) and pattern[i + 2] == "{":
        end = pattern.index("}", i + 2)
        name, nxt = pattern[i + 3:end], end + 1
    else:
        name, nxt = pattern[i + 2], i + 3
    if name.startswith("^"):
        name, negated = name[1:], not negated
    java = name if name in GENERAL_CATEGORIES else "Is" + name
    return ("\\P{" if negated else "\\p{") + java + "}", nxt


def _space(pattern: str, i: int, in_class: bool) -> Piece:
    return (RE2_SPACE if in_class else f"[{RE2_SPACE}]"), i + 2


def _not_space(pattern: str, i: int, in_class: bool) -> Piece:
    return (pattern[i:i + 2] if in_class else f"[^{RE2_SPACE}]"), i + 2


def _quoted(pattern: str, i: int, in_class: bool) -> Piece:
    end = pattern.find("\\E", i + 2)
    end = len(pattern) if end < 0 else end
    return "\\Q" + pattern[i + 2:end] + "\\E", min(end + 2, len(pattern))


def _java_other(pattern: str, i: int, in_class: bool) -> Piece:
    return pattern[i:i + 2], i + 2


def _java_group(pattern: str, i: int) -> Piece:
    """Python-style names become Java's; RE2's case folding is Unicode, Java's needs ``u``."""
    if pattern.startswith("(?P<", i):
        return "(?<", i + 4
    m = FLAGS.match(pattern, i)
    if m and "i" in m.group(1):
        return m.group(0).replace("i", "iu", 1), m.end()
    return "(", i + 1


def _java_posix(name: str) -> str | None:
    negated = name.startswith("^")
    java = POSIX.get(name[1:] if negated else name)
    if java is None or not negated:
        return java
    return java.replace("\\p", "\\P", 1) if java.startswith("\\p") else java.upper()


def _java_flags(pattern: str) -> None:
    for flags in FLAGS.findall(pattern):
        if "U" in flags:
            raise NotPortable("the ungreedy flag U means something else in Java")


# --- one scanner --------------------------------------------------------------------------------

Escape = Callable[[str, int, bool], Piece]


def _refuse(reason: str) -> Escape:
    def refuse(pattern: str, i: int, in_class: bool) -> Piece:
        raise NotPortable(reason)
    return refuse


@dataclass(frozen=True)
class RegexTarget:
    """What each piece of an RE2 pattern becomes in one regex dialect."""

    name: str
    search_form: str  # the translation, for a search anywhere in the text
    full_form: str  # the translation, matching the whole text only
    dot: str
    dollar: str
    escapes: dict[str, Escape]  # by the character after the backslash
    other_escape: Escape
    literal: Callable[[str], str]
    group: Callable[[str, int], Piece]
    repeat: Callable[[str, int, bool], Piece]
    posix: Callable[[str], str | None]  # a [:name:] inside a class; None: read '[' as a literal
    class_and: str | None  # what '&&' inside a class becomes (None: two literals)
    unterminated: Callable[[str], str]  # what an open class at the end becomes
    before: Callable[[str], None] = lambda pattern: None  # refusals on the whole pattern
    after: Callable[[str], None] = lambda result: None  # checks on the translation

    def search(self, pattern: str) -> str:
        """The pattern with RE2's search meaning (anchors only where written)."""
        return self.search_form.format(self.translate(pattern))

    def full_match(self, pattern: str) -> str:
        """A pattern matching exactly the texts RE2's full match of ``pattern`` accepts."""
        return self.full_form.format(self.translate(pattern))

    def translate(self, pattern: str) -> str:
        self.before(pattern)
        out: list[str] = []
        i = 0
        while i < len(pattern):
            text, i = self._piece(pattern, i, bool(out))
            out.append(text)
        result = "".join(out)
        self.after(result)
        return result

    def _piece(self, pattern: str, i: int, after_something: bool) -> Piece:
        c = pattern[i]
        if c == "\\":
            return self.escape(pattern, i, in_class=False)
        if c == "[":
            return self._class(pattern, i)
        if c == "(":
            return self.group(pattern, i)
        if c == "{":
            return self.repeat(pattern, i, after_something)
        if c in ")|*+?^":
            return c, i + 1
        if c == "$":
            return self.dollar, i + 1
        if c == ".":
            return self.dot, i + 1
        return self.literal(c), i + 1

    def escape(self, pattern: str, i: int, in_class: bool) -> Piece:
        """The escape at pattern[i] == '\\\\'."""
        if i + 1 >= len(pattern):
            raise NotPortable("trailing backslash")
        return self.escapes.get(pattern[i + 1], self.other_escape)(pattern, i, in_class)

    def _class(self, pattern: str, i: int) -> Piece:
        """The character class starting at pattern[i] == '['."""
        j, out = i + 1, "["
        if pattern.startswith("^", j):
            out, j = out + "^", j + 1
        members = 0  # a ']' first is a member; a '-' after one (and before a member) makes a range
        while j < len(pattern):
            c = pattern[j]
            if c == "]" and members:
                return out + "]", j + 1
            members += 1
            text, j = self._member(pattern, j, members)
            out += text
        return self.unterminated(out), j

    def _member(self, pattern: str, j: int, members: int) -> Piece:
        c = pattern[j]
        if pattern.startswith("[:", j):
            end = pattern.find(":]", j + 2)
            text = self.posix(pattern[j + 2:end] if end > 0 else "")
            if text is not None:
                return text, end + 2
        if c == "[":
            return "\\[", j + 1
        if c == "]":
            return "\\]", j + 1
        if c == "\\":
            return self.escape(pattern, j, in_class=True)
        if c == "&" and self.class_and is not None and pattern.startswith("&&", j):
            return self.class_and, j + 2
        if c == "-" and members > 1 and j + 1 < len(pattern) and pattern[j + 1] != "]":
            return "-", j + 1
        return self.literal(c), j + 1


PORTABLE = RegexTarget(
    name="PostgreSQL/Python", search_form="{}", full_form="^(?:{})\\Z", dot="[^\\n]", dollar="\\Z",
    escapes={"d": lambda p, i, in_class: ("0-9" if in_class else "[0-9]", i + 2), "D": _not_digit,
             "x": lambda p, i, in_class: _code_point(p, i)},
    other_escape=_portable_other, literal=char, group=_portable_group, repeat=_bounded_repeat,
    posix=_portable_posix, class_and=None, unterminated=_unterminated, after=_compiles)

JAVA = RegexTarget(
    name="Java", search_form="(?d){}", full_form="(?d)^(?:{})\\z", dot=".", dollar="\\z",  # (?d): only \n ends a line
    escapes={"p": _property, "P": _property, "s": _space, "S": _not_space, "Q": _quoted,
             "C": _refuse("\\C (any byte) has no Java equivalent")},
    other_escape=_java_other, literal=lambda c: c, group=_java_group,
    repeat=lambda p, i, after_something: ("{", i + 1), posix=_java_posix, class_and="&\\&",
    unterminated=lambda text: text, before=_java_flags)

portable_search = PORTABLE.search
portable_full_match = PORTABLE.full_match
java_search = JAVA.search
java_full_match = JAVA.full_match

__all__ = ["JAVA", "PORTABLE", "NotPortable", "RegexTarget", "char", "java_full_match", "java_search",
           "portable_full_match", "portable_search"]
