"""engine.dialects.regex: one RE2 scanner, two targets. The portable form must mean in Python
(and PostgreSQL, tests/sources/test_warehouse.py) what the pattern means in DuckDB's RE2; the
Java form keeps RE2's meaning where java.util.regex reads the same text differently."""
from __future__ import annotations

import re

import duckdb
import pytest

from engine.dialects.regex import JAVA, PORTABLE, NotPortable, char, java_full_match, java_search, portable_full_match

TEXTS = ["", "a", "a\nb", "abc", "123", "12a", "1\n", "\n", "a.b", "ab\nc", "名称", "０１", "x{2}", "a-b", "[", "]", "$", "^a",
         "a&&b", "\t", "AbC", "__", "2024-06-30", "1" * 300]
PATTERNS = [r"\d+", r"[0-9]{3}", r"a.b", r"a$", r"^a", r"(a|b)c", r"[^0-9]+", r"[\d-]+", r"[a-]", r"[]a]", r"\x{540d}称",
            r"\x41", r"x\{2\}", r"(?:ab)+", r"(?P<n>a)b", r"[[:digit:]]+", r"\D", r"a{2,}", r"\.", r"[.]", r"\t", r"1{300}"]


def duckdb_full(con, pattern: str, text: str) -> bool:
    return con.execute("SELECT regexp_full_match(?, ?)", [text, pattern]).fetchone()[0]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_portable_full_match_means_what_re2_means(pattern):
    con = duckdb.connect()
    try:
        translated = portable_full_match(pattern)
    except NotPortable:
        assert pattern == r"1{300}"  # over PostgreSQL's repetition limit
        return
    for text in TEXTS:
        assert bool(re.search(translated, text)) == duckdb_full(con, pattern, text), (pattern, translated, text)


@pytest.mark.parametrize("pattern, reason", [
    (r"\w+", "word characters"), (r"\s", "white space"), (r"\bx", "word boundaries"), (r"\p{Han}", "Unicode"),
    (r"[[:alpha:]]", "POSIX class"), (r"(?i)a", "inline flags"), (r"(?=a)", "lookaround"), (r"a{3,2}", "reversed"),
    (r"[\D]", "inside a character class"), (r"[abc", "unterminated"), ("\\", "trailing backslash"), (r"\x4", "bad \\x"),
    (r"\x{110000}", "out of range"), (r"\q", "escape \\q"),
])
def test_portable_refuses_with_the_reason(pattern, reason):
    with pytest.raises(NotPortable, match=re.escape(reason)):
        portable_full_match(pattern)


@pytest.mark.parametrize("pattern, java", [
    (r"a$", r"(?d)^(?:a\z)\z"),
    (r"\s", r"(?d)^(?:[\t\n\f\r ])\z"),  # RE2's ASCII set: no \x0b
    (r"[\s]", r"(?d)^(?:[\t\n\f\r ])\z"),
    (r"\S", r"(?d)^(?:[^\t\n\f\r ])\z"),
    (r"\p{Han}", r"(?d)^(?:\p{IsHan})\z"),
    (r"\pL\P{^Lu}", r"(?d)^(?:\p{L}\p{Lu})\z"),
    (r"[[:alpha:]][[:^alpha:]][[:^space:]]", r"(?d)^(?:[\p{Alpha}][\P{Alpha}][\S])\z"),
    (r"[a&&b]", r"(?d)^(?:[a&\&b])\z"),
    (r"[]a[]", r"(?d)^(?:[\]a\[])\z"),
    (r"(?P<n>a)", r"(?d)^(?:(?<n>a))\z"),
    (r"(?i)abc", r"(?d)^(?:(?iu)abc)\z"),  # RE2 folds case in Unicode
    (r"\Qa.b", r"(?d)^(?:\Qa.b\E)\z"),
    (r"x{2}.", r"(?d)^(?:x{2}.)\z"),
])
def test_java_full_match(pattern, java):
    assert java_full_match(pattern) == java


def test_java_search_keeps_search_semantics():
    assert java_search(r"\d+$") == r"(?d)\d+\z"


@pytest.mark.parametrize("pattern, reason", [(r"\C", "any byte"), (r"(?U)a+", "ungreedy"), ("a\\", "trailing")])
def test_java_refuses_with_the_reason(pattern, reason):
    with pytest.raises(NotPortable, match=reason):
        java_full_match(pattern)


def test_the_targets_differ_only_in_their_tables():
    """Same scanner: where both accept, they split the pattern at the same places."""
    assert (PORTABLE.search(r"(a|b)[0-9]+"), JAVA.search(r"(a|b)[0-9]+")) == (r"(a|b)[0-9]+", r"(?d)(a|b)[0-9]+")
    assert (PORTABLE.dot, JAVA.dot) == ("[^\\n]", ".")


@pytest.mark.parametrize("c, written", [("a", "a"), (".", "\\."), (" ", " "), ("\x85", "\\u0085"), ("名", "名"),
                                        ("😀", "\\U0001f600"), ("\x00", "\\u0000")])
def test_char_writes_one_literal_character(c, written):
    assert char(c) == written
    assert re.fullmatch(written, c)
