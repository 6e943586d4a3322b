"""JSON documents as the reports write them: orjson, with the standard library for what it refuses."""
from __future__ import annotations

import json
from dataclasses import is_dataclass

import orjson


def json_bytes(tree, indent: bool = False) -> bytes:
    """UTF-8 JSON ending in a newline: indented as ``json.dumps(indent=2)`` indents, else compact.
    orjson writes large reports many times as fast and serialises dataclasses in field order; it
    refuses integers beyond 64 bits (a pack parameter may be one), which the standard library then
    writes."""
    try:
        return orjson.dumps(tree, option=orjson.OPT_APPEND_NEWLINE | (orjson.OPT_INDENT_2 if indent else 0))
    except TypeError:
        layout = {"indent": 2} if indent else {"separators": (",", ":")}
        return (json.dumps(tree, ensure_ascii=False, default=_fields, **layout) + "\n").encode()


def _fields(obj) -> dict:
    """A dataclass as the dict of its fields, for the standard library's encoder."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return dict(vars(obj))
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")
