"""The invisible characters no field may hold (``forbidden_chars.INVISIBLE``: C1 controls,
zero-width and bidi controls), found in raw UTF-8 bytes. Each is two or three bytes long, and its
first byte (0xC2, 0xE2 or 0xEF) is rare in bank data but not absent (Chinese quotation marks and
dashes begin with 0xE2): a chunk holding one of those bytes is looked at exactly, every sequence
at once (numpy), so that such punctuation costs no second read of the file."""
from __future__ import annotations

import numpy as np

from ..rules.forbidden_chars import INVISIBLE

_ENCODED = [c.encode("utf-8") for c in INVISIBLE]
LEADS = frozenset(e[0] for e in _ENCODED)
# per first byte: the sequence's length (the same for every character it starts) and the
# continuation bytes of the invisible ones, as big-endian integers
_SEQUENCES = {lead: (len(next(e for e in _ENCODED if e[0] == lead)),
                     np.array(sorted({int.from_bytes(e[1:], "big") for e in _ENCODED if e[0] == lead})))
              for lead in sorted(LEADS)}
_KEEP = max(size for size, _ in _SEQUENCES.values()) - 1  # bytes a character may reach into the next chunk
BOM = b"\xef\xbb\xbf"


def holds_invisible(data: bytes) -> bool:
    """Whether ``data`` holds a whole invisible character."""
    a = np.frombuffer(data, np.uint8)
    for lead, (size, codes) in _SEQUENCES.items():
        starts = np.flatnonzero(a[:len(a) - size + 1] == lead)
        if not starts.size:
            continue
        code = a[starts + 1].astype(np.uint32)
        if size == 3:
            code = (code << 8) | a[starts + 2]
        if np.isin(code, codes).any():
            return True
    return False


class InvisibleBytes:
    """``holds_invisible`` over a file read chunk by chunk: a character split between two chunks is
    found, and a byte-order mark at the very start is not one (DuckDB leaves it out of the text;
    FILE.BOM reports it)."""

    def __init__(self) -> None:
        self.tail = b""
        self.started = False

    def add(self, chunk: bytes, lead: bool) -> bool:
        """The next chunk; ``lead``: whether it holds a first byte of an invisible character (known
        from a byte-set search the caller has already made)."""
        check = lead or any(b in LEADS for b in self.tail)
        tail, self.tail = self.tail, chunk[-_KEEP:]
        first, self.started = not self.started, True
        if not check:  # the rule: no copy of the chunk
            return False
        data = tail + chunk
        if first and data.startswith(BOM):
            data = data[len(BOM):]
        return holds_invisible(data)


__all__ = ["LEADS", "InvisibleBytes", "holds_invisible"]
