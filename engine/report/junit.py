"""JUnit XML report: ``junit.xml`` — one testsuite per table, one testcase per rule.

CI systems (GitLab, Jenkins, GitHub test reporters) show failed rules as failed tests. Only a
rule whose failure fails the run (its severity at or above ``--fail-on``; with a baseline, newly
failing or grown) is a ``failure`` (type = severity): a job that exits 0 shows no failed test.
Other failing rules pass, with their counts and samples in ``system-out`` and properties;
``skipped`` is for rules that could not run.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from ..results import RuleResult, RunResult
from .common import field_ref, fmt_rate, output_path, severity_zh, shorten, xml_safe

FILENAME = "junit.xml"
MAX_SAMPLES = 10
NAME_MESSAGE_CHARS = 40


def _suites(result: RunResult) -> list[tuple[str, list[RuleResult]]]:
    """(suite name, rules) per table: the run's tables in order, then tables only rules mention."""
    by_table: dict[str, list[RuleResult]] = {}
    for rule in result.rules:
        by_table.setdefault(rule.table, []).append(rule)
    suites = []
    for t in result.tables:
        suites.append((f"{t.code} {t.name}".strip(), by_table.pop(t.code, [])))
    for code, rules in by_table.items():
        suites.append((f"{code} {rules[0].table_name}".strip(), rules))
    return suites


def _failure_text(rule: RuleResult) -> str:
    lines = [
        f"{severity_zh(rule.severity)} ({rule.severity}) {rule.id} {field_ref(rule)}",
        f"failed {rule.failed}/{rule.checked} ({fmt_rate(rule.rate)})",
        rule.message_zh,
    ]
    if rule.message_en:
        lines.append(rule.message_en)
    if rule.note:
        lines.append(f"note: {rule.note}")
    if rule.samples:
        lines.append("samples:")
        for s in rule.samples[:MAX_SAMPLES]:
            where = f"{s.file or '?'}:{s.line if s.line is not None else '?'}"
            lines.append(f"  {where} {s.key if s.key is not None else '-'} {s.value if s.value is not None else '∅'}")
        more = max(rule.failed, len(rule.samples)) - min(len(rule.samples), MAX_SAMPLES)
        if more > 0:
            lines.append(f"  … {more} more")
    return "\n".join(lines)


def _below_the_gate(case: ET.Element, rule: RuleResult) -> None:
    """A failing rule the run does not fail on: recorded, not shown as a failed test."""
    props = ET.SubElement(case, "properties")
    for name, value in (("jianhe.status", "failed-below-fail-on"), ("jianhe.severity", rule.severity),
                        ("jianhe.failed", rule.failed), ("jianhe.checked", rule.checked)):
        ET.SubElement(props, "property", name=name, value=xml_safe(str(value)))
    out = ET.SubElement(case, "system-out")
    out.text = xml_safe(_failure_text(rule))


def build(result: RunResult) -> ET.Element:
    root = ET.Element("testsuites", name=xml_safe(f"jianhe {result.submission}"))
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for suite_name, rules in _suites(result):
        suite = ET.SubElement(root, "testsuite", name=xml_safe(suite_name))
        counts = {"tests": len(rules), "failures": 0, "skipped": 0}
        for rule in rules:
            case = ET.SubElement(
                suite, "testcase",
                classname=xml_safe(f"jianhe.{rule.table}"),
                name=xml_safe(f"{rule.id} {shorten(rule.message_zh, NAME_MESSAGE_CHARS)}".strip()),
            )
            if rule.status == "failed" and not result.fails_the_run(rule):
                _below_the_gate(case, rule)
            elif rule.status == "failed":
                counts["failures"] += 1
                fail = ET.SubElement(
                    case, "failure",
                    message=xml_safe(f"{severity_zh(rule.severity)} {rule.failed}/{rule.checked} "
                                     f"({fmt_rate(rule.rate)}): {shorten(rule.message_zh, 200)}"),
                    type=xml_safe(rule.severity),
                )
                fail.text = xml_safe(_failure_text(rule))
            elif rule.status == "not_applicable":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=xml_safe(rule.note or "not applicable"))
            elif rule.status == "not_run":
                counts["skipped"] += 1
                ET.SubElement(case, "skipped", message=xml_safe(rule.note or "not run"))
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("errors", "0")
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("errors", "0")
    root.set("time", f"{float(result.duration_s or 0):.3f}")
    return root


def render(result: RunResult, out_dir: Path) -> Path:
    path = output_path(out_dir, FILENAME)
    tree = ET.ElementTree(build(result))
    ET.indent(tree, space="  ")
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return path
