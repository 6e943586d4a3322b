"""Spot checks: row rules judged on a reproducible random sample of each table, set rules
(uniqueness, references, aggregates) on every row, and each sampled rule's error rate with a
Wilson score interval.

The sample of a table is a simple random sample without replacement of its good rows: the ``n``
rows with the smallest ``hash(seed, place)`` (place = the row's position in the stored table, i.e.
its line for an EAST file), so the same seed on the same files picks the same rows on any machine
running the same DuckDB. ``n`` is ``--sample-rows`` (at most the table) or ``ceil(fraction × rows)``.
Every row is still read — set rules need them all, and row rules ride in the same pass — so a
spot check changes which rows the row rules judge, not the reading.

The interval is Wilson's score interval at 95% for a binomial proportion. Sampling without
replacement has a variance smaller by the finite-population factor (N − n)/(N − 1), so the binomial
interval is conservative: it covers the table's true error rate at least as often as stated.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field

LEVEL = 0.95
Z = 1.959963984540054  # the standard normal quantile of 0.975
METHOD = "wilson"


@dataclass
class Sampling:
    """One run's spot-check settings and, once the tables are read, what was sampled in each."""

    rows: int | None = None
    fraction: float | None = None
    seed: int = 0
    tables: dict[str, dict] = field(default_factory=dict)  # code → {population, sample, rules}

    def size(self, population: int) -> int:
        if self.rows is not None:
            return min(self.rows, population)
        return min(population, max(1, math.ceil((self.fraction or 0.0) * population))) if population else 0


_ACTIVE: Sampling | None = None


@contextlib.contextmanager
def sampled(rows: int | None = None, fraction: float | None = None, seed: int = 0):
    """Runs inside judge their row rules on samples; yields the Sampling that records them."""
    global _ACTIVE
    if (rows is None) == (fraction is None):
        raise ValueError("give the sample's rows or its fraction")
    previous, _ACTIVE = _ACTIVE, Sampling(rows, fraction, seed)
    try:
        yield _ACTIVE
    finally:
        _ACTIVE = previous


def active() -> Sampling | None:
    return _ACTIVE


def sample_sql(source: str, seed: int, n: int, where: str = "TRUE", place: str = "rowid") -> str:
    """The places of the sampled rows of ``source`` (those satisfying ``where``)."""
    return (f"SELECT {place} AS _rowid FROM {source} WHERE {where} "
            f"ORDER BY hash({int(seed)}::BIGINT, {place}::BIGINT), {place} LIMIT {int(n)}")


def row_filter(con, tp, stored_table: str, sample_table: str) -> str:
    """The scan's hook: with a spot check active, store the table's sample and return the SQL
    condition (`` AND …``) keeping row-rule hits on sampled rows only; else ``''``."""
    s = _ACTIVE
    if s is None:
        return ""
    population = con.execute(f"SELECT count(*) FROM {stored_table} WHERE NOT _bad").fetchone()[0]
    n = s.size(population)
    con.execute(f"CREATE OR REPLACE TABLE {sample_table} AS {sample_sql(stored_table, s.seed, n, 'NOT _bad')}")
    from .compile import builtin_row_checks
    rules = {e.rule.id for e in tp.row_rules} | set(builtin_row_checks(tp.table))
    s.tables[tp.table.code] = {"population": population, "sample": n, "rules": sorted(rules)}
    return f" AND _rowid IN (SELECT _rowid FROM {sample_table})"


def wilson(failed: int, n: int, z: float = Z) -> tuple[float, float]:
    """Wilson's score interval for ``failed`` successes in ``n`` trials."""
    if n <= 0:
        return 0.0, 1.0
    p = failed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def apply(result, s: Sampling) -> None:
    """Turn the counts of sampled rules into sample estimates with intervals, and record in the
    report's options which rules were sampled and which ran on every row."""
    sampled_rules, whole = [], []
    for rule in result.rules:
        table = s.tables.get(rule.table)
        if rule.status not in ("passed", "failed"):
            continue
        if table is None or rule.id not in table["rules"]:
            whole.append(f"{rule.table}:{rule.id}")
            continue
        n = table["sample"]
        low, high = wilson(rule.failed, n)
        rule.checked, rule.rate = n, round(rule.failed / n, 6) if n else 0.0
        text = (f"抽样 sampled: {rule.failed}/{n} of {table['population']} rows, {LEVEL:.0%} CI "
                f"[{low:.2%}, {high:.2%}] (Wilson)")
        rule.note = f"{rule.note}; {text}" if rule.note else text
        sampled_rules.append({"id": rule.id, "table": rule.table, "sample": n, "population": table["population"],
                              "failed": rule.failed, "rate": rule.rate,
                              "interval": {"low": round(low, 6), "high": round(high, 6), "level": LEVEL,
                                           "method": METHOD}})
    result.options["sampling"] = {
        "rows": s.rows, "fraction": s.fraction, "seed": s.seed, "method": METHOD, "level": LEVEL,
        "tables": {code: {"population": t["population"], "sample": t["sample"]} for code, t in sorted(s.tables.items())},
        "sampled_rules": sampled_rules, "whole_rules": whole}
