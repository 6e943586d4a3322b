"""Translate an RE2 pattern (what DuckDB runs) into one that means the same in PostgreSQL's ARE
and in Python's ``re`` (what warehouses and Great Expectations run), or refuse.

Only a conservative subset is translated, so that the three engines agree on every string:
literals, escaped punctuation, character classes with ranges, ``\\d`` (ASCII digits), ``.``
(any character but ``\\n``, as in RE2), ``\\x{...}`` code points, groups, alternation and
bounded repetition (at most 255, PostgreSQL's limit). ``$`` becomes ``\\Z`` (Python's ``$``
also matches before a final line break). Locale- or Unicode-table dependent syntax — ``\\w``,
``\\s``, ``\\b``, ``\\p{Han}``, POSIX classes other than ``[:digit:]``, flags — is refused with
the reason: a check pushed to a warehouse must not change its meaning on the way.
"""
from __future__ import annotations

import re

MAX_REPEAT = 255
CONTROL_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
REPEAT = re.compile(r"\{(\d+)(,(\d*))?\}")
REFUSED = {"w": "\\w (word characters differ by engine)", "W": "\\W", "s": "\\s (white space differs by engine)",
           "S": "\\S", "b": "\\b (word boundaries differ by engine)", "B": "\\B", "p": "\\p{...} (Unicode classes)",
           "P": "\\P{...} (Unicode classes)", "Q": "\\Q...\\E", "E": "\\E", "C": "\\C", "z": "\\z", "A": "\\A"}


class NotPortable(ValueError):
    """The pattern uses syntax whose meaning differs between RE2, PostgreSQL and Python."""


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


def _code_point(pattern: str, i: int) -> tuple[str, int]:
    """``\\xHH`` or ``\\x{H...}`` at pattern[i] == '\\\\'; returns (the character, next index)."""
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
    return chr(value), nxt


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    """Translate the escape at pattern[i] == '\\\\' to portable text; returns (text, next index)."""
    if i + 1 >= len(pattern):
        raise NotPortable("trailing backslash")
    c = pattern[i + 1]
    if c == "d":
        return ("0-9" if in_class else "[0-9]"), i + 2
    if c == "D":
        if in_class:
            raise NotPortable("\\D inside a character class")
        return "[^0-9]", i + 2
    if c == "x":
        ch, nxt = _code_point(pattern, i)
        return char(ch), nxt
    if c in CONTROL_ESCAPES:
        return char(CONTROL_ESCAPES[c]), i + 2
    if c in REFUSED:
        raise NotPortable(f"{REFUSED[c]} is not portable")
    if c.isascii() and c.isalnum():
        raise NotPortable(f"escape \\{c} is not portable")
    return char(c), i + 2


def _class(pattern: str, i: int) -> tuple[str, int]:
    """Translate the character class starting at pattern[i] == '['; returns (text, next index)."""
    j = i + 1
    out = "["
    if pattern.startswith("^", j):
        out += "^"
        j += 1
    members = 0  # characters written so far: a '-' after one (and before a member) makes a range
    while j < len(pattern):
        c = pattern[j]
        if c == "]" and members:
            return out + "]", j + 1
        members += 1
        if pattern.startswith("[:", j):
            end = pattern.find(":]", j + 2)
            name = pattern[j + 2:end] if end > 0 else ""
            if name != "digit":
                raise NotPortable(f"POSIX class [:{name}:] is not portable")
            out += "0-9"
            j = end + 2
            continue
        if c == "[":
            out += "\\["
            j += 1
            continue
        if c == "\\":
            text, j = _escape(pattern, j, in_class=True)
            out += text
            continue
        if c == "-" and members > 1 and j + 1 < len(pattern) and pattern[j + 1] != "]":
            out += "-"  # a range; both ends were or will be written as single characters
            j += 1
            continue
        out += char(c)
        j += 1
    raise NotPortable("unterminated character class")


def _group_open(pattern: str, i: int) -> tuple[str, int]:
    """``(``, ``(?:``, ``(?P<name>`` and ``(?<name>`` (names dropped); flags are refused."""
    if not pattern.startswith("(?", i):
        return "(", i + 1
    if pattern.startswith("(?:", i):
        return "(?:", i + 3
    named = re.compile(r"\(\?P?<[A-Za-z_][A-Za-z0-9_]*>").match(pattern, i)
    if named:
        return "(", named.end()
    raise NotPortable("inline flags and lookaround are not portable")


def translate(pattern: str) -> str:
    """The portable form of an RE2 pattern (search semantics kept: anchors only where written)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            text, i = _escape(pattern, i, in_class=False)
        elif c == "[":
            text, i = _class(pattern, i)
        elif c == "(":
            text, i = _group_open(pattern, i)
        elif c in ")|*+?^":
            text, i = c, i + 1
        elif c == "$":
            text, i = "\\Z", i + 1
        elif c == ".":
            text, i = "[^\\n]", i + 1
        elif c == "{":
            m = REPEAT.match(pattern, i)
            if m and out:
                low, high = int(m[1]), m[3]
                if low > MAX_REPEAT or (high and int(high) > MAX_REPEAT):
                    raise NotPortable(f"repetition over {MAX_REPEAT}")
                if high and int(high) < low:
                    raise NotPortable("repetition bounds reversed")
                text, i = m[0], m.end()
            else:
                text, i = "\\{", i + 1
        else:
            text, i = char(c), i + 1
        out.append(text)
    result = "".join(out)
    try:
        re.compile(result)
    except re.error as exc:
        raise NotPortable(f"pattern does not compile after translation: {exc}") from None
    return result


def full_match(pattern: str) -> str:
    """A portable pattern matching exactly the strings RE2's full match of ``pattern`` accepts."""
    return f"^(?:{translate(pattern)})\\Z"


__all__ = ["NotPortable", "char", "full_match", "translate"]
