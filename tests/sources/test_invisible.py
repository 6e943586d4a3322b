"""Invisible characters found in raw bytes: each of them, wherever a chunk boundary falls, and
nothing else (Chinese punctuation shares their first byte)."""
import pytest

from engine.rules.forbidden_chars import INVISIBLE
from engine.sources.invisible import InvisibleBytes, holds_invisible
from engine.sources.load import ByteClasses

TEXT = "张三\x01“备注”——…\x01100.00\n".encode()


@pytest.mark.parametrize("char", list(INVISIBLE))
def test_every_invisible_character_is_found_and_only_it(char):
    assert holds_invisible(TEXT + f"a{char}b".encode() + TEXT)
    assert not holds_invisible(TEXT + "ab".encode() + TEXT)


@pytest.mark.parametrize("cut", [1, 2])
def test_a_character_split_between_chunks_is_found(cut):
    data = TEXT * 3 + "\u200b".encode() + TEXT
    at = len(TEXT) * 3 + cut
    found = InvisibleBytes()
    assert [found.add(data[:at], True), found.add(data[at:], False)] == [False, True]


def test_a_byte_order_mark_is_one_only_inside_the_file():
    assert not InvisibleBytes().add(b"\xef\xbb\xbf" + TEXT, True)
    later = InvisibleBytes()
    assert [later.add(TEXT, True), later.add(b"\xef\xbb\xbf" + TEXT, True)] == [False, True]


def test_byte_classes_name_what_the_read_must_look_for():
    def classes(*chunks: bytes) -> tuple[bool, bool, bool]:
        found = ByteClasses()
        for chunk in chunks:
            found.add(chunk)
        return found.cr_nul, found.control, found.marks
    assert classes(TEXT, TEXT) == (False, False, False)
    assert classes(TEXT, b'a"b\n') == (False, False, True)
    assert classes(TEXT, "a\u0085b".encode()) == (False, False, True)
    assert classes(TEXT, b"a\x02b\n") == (False, True, False)
    assert classes(b"a\rb\n", TEXT) == (True, False, False)


@pytest.mark.parametrize("byte", range(256))
def test_byte_classes_sort_every_byte_value(byte):
    """Each of the 256 byte values, alone between clean text, lands in the class the read needs:
    CR and NUL a cleaned copy, the other C0 controls and DEL their fields named, a double quote
    marks; 0x01 (the delimiter), LF and every other byte nothing (a lone first byte of an
    invisible character is not one)."""
    found = ByteClasses()
    found.add(TEXT + b"a" + bytes([byte]) + b"b" + TEXT)
    expected = (byte in (0x00, 0x0D),
                (byte < 0x20 and byte not in (0x00, 0x01, 0x0A, 0x0D)) or byte == 0x7F,
                byte == 0x22)
    assert (found.cr_nul, found.control, found.marks) == expected
