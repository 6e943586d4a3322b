"""Shared checks for the shipped examples of the equity, LGFV and multi-creditor packs."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission

ROOT = Path(__file__).resolve().parents[2]


class Example:
    """One example folder: its generator, batch and planted findings."""

    def __init__(self, name: str, pack: str):
        self.folder = ROOT / "examples" / name
        self.pack = pack
        self.expected = json.loads((self.folder / "expected_findings.json").read_text("utf-8"))
        self.batch = self.folder / self.expected["batch"]

    def run(self, **parameters):
        return validate_submission(self.batch, load_pack(self.pack, parameters=parameters or None), sample_limit=100_000)

    def planted(self) -> Counter:
        return Counter((f["rule"], f["table"], f["file"], f["line"], f["key"]) for f in self.expected["findings"])


def found(result) -> Counter:
    """Every finding of a run as (rule, table, file, line, key) — the key tells apart findings on one line."""
    return Counter((s.rule_id, s.table, s.file, s.line, s.key) for r in result.rules for s in r.samples)


def assert_exactly_planted(example: Example, result) -> None:
    got, planted = found(result), example.planted()
    assert sorted((got - planted).elements(), key=str) == [], "found but not planted"
    assert sorted((planted - got).elements(), key=str) == [], "planted but not found"
    assert all(r.failed == len(r.samples) for r in result.rules)


def assert_planted_values(example: Example, result, at_least: int) -> None:
    by_place = {(s.rule_id, s.line, s.key): s.value for r in result.rules for s in r.samples}
    checked = [f for f in example.expected["findings"] if "value" in f]
    assert len(checked) >= at_least
    for f in checked:
        assert by_place[(f["rule"], f["line"], f["key"])] == f["value"], f["rule"]


def assert_generator_reproduces(example: Example, tmp_path: Path) -> None:
    """The generator is deterministic: a fresh run writes byte-identical files and expected findings."""
    subprocess.run([sys.executable, str(example.folder / "generate.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    shipped = sorted(p.name for p in example.batch.iterdir())
    assert sorted(p.name for p in (tmp_path / example.batch.name).iterdir()) == shipped
    for name in shipped:
        assert (tmp_path / example.batch.name / name).read_bytes() == (example.batch / name).read_bytes(), name
    assert (tmp_path / "expected_findings.json").read_bytes() == (example.folder / "expected_findings.json").read_bytes()
