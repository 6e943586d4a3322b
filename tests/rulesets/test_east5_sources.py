"""Every code list and field format of the east5 spec names its official source (workbook sheet and row, Q&A
batch and table row), as specs/east5/tools/official_sources.py writes it from specs/east5/official."""
from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "east5"


def _tool():
    name = "official_sources"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SPEC / "tools" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _csv(name: str) -> list[dict]:
    with open(SPEC / "official" / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def tool():
    return _tool()


def test_the_spec_is_current_with_the_tool(tool):
    assert tool.apply(write=False) == {}, "run python specs/east5/tools/official_sources.py"


def test_every_code_list_names_its_data_element_row():
    elements = {r["code"]: r for r in _csv("elements.csv")}
    codelists = yaml.safe_load((SPEC / "codelists.yaml").read_text("utf-8"))["codelists"]
    wrong = []
    for name, spec in codelists.items():
        source = str(spec.get("source", ""))
        element = elements.get(str(spec.get("element", "")))
        want = f"{element['source']} ({element['code']} {element['name']})" if element else "no data element"
        if not source.startswith("official: ") or want not in source:
            wrong.append(f"{name}: {source[:80]!r} (wants {want})")
    assert wrong == [], "code lists without their official source:\n" + "\n".join(wrong)


def test_code_lists_changed_by_the_q_and_a_cite_the_change():
    codelists = yaml.safe_load((SPEC / "codelists.yaml").read_text("utf-8"))["codelists"]
    assert "表2 row 109" in codelists["贷款投向行业"]["source"]  # 2.4 without 的 (第三期)
    assert "表3 row 186 (第三期答疑, rule 2407 修改)" in codelists["交易类型"]["source"]  # 贷款还本 / 贷款还息
    assert "rule 2469 修改" in codelists["担保类型"]["source"]  # 保证 / 信用 instead of 单人保证 …


def test_every_field_format_names_its_source():
    official = {(r["table"], r["field"]): r for r in _csv("fields.csv")}
    wrong = []
    for path in sorted((SPEC / "tables").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        for f in doc["fields"]:
            row = official[(doc["table"], f["code"])]
            note = str(f.get("note", ""))
            want = ("format source: none published" if row["basis"] == "new_in_final"
                    else f"format source: {row['source']} {row['official_format']}")
            if not note.startswith(want):
                wrong.append(f"{doc['table']}.{f['code']}: {note[:80]!r} (wants {want})")
    assert wrong == [], f"{len(wrong)} field formats without their official source:\n" + "\n".join(wrong[:40])


def test_the_tool_cites_a_bare_code_list_and_keeps_the_explanation(tool):
    text = "codelists:\n  性别:\n    element: \"002006\"\n    values: [男, 女]\n  还款方式:\n    element: \"005027\"\n" \
           "    values: [按月]\n    source: >-\n      the pack's reason.\n"
    cites = {"性别": "official: 附件3 数据元说明 row 53 (002006 性别).", "还款方式": "official: X."}
    new, changed = tool.revise_codelists(text, cites)
    doc = yaml.safe_load(new)["codelists"]
    assert changed == ["性别", "还款方式"]
    assert doc["性别"]["source"] == cites["性别"] and doc["还款方式"]["source"] == "official: X. the pack's reason."
    assert tool.revise_codelists(new, cites) == (new, [])


def test_the_tool_cites_a_field_format_first_in_its_note(tool):
    official = {("T", "A"): {"basis": "qa", "source": "附件3 数据结构 row 9 (T.A)", "official_format": "C..70",
                             "qa_changes": "2022.2 数据元 电话 C..70 (表2 row 74)"},
                ("T", "B"): {"basis": "new_in_final", "source": "", "official_format": "", "qa_changes": ""}}
    text = "fields:\n  - {code: A, name: 电话, format: C..70, note: \"old reason\"}\n  - {code: B, name: 新, format: C3}\n"
    new, changed = tool.revise_table(text, "T", official)
    fields = yaml.safe_load(new)["fields"]
    assert changed == ["A", "B"]
    assert fields[0]["note"] == "format source: 附件3 数据结构 row 9 (T.A) C..70; 2022.2 数据元 电话 C..70 (表2 row 74); old reason"
    assert fields[1]["note"].startswith("format source: none published")
    assert tool.revise_table(new, "T", official) == (new, [])
