#!/usr/bin/env python3
"""Name the official source of every code list and field format of the east5 spec.

Usage::

    python specs/east5/tools/official_sources.py           # edit codelists.yaml and tables/*.yaml in place
    python specs/east5/tools/official_sources.py --check   # write nothing; exit 1 when a file would change

A code list's ``source`` and a field's ``note`` said where the pack took them from, often the paraphrase
east5.md rather than the regulator's documents. This tool adds the official citation, generated from
``../official`` (import_official.py's output of the workbooks):

* code list → ``附件3 数据元说明 row N (CODE NAME)`` of its data element (elements.csv), the 表2 规范调整表 rows
  that changed the element, and the 表3 检核规则调整表 rows that changed the code-list rule of a field using it
  (the Q&A batch and final rule number with each); written as the first sentence of ``source``
  (``official: …``), the pack's own explanation kept after it;
* field → ``format source: 附件3 数据结构 row N (TABLE.FIELD) FORMAT`` with the 表2 changes of the format
  (fields.csv), or ``format source: none published`` for the fields new in the final version; written as the
  first clause of ``note``.

Line-based and idempotent: only the lines of a code list or field that lack the citation change, so the
hand-written files keep their layout. After build_tables.py regenerates the tables, run it again.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SPEC_DIR = HERE.parent
OFFICIAL = SPEC_DIR / "official"
CODELISTS = SPEC_DIR / "codelists.yaml"
TABLES_DIR = SPEC_DIR / "tables"

FORMAT_MARK = "format source:"
CODELIST_MARK = "official:"
_CODELIST_HEAD = re.compile(r"^  (\S[^:]*):\s*$")


def _tool(name: str):
    """A sibling tool module (official_formats: its flow-mapping writer keeps the field lines' style)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _rows(name: str) -> list[dict]:
    with open(OFFICIAL / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ---------------------------------------------------------------- citations

def field_citation(row: dict | None) -> str:
    """Where a field's format comes from: the workbook row and the 表2 changes, or none published."""
    if row is None or row["basis"] == "new_in_final" or not row["source"]:
        return f"{FORMAT_MARK} none published (field new in the final version; 附件3 数据结构 has no row)"
    text = f"{FORMAT_MARK} {row['source']} {row['official_format']}"
    return text + (f"; {row['qa_changes']}" if row["qa_changes"] else "")


def _rule_changes_by_field() -> dict[tuple[str, str], list[str]]:
    """表3 rows that changed a field's enumeration (code-list rule texts: 应填 / 应为 …), per (table name, field name)."""
    out: dict[tuple[str, str], list[str]] = defaultdict(list)
    for r in _rows("qa_rule_changes.csv"):
        text = r["after"] or r["before"]
        if r["change"] in ("修改", "新增") and re.search(r"应(填|为)", text) and "，" in text:
            out[(r["table"], r["field"])].append(f"表3 row {r['row']} ({r['batch']}, rule {r['final']} {r['change']})")
    return out


def codelist_citations(tables_dir: Path = TABLES_DIR) -> dict[str, str]:
    """Code-list name → its official citation (data element row, 表2 and 表3 changes)."""
    elements = {r["code"]: r for r in _rows("elements.csv")}
    changes = _rule_changes_by_field()
    cited: dict[str, list[str]] = defaultdict(list)
    for path in sorted(tables_dir.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8"))
        for f in doc["fields"]:
            for item in changes.get((doc["name"], f["name"]), []) if f.get("codelist") else []:
                if item not in cited[f["codelist"]]:
                    cited[f["codelist"]].append(item)
    out = {}
    for name, spec in yaml.safe_load(CODELISTS.read_text("utf-8"))["codelists"].items():
        element = elements.get(str(spec.get("element", "")))
        parts = [f"{element['source']} ({element['code']} {element['name']})" if element
                 else "no data element of 附件3 数据元说明 (values from the rules quoted below)"]
        if element and element["qa_changes"]:
            parts.append(element["qa_changes"])
        parts += sorted(cited.get(name, []), key=lambda s: int(re.search(r"row (\d+)", s).group(1)))
        out[name] = f"{CODELIST_MARK} " + "; ".join(parts) + "."
    return out


# ---------------------------------------------------------------- rewriting

def revise_codelists(text: str, citations: dict[str, str]) -> tuple[str, list[str]]:
    """codelists.yaml with each list's citation as the first sentence of its ``source``."""
    lines = text.split("\n")
    out, changed = [], []
    i = 0
    while i < len(lines):
        m = _CODELIST_HEAD.match(lines[i])
        if not m or m.group(1) not in citations:
            out.append(lines[i])
            i += 1
            continue
        name = m.group(1)
        end = i + 1
        while end < len(lines) and (lines[end].startswith("    ") or not lines[end].strip()):
            end += 1
        block = lines[i:end]
        revised = _with_source(block, citations[name])
        if revised != block:
            changed.append(name)
        out += revised
        i = end
    return "\n".join(out), changed


def _with_source(block: list[str], citation: str) -> list[str]:
    quoted = _quote(citation)
    for j, line in enumerate(block):
        if not line.startswith("    source:"):
            continue
        rest = line[len("    source:"):].strip()
        if CODELIST_MARK in "\n".join(block[j:]):
            return block
        if rest in (">-", ">", "|", "|-"):
            return block[:j + 1] + [f"      {citation}"] + block[j + 1:]
        old = yaml.safe_load(rest)
        return block[:j] + [f"    source: {_quote(citation + ' ' + str(old))}"] + block[j + 1:]
    body_end = len(block)
    while body_end > 1 and not block[body_end - 1].strip():
        body_end -= 1
    return block[:body_end] + [f"    source: {quoted}"] + block[body_end:]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def revise_table(text: str, table: str, official: dict[tuple[str, str], dict]) -> tuple[str, list[str]]:
    """A table file with each field's format citation as the first clause of its note."""
    def cite(field: dict):
        note = str(field.get("note", "") or "")
        if FORMAT_MARK in note:
            return None
        citation = field_citation(official.get((table, field["code"])))
        return {**{k: v for k, v in field.items() if k != "note"}, "note": "; ".join(x for x in (citation, note) if x)}, \
            field["code"]
    return _tool("official_formats").revise_field_lines(text, cite)


def apply(write: bool = True, tables_dir: Path = TABLES_DIR) -> dict[str, list[str]]:
    """Cite the sources in every file; returns what changed per file (written unless ``write`` is false)."""
    official = {(r["table"], r["field"]): r for r in _rows("fields.csv")}
    result = {}
    text = CODELISTS.read_text("utf-8")
    new_text, changed = revise_codelists(text, codelist_citations(tables_dir))
    if changed:
        result[CODELISTS.name] = changed
        if write:
            CODELISTS.write_text(new_text, "utf-8")
    for path in sorted(tables_dir.glob("*.yaml")):
        text = path.read_text("utf-8")
        new_text, changed = revise_table(text, yaml.safe_load(text)["table"], official)
        if changed:
            result[path.name] = changed
            if write:
                path.write_text(new_text, "utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file would change")
    args = ap.parse_args(argv)
    changes = apply(write=not args.check)
    for name, items in changes.items():
        print(f"{name}: {len(items)} ({', '.join(items[:6])}{' …' if len(items) > 6 else ''})")
    verb = "would cite" if args.check else "cited"
    print(f"{verb}: {sum(len(v) for k, v in changes.items() if k == CODELISTS.name)} code lists, "
          f"{sum(len(v) for k, v in changes.items() if k != CODELISTS.name)} field formats", file=sys.stderr)
    return 1 if args.check and changes else 0


if __name__ == "__main__":
    sys.exit(main())
