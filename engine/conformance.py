"""Conformance fixtures: every rule of a pack must fail on a row made to break it and pass on a
clean row. Derived rules get their fixtures generated from the spec; written rules carry theirs
(``examples: {pass: [...], fail: [...]}``, partial rows laid over the clean row; both lists
are required for a written rule).

One batch holds all fixtures: line 1 of every table is the clean row, each further line is one
rule's failing (or passing) example, and one engine run judges them all.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field as dc_field
from pathlib import Path

from .formats import FormatCode
from .results import RunResult
from .ruleset import RulePack
from .rules import REGISTRY, Rule
from .spec import Catalog, Field, TableSpec

DATE = "20240630"
PREVIOUS_DATE = "20240531"
LICENCE = "B0001H111000001"


@dataclass
class Expectation:
    rule: Rule
    fail_lines: list[int] = dc_field(default_factory=list)
    pass_lines: list[int] = dc_field(default_factory=list)


@dataclass
class ConformanceReport:
    checked: int
    problems: list[str]
    untested: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def clean_value(f: Field, catalog: Catalog) -> str:
    """A value every derived rule accepts: in the code list, within the format, masked where personal."""
    if f.code == "CJRQ":
        return DATE
    if f.codelist and f.codelist in catalog.codelists:
        values = [v for v in catalog.codelists[f.codelist].values if _fits(v, f.format)]
        if values:
            return values[0]
    if f.pii == "id_number":
        return ("110101" + "a" * 64)[: max(64, min(f.format.width or 70, 70))]
    if f.pii == "phone":
        return "b" * 64
    if f.pii == "name":
        return "明"
    return _format_value(f.format, f.code)


def _fits(value: str, fmt: FormatCode) -> bool:
    size = len(value.encode("utf-8"))
    return fmt.kind != "char" or (size == fmt.width if fmt.fixed else size <= fmt.width)


def _format_value(fmt: FormatCode, code: str) -> str:
    if fmt.kind == "date":
        return "20240101"
    if fmt.kind == "yearmonth":
        return "202401"
    if fmt.kind == "time":
        return "120000"
    if fmt.kind in ("int", "decimal", "float"):
        return "1"
    text = f"V{code}"
    if fmt.fixed:
        return (text * fmt.width)[: fmt.width]
    return text[: fmt.width]


def clean_rows(catalog: Catalog) -> dict[str, dict]:
    """One clean row per table; linked fields share values so every reference holds."""
    rows = {code: {f.code: clean_value(f, catalog) for f in t.fields} for code, t in catalog.tables.items()}
    for _ in range(3):  # links can chain
        for code, t in catalog.tables.items():
            for link in t.links:
                if link.table in rows:
                    for src, dst in zip(link.fields, link.to):
                        rows[code][src] = rows[link.table][dst]
    return rows


def table_level(rule: Rule) -> bool:
    """Whether the rule's kind judges a whole table (its fixtures then run as tables of their own)."""
    return REGISTRY[rule.kind].table_level


def build_fixtures(pack: RulePack) -> tuple[dict[str, list[dict]], list[Expectation], list[str]]:
    catalog = pack.catalog
    clean = clean_rows(catalog)
    rows = {code: [dict(clean[code])] for code in catalog.tables}
    expectations, untested = [], []
    for rule in pack.rules:
        if table_level(rule):
            continue
        table = catalog.tables[rule.table]
        base = clean[rule.table]
        fails = [{**base, **r} for r in rule.examples.get("fail", [])] or (
            REGISTRY[rule.kind].failing_rows(rule, table, base) if rule.origin == "derived" else None)
        passes = [{**base, **r} for r in rule.examples.get("pass", [])]
        if not fails or not (passes or rule.origin == "derived"):
            untested.append(f"{rule.table} {rule.id}")
            continue
        # derived rules must also pass on the clean row; written rules on their own passing examples
        exp = Expectation(rule, pass_lines=[] if passes else [1])
        for row in fails:
            exp.fail_lines.append(_append(rows[rule.table], row, table, base))
        for row in passes:
            exp.pass_lines.append(_append(rows[rule.table], row, table, base))
        expectations.append(exp)
    return rows, expectations, untested


def _append(table_rows: list[dict], row: dict, table: TableSpec, clean: dict) -> int:
    """Add a fixture row; key fields it leaves as in the clean row get a per-line suffix, so fixtures
    never collide with the clean row (or each other) on the table's key."""
    line = len(table_rows) + 1
    for k in table.key:
        f = table.field(k)
        if k != "CJRQ" and row[k] == clean[k] and f.format.kind == "char" and not f.format.fixed:
            row = {**row, k: f"{clean[k]}{line}"[-(f.format.width or 60):]}
    table_rows.append(row)
    return line


def write_batch(folder: Path, catalog: Catalog, rows: dict[str, list[dict]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for code, table_rows in rows.items():
        order = catalog.tables[code].field_codes
        text = "".join("\x01".join(str(r.get(c, "")) for c in order) + "\n" for r in table_rows)
        (folder / f"{LICENCE}-{code}-{DATE}.txt").write_text(text, encoding="utf-8")


def check(pack: RulePack) -> ConformanceReport:
    """Run the pack on its own fixtures; every expectation that does not hold is a problem."""
    rows, expectations, untested = build_fixtures(pack)
    result = _run(pack, rows)
    problems = _problems(result, expectations)
    whole_tables = [r for r in pack.rules if table_level(r)]
    for rule in whole_tables:
        if not (rule.examples.get("fail") and rule.examples.get("pass")):
            untested.append(f"{rule.table} {rule.id}")
            continue
        clean = clean_rows(pack.catalog)[rule.table]
        for outcome in ("fail", "pass"):
            table_rows = {rule.table: [{**clean, **r} for r in rule.examples[outcome]]}
            status = next(r.status for r in _run(pack, table_rows).rules if r.id == rule.id and r.table == rule.table)
            if status != {"fail": "failed", "pass": "passed"}[outcome]:
                problems.append(f"{rule.table} {rule.id}: a table of its {outcome}ing examples is {status}")
    return ConformanceReport(len(expectations) + len(whole_tables), problems, untested)


def _run(pack: RulePack, rows: dict[str, list[dict]]) -> RunResult:
    from .backends.duckdb import validate_submission

    workdir = Path(tempfile.mkdtemp(prefix="jianhe-conformance-"))
    try:
        write_batch(workdir, pack.catalog, rows)
        return validate_submission(workdir, pack, sample_limit=1_000_000, previous_date=PREVIOUS_DATE)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _problems(result: RunResult, expectations: list[Expectation]) -> list[str]:
    by_rule = {(r.table, r.id): r for r in result.rules}
    problems = []
    for exp in expectations:
        r = by_rule[(exp.rule.table, exp.rule.id)]
        lines = {s.line for s in r.samples}
        missed = [n for n in exp.fail_lines if n not in lines]
        wrong = [n for n in exp.pass_lines if n in lines]
        if r.status == "not_run":
            problems.append(f"{r.table} {r.id}: not run ({r.note})")
        elif missed:
            problems.append(f"{r.table} {r.id}: does not fail on its failing example(s), line(s) {missed}")
        elif wrong:
            problems.append(f"{r.table} {r.id}: fails on passing row(s), line(s) {wrong} "
                            f"(values: {[s.value for s in r.samples if s.line in wrong][:3]})")
    return problems
