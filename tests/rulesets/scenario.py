"""Small scenarios for the equity, LGFV and multi-creditor packs: a few rows per table, each laid over a
clean row of the spec (engine/conformance.py), written as CSV and run through the real engine.

    found = run(tmp_path, "lgfv", {"PTMD": [{"PTCJ": "市级", "SLZFDM": "500151"}]})
    assert flagged(found, "PTMD.level_") == []

``found`` maps each rule id to the (table, line) pairs it reported, line 2 being a table's first row.
"""
from __future__ import annotations

import csv
from pathlib import Path

from engine.conformance import clean_rows
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission


def run(tmp_path: Path, pack_name: str, tables: dict[str, list[dict]], **parameters) -> dict[str, list[tuple[str, int]]]:
    pack = load_pack(pack_name, parameters=parameters or None)
    clean = clean_rows(pack.catalog)
    batch = tmp_path / "batch"
    batch.mkdir(parents=True, exist_ok=True)
    for old in batch.glob("*.csv"):
        old.unlink()
    for table, rows in tables.items():
        spec = pack.catalog.tables[table]
        with open(batch / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(spec.field_codes)
            for row in rows:
                full = {**clean[table], **row}
                writer.writerow([full[c] for c in spec.field_codes])
    result = validate_submission(batch, pack, sample_limit=100_000)
    found: dict[str, list[tuple[str, int]]] = {}
    for r in result.rules:
        for s in r.samples:
            found.setdefault(s.rule_id, []).append((s.table, s.line))
    return {k: sorted(v) for k, v in found.items()}


def flagged(found: dict, prefix: str) -> list[tuple[str, str, int]]:
    """Every finding of the rules whose id starts with ``prefix``: (rule, table, line)."""
    return sorted((rule, t, line) for rule, places in found.items() if rule.startswith(prefix) for t, line in places)


def lines(found: dict, rule: str) -> list[int]:
    return sorted(line for _, line in found.get(rule, []))
