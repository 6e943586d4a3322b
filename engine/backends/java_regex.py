"""Translate an RE2 pattern (what DuckDB runs) into a java.util.regex pattern (what Spark runs).

The two dialects agree on most syntax; where they differ the translation keeps RE2's meaning:
``$`` ends the text (Java's also matches before a final line break), ``.`` excludes only
``\\n`` (UNIX_LINES), ``\\s`` is RE2's ASCII set (no ``\\x0b``), script names such as
``\\p{Han}`` become ``\\p{IsHan}``, POSIX classes ``[:alpha:]`` become ``\\p{Alpha}``, and a
literal ``&&`` or ``[`` inside a class (set operations in Java) is escaped. RE2 features Java
lacks or reads differently (``\\C``, the ungreedy flag ``U``) raise ``UnsupportedPattern``.
"""
from __future__ import annotations

import re

GENERAL_CATEGORIES = {"L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
                      "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S", "Sm", "Sc", "Sk", "So",
                      "Z", "Zs", "Zl", "Zp", "C", "Cc", "Cf", "Cs", "Co", "Cn", "Any"}
POSIX = {"alnum": r"\p{Alnum}", "alpha": r"\p{Alpha}", "ascii": r"\p{ASCII}", "blank": r"\p{Blank}",
         "cntrl": r"\p{Cntrl}", "digit": r"\p{Digit}", "graph": r"\p{Graph}", "lower": r"\p{Lower}",
         "print": r"\p{Print}", "punct": r"\p{Punct}", "space": r"\s", "upper": r"\p{Upper}",
         "word": r"\w", "xdigit": r"\p{XDigit}"}
RE2_SPACE = r"\t\n\f\r "
FLAGS = re.compile(r"\(\?([imsU-]+)[:)]")


class UnsupportedPattern(ValueError):
    """The RE2 pattern uses a feature with no faithful java.util.regex equivalent."""


def _property(name: str, negated: bool) -> str:
    if name.startswith("^"):
        name, negated = name[1:], not negated
    java = name if name in GENERAL_CATEGORIES else "Is" + name
    return ("\\P{" if negated else "\\p{") + java + "}"


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    """Translate the escape starting at pattern[i] == '\\'; returns (java text, next index)."""
    if i + 1 >= len(pattern):
        raise UnsupportedPattern("trailing backslash")
    c = pattern[i + 1]
    if c in "pP":
        if i + 2 < len(pattern) and pattern[i + 2] == "{":
            end = pattern.index("}", i + 2)
            return _property(pattern[i + 3:end], c == "P"), end + 1
        return _property(pattern[i + 2], c == "P"), i + 3
    if c == "s":
        return (RE2_SPACE if in_class else f"[{RE2_SPACE}]"), i + 2
    if c == "S" and not in_class:
        return f"[^{RE2_SPACE}]", i + 2
    if c == "C":
        raise UnsupportedPattern("\\C (any byte) has no Java equivalent")
    if c == "Q":
        end = pattern.find("\\E", i + 2)
        end = len(pattern) if end < 0 else end
        return "\\Q" + pattern[i + 2:end] + "\\E", min(end + 2, len(pattern))
    return pattern[i:i + 2], i + 2


def to_java(pattern: str) -> str:
    """The Java pattern with RE2's meaning, for a search anywhere in the text (``find``)."""
    return "(?d)" + _translate(pattern)  # UNIX_LINES: only \n ends a line, as in RE2


def full_match(pattern: str) -> str:
    """Java pattern that matches only the whole text, as DuckDB's regexp_full_match."""
    return "(?d)^(?:" + _translate(pattern) + ")\\z"


def _translate(pattern: str) -> str:
    for flags in FLAGS.findall(pattern):
        if "U" in flags:
            raise UnsupportedPattern("the ungreedy flag U means something else in Java")
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            text, i = _escape(pattern, i, in_class)
            out.append(text)
            continue
        if in_class:
            if c == "[" and pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                name = pattern[i + 2:end] if end > 0 else ""
                negated = name.startswith("^")
                key = name[1:] if negated else name
                if key in POSIX:
                    java = POSIX[key]
                    out.append(java.replace("\\p", "\\P", 1) if negated and java.startswith("\\p")
                               else (java.upper() if negated else java))
                    i = end + 2
                    continue
            if c == "[":
                out.append("\\[")
            elif c == "&" and pattern.startswith("&&", i):
                out.append("&\\&")
                i += 2
                continue
            elif c == "]":
                in_class = False
                out.append(c)
            else:
                out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < len(pattern) and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < len(pattern) and pattern[i] == "]":  # a leading ] is literal in RE2
                out.append("\\]")
                i += 1
            continue
        if c == "$":
            out.append("\\z")
        elif c == "(" and pattern.startswith("(?P<", i):
            out.append("(?<")
            i += 4
            continue
        elif c == "(" and FLAGS.match(pattern, i) and "i" in FLAGS.match(pattern, i).group(1):
            m = FLAGS.match(pattern, i)
            out.append(m.group(0).replace("i", "iu", 1))  # RE2 folds case in Unicode
            i = m.end()
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


__all__ = ["UnsupportedPattern", "full_match", "to_java"]
