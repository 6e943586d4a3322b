"""Generate a regulator's inbox: EAST batches of 12 institutions over 3 periods, each with a planted
error profile (how often, which kinds of defect) and a planted trend (improving, worsening, steady).

    python examples/regulator/generate.py --out /tmp/inbox            # 12 × 3 batches of 1,000 loans
    python examples/regulator/generate.py --out /tmp/inbox --loans 200000 --periods 20240630   # timing

Layout: ``OUT/<采集日期>/<licence>-<采集日期>/<licence>-<TABLE>-<采集日期>.txt`` and ``OUT/planted.json``,
which says, per batch, how many records of each rule were planted and the rows written — from the
plan, never from an engine run. Clean records are examples/east5/generate.py's (they pass every
rule of east5_core); each defect below changes one field of one record and fires exactly one rule.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from examples.east5 import generate as east5  # noqa: E402

PERIODS = ("20240430", "20240531", "20240630")
SEP = "\x01"
# defect kind → (table, changed fields, the one rule it fires)
DEFECTS: dict[str, tuple[str, dict[str, str], str]] = {
    "codelist": ("GRXDYWJJB", {"XDYWZL": "网贷"}, "GRXDYWJJB.XDYWZL.codelist"),
    "reference": ("GRXDYWJJB", {"KHTYBH": "P9999"}, "GRXDYWJJB.KHTYBH.reference"),
    "date": ("GRXDYWJJB", {"DKFFRQ": "20230231"}, "GRXDYWJJB.DKFFRQ.format"),
    "empty": ("GRXDYWJJB", {"JRXKZH": ""}, "492"),
    "rate": ("GRXDYWJJB", {"SJLL": "-0.5"}, "JHGZ3727"),
    "term": ("GRXDYWJJB", {"ZQS": "12345"}, "GRXDYWJJB.ZQS.format"),
    "contract_empty": ("XDHTB", {"KHJLGH": ""}, "489"),
    "contract_code": ("XDHTB", {"HTZT": "失效"}, "XDHTB.HTZT.codelist"),
    "ledger_rate": ("GRXDFHZ", {"DKLL": "35"}, "JHGZ3695"),
}
TRENDS = {"improving": (1.0, 0.6, 0.3), "worsening": (0.3, 0.6, 1.0), "steady": (1.0, 1.0, 1.0)}


@dataclass(frozen=True)
class Profile:
    """One institution: defects per 1,000 loans in its worst period, their mix, and how it moves."""

    licence: str
    per_mille: float
    mix: dict[str, int]  # defect kind → weight
    trend: str
    fixed: str | None = None  # a kind planted in the first periods only (fixed by the last)
    new: str | None = None  # a kind planted in the last period only


PROFILES = [
    Profile("B0101H110000001", 6, {"date": 2, "term": 1}, "steady"),
    Profile("B0102H111000001", 44, {"reference": 3, "codelist": 1}, "improving", fixed="contract_code"),
    Profile("B0103H112000001", 12, {"empty": 2, "contract_empty": 2}, "worsening", new="ledger_rate"),
    Profile("B0104H113000001", 80, {"codelist": 1, "contract_code": 1, "date": 1}, "steady"),
    Profile("B0105H114000001", 1, {"rate": 1}, "steady"),
    Profile("B0106H115000001", 25, {"ledger_rate": 2, "rate": 1}, "improving", fixed="term"),
    Profile("B0107H116000001", 64, {"reference": 1, "empty": 1}, "worsening", new="codelist"),
    Profile("B0108H117000001", 18, {"term": 1, "date": 1, "codelist": 1}, "steady"),
    Profile("B0109H118000001", 100, {"contract_empty": 3, "reference": 1}, "improving", fixed="ledger_rate"),
    Profile("B0110H119000001", 9, {"codelist": 1}, "worsening", new="date"),
    Profile("B0111H120000001", 32, {"date": 1, "rate": 1, "empty": 1}, "steady"),
    Profile("B0112H121000001", 5, {"contract_code": 1}, "improving"),
]


def plan(profile: Profile, period_index: int, loans: int) -> dict[str, int]:
    """Defect kind → records to plant in one period (largest-remainder split of the total)."""
    mix = dict(profile.mix)
    last = period_index == len(PERIODS) - 1
    if profile.fixed and not last:
        mix[profile.fixed] = max(mix.values())
    if profile.new and last:
        mix[profile.new] = max(mix.values())
    total = round(loans * profile.per_mille / 1000 * TRENDS[profile.trend][period_index])
    weight = sum(mix.values())
    shares = {k: total * w / weight for k, w in mix.items()}
    counts = {k: int(v) for k, v in shares.items()}
    for k in sorted(shares, key=lambda k: (counts[k] - shares[k], k))[: total - sum(counts.values())]:
        counts[k] += 1
    if profile.fixed and not last:
        counts[profile.fixed] = max(counts[profile.fixed], 1)
    if profile.new and last:
        counts[profile.new] = max(counts[profile.new], 1)
    return {k: v for k, v in counts.items() if v}


def clean_rows(loans: int, cjrq: str) -> dict[str, list[dict]]:
    """A clean batch (east5's records) with its 采集日期 set."""
    people = [east5.person(i) for i in range(24)]
    borrowers = [people[0]] + people[16:20]
    ln = [east5.loan(i, borrowers[i % len(borrowers)]) for i in range(loans)]
    rows = {"JGXXB": east5.institutions(), "GRJCXXB": people, "GRXDYWJJB": ln,
            "XDHTB": [east5.contract(x) for x in ln], "GRXDFHZ": [east5.ledger(x) for x in ln]}
    for table in rows.values():
        for row in table:
            row["CJRQ"] = cjrq
    return rows


def plant(rows: dict[str, list[dict]], counts: dict[str, int], seed: str) -> dict[str, int]:
    """Change distinct records per table; rule id → records planted."""
    rng = random.Random(seed)
    free = {t: list(range(len(r))) for t, r in rows.items()}
    for t in free:
        rng.shuffle(free[t])
    planted: dict[str, int] = {}
    for kind in sorted(counts):
        table, changes, rule = DEFECTS[kind]
        for _ in range(counts[kind]):
            rows[table][free[table].pop()].update(changes)
        planted[rule] = planted.get(rule, 0) + counts[kind]
    return planted


def write(rows: dict[str, list[dict]], folder: Path, licence: str, cjrq: str) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for table, records in rows.items():
        order = east5.fields_of(table)
        with open(folder / f"{licence}-{table}-{cjrq}.txt", "w", encoding="utf-8", newline="\n") as fh:
            for row in records:
                fh.write(SEP.join(row[f] for f in order) + "\n")
    return sum(len(r) for r in rows.values())


def generate(out: Path, loans: int = 1000, periods: tuple[str, ...] = PERIODS,
             profiles: list[Profile] = PROFILES) -> dict:
    """Write every batch; returns (and writes as planted.json) what was planted where."""
    batches = []
    for cjrq in periods:
        index = PERIODS.index(cjrq)
        for profile in profiles:
            rows = clean_rows(loans, cjrq)
            planted = plant(rows, plan(profile, index, loans), f"{profile.licence}-{cjrq}")
            written = write(rows, out / cjrq / f"{profile.licence}-{cjrq}", profile.licence, cjrq)
            batches.append({"licence": profile.licence, "date": cjrq, "rows": written, "planted": planted,
                            "findings": sum(planted.values()), "trend": profile.trend,
                            "fixed": DEFECTS[profile.fixed][2] if profile.fixed else None,
                            "new": DEFECTS[profile.new][2] if profile.new else None})
    doc = {"loans": loans, "periods": list(periods), "batches": batches}
    (out / "planted.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return doc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where the inbox goes (one folder per period)")
    parser.add_argument("--loans", type=int, default=1000, help="personal loans per batch (default 1000)")
    parser.add_argument("--periods", default=",".join(PERIODS), help=f"comma-separated, of {', '.join(PERIODS)}")
    args = parser.parse_args()
    periods = tuple(p.strip() for p in args.periods.split(",") if p.strip())
    unknown = [p for p in periods if p not in PERIODS]
    if unknown:
        parser.error(f"unknown period(s) {', '.join(unknown)}; known: {', '.join(PERIODS)}")
    doc = generate(args.out, args.loans, periods)
    print(f"wrote {len(doc['batches'])} batches of {args.loans} loans under {args.out} (planted.json says what is where)")


if __name__ == "__main__":
    main()
