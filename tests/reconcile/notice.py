"""The debt-platform notice (湖南省财政厅等：关于开展债务监测平台…信息共享比对工作的通知, with annexes 1–5) split
into its places, so every citation of the debt_platform pack can be checked against the text it cites.

A place is written as the notice numbers it: ``二(二)``, ``三(二)1 第一步``, ``四(四)``, ``附件4 二``,
``附件1 三.1``. ``text(place)`` is the place's text with its sub-places (whitespace removed: the source
text breaks lines inside words); a citation quotes the source in 「…」 and the quote must be in the text
of the place it names.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SOURCE = Path("/work/shared/reference/sources/000_83d15e19ce418ca9.txt")
if not SOURCE.exists():  # the shared reference beside the checkout
    SOURCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "sources" / "000_83d15e19ce418ca9.txt"

NUMERALS = "一二三四五六七八九十"
PLACE = re.compile(r"^(?:附件(?P<annex>[1-5]) )?(?P<top>[一二三四五])(?:\((?P<sub>[一二三四五])\))?"
                   r"(?:(?:\.)?(?P<num>[1-9]))?(?: (?P<step>第[一二三四]步))?$")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@lru_cache(maxsize=1)
def places() -> dict[str, str]:
    """Every place of the notice → its own text and its sub-places' (whitespace removed)."""
    out: dict[str, list[str]] = {}
    annex = top = sub = num = step = None
    body = True
    for raw in SOURCE.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("附件："):  # the list of annexes closes the body
            body = False
        m = re.match(r"^附件 ?([1-5])$", line)
        if m:
            annex, top, sub, num, step = m.group(1), None, None, None, None
            continue
        if not body and annex is None:
            continue
        m = re.match(rf"^([{NUMERALS}])、", line)
        if m:
            top, sub, num, step = m.group(1), None, None, None
        m = re.match(rf"^[（(]([{NUMERALS}])[）)]", line)
        if m and top:
            sub, num, step = m.group(1), None, None
        m = re.match(r"^([1-9])、", line)
        if m and top:
            num, step = m.group(1), None
        m = re.match(r"^(第[一二三四]步)", line)
        if m and top:
            step = m.group(1)
        if top is None:
            continue
        prefix = f"附件{annex} " if annex else ""
        chain = [f"{prefix}{top}"]
        if sub:
            chain.append(f"{chain[-1]}({sub})")
        if num:
            chain.append(f"{chain[-1]}{'.' if annex and not sub else ''}{num}")
        if step:
            chain.append(f"{chain[-1]} {step}")
        for place in chain:
            out.setdefault(place, []).append(line)
    return {p: _squash("".join(lines)) for p, lines in out.items()}


def text(place: str) -> str:
    if not PLACE.match(place):
        raise KeyError(f"'{place}' is not written as the notice numbers its places")
    found = places().get(place)
    if found is None:
        raise KeyError(f"the notice has no place '{place}'")
    return found


QUOTE = re.compile(r"「([^」]+)」")


def quotes(citation: str) -> list[str]:
    return QUOTE.findall(citation)


def check(place: str, citation: str) -> list[str]:
    """Problems of one citation: the place missing, a quote not found in it."""
    try:
        body = text(place)
    except KeyError as exc:
        return [str(exc)]
    return [f"{place}: 「{q}」 is not in the text of the place" for q in quotes(citation) if not _found(q, body)]


def _found(quote: str, body: str) -> bool:
    """The quote is in the text; a quote with …… elides: its parts are found in order."""
    at = 0
    for part in _squash(quote).split("……"):
        at = body.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


CITATION = re.compile(r"通知 ((?:附件[1-5] )?[一二三四五](?:\([一二三四五]\))?(?:\.?[1-9])?(?: 第[一二三四]步)?)「([^」]+)」")


def citations(note: str) -> list[tuple[str, str]]:
    """(place, quote) of each citation of the notice in a rule's note: ``通知 三(二)1 第一步「…」``."""
    return CITATION.findall(note)
