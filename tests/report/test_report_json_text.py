"""engine/report/json_text.py: the bytes the standard library writes, orjson's speed, and what orjson
refuses still written."""
import json
from dataclasses import dataclass

import pytest

from engine.report.json_text import json_bytes


@dataclass
class Place:
    file: str
    line: int


@dataclass
class Finding:
    rule: str
    places: list[Place]
    values: dict


TREE = {"verdict": "not_ready", "名称": "个人信贷业务借据表", "rate": 0.25, "rows": 10_000_000, "none": None,
        "flags": [True, False], "empty": {}, "nothing": [], "text": 'quote " backslash \\ tab \t 零宽\u200b',
        "nested": [{"a": 1, "b": [1.5, -2, "x"]}]}


@pytest.mark.parametrize("indent", [True, False])
def test_the_same_bytes_as_the_standard_library(indent):
    layout = {"indent": 2} if indent else {"separators": (",", ":")}
    assert json_bytes(TREE, indent) == (json.dumps(TREE, ensure_ascii=False, **layout) + "\n").encode()


def _finding() -> Finding:
    return Finding("R1", [Place("a.csv", 2), Place("b.csv", 7)], {"BALANCE": "1,000.00", "空": None})


@pytest.mark.parametrize("indent", [True, False])
def test_dataclasses_are_written_as_their_fields_in_order(indent):
    written = json_bytes({"findings": [_finding()]}, indent).decode()
    doc = json.loads(written)
    assert doc == {"findings": [{"rule": "R1", "places": [{"file": "a.csv", "line": 2}, {"file": "b.csv", "line": 7}],
                                 "values": {"BALANCE": "1,000.00", "空": None}}]}
    assert list(doc["findings"][0]) == ["rule", "places", "values"]


@pytest.mark.parametrize("indent", [True, False])
def test_an_integer_beyond_64_bits_is_written_by_the_standard_library(indent):
    """orjson refuses it; the document is still written whole, dataclasses included."""
    tree = {"parameters": {"threshold": 10 ** 20, "negative": -(2 ** 70)}, "findings": [_finding()]}
    written = json_bytes(tree, indent)
    assert written.endswith(b"\n")
    doc = json.loads(written)
    assert doc["parameters"] == {"threshold": 10 ** 20, "negative": -(2 ** 70)}
    assert doc["findings"][0]["places"][1] == {"file": "b.csv", "line": 7}
    same_tree_in_dicts = {"parameters": tree["parameters"], "findings": [json.loads(json_bytes(_finding()))]}
    layout = {"indent": 2} if indent else {"separators": (",", ":")}
    assert written == (json.dumps(same_tree_in_dicts, ensure_ascii=False, **layout) + "\n").encode()


def test_what_neither_encoder_can_write_is_a_type_error():
    with pytest.raises(TypeError):
        json_bytes({"x": object()})
