"""The benchmark's 30 rules, read from the jianhe pack (benchmarks/pack) — the one definition — and
written out for the other approaches: a fused DuckDB query, a Soda v4 contract, GX expectations.

Semantics (jianhe's, which every approach is held to): only the not-null rules judge an empty
value (NULL or ''); every other rule skips it. Ranges read the text as a number (non-numbers
skip); date comparisons read YYYYMMDD (99991231 and unreadable dates skip). Uniqueness counts
every row of a repeated key (GX's definition; Soda's ``duplicate_count`` is rows − distinct keys,
compared against that figure instead).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

PACK = Path(__file__).resolve().parent / "pack"
TABLE = "GRXDYWJJB"
REFERENCE = "GRJCXXB"


@dataclass(frozen=True)
class BenchRule:
    id: str
    kind: str  # required | length | regex | codelist | range | compare | unique | reference
    field: str
    params: dict

    @property
    def other(self) -> str | None:
        return self.params.get("other")


def load_rules(pack: Path = PACK) -> list[BenchRule]:
    rules = []
    for path in sorted((pack / "rules").glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for r in doc["rules"]:
            params = {k: v for k, v in r.items() if k not in ("id", "kind", "field", "examples")}
            field = r.get("field") or r.get("fields", [None])[0]
            rules.append(BenchRule(str(r["id"]), r["kind"], field, params))
    return rules


def needed_columns(rules: list[BenchRule]) -> list[str]:
    cols: list[str] = []
    for r in rules:
        for c in (r.field, r.other):
            if c and c not in cols:
                cols.append(c)
    return cols


# ---------------------------------------------------------------- SQL (DuckDB), over text columns

def _filled(c: str) -> str:
    return f"({c} IS NOT NULL AND {c} <> '')"


def _date(c: str) -> str:
    return f"TRY_STRPTIME({c}, '%Y%m%d')"


def violation_sql(r: BenchRule) -> str | None:
    """TRUE when a row fails a row rule (None for unique / reference)."""
    c, p = r.field, r.params
    if r.kind == "required":
        return f"({c} IS NULL OR {c} = '')"
    if r.kind == "length":
        return f"{_filled(c)} AND length({c}) NOT IN ({', '.join(map(str, p['lengths']))})"
    if r.kind == "regex":
        return f"{_filled(c)} AND NOT regexp_full_match({c}, '{p['pattern']}')"
    if r.kind == "codelist":
        return f"{_filled(c)} AND {c} NOT IN ({', '.join(repr(v) for v in p['values'])})"
    if r.kind == "range":
        num = f"TRY_CAST({c} AS DECIMAL(38, 10))"
        return f"({num} < {p['min']} OR {num} > {p['max']})"
    if r.kind == "compare":
        o = r.other
        if p.get("type") == "date":
            return (f"{_filled(c)} AND {_filled(o)} AND {c} <> '99991231' AND {o} <> '99991231' "
                    f"AND {_date(c)} < {_date(o)}")
        return f"TRY_CAST({c} AS DECIMAL(38, 10)) < TRY_CAST({o} AS DECIMAL(38, 10))"
    return None


def unique_sql(r: BenchRule, src: str) -> str:
    c = r.field
    return (f"SELECT coalesce(sum(n), 0) FROM (SELECT {c}, count(*) AS n FROM {src} WHERE {_filled(c)} "
            f"GROUP BY {c} HAVING count(*) > 1)")


def unique_excess_sql(r: BenchRule, src: str) -> str:
    """Soda's duplicate_count: non-empty rows minus distinct values."""
    c = r.field
    return f"SELECT count({c}) - count(DISTINCT {c}) FROM {src} WHERE {_filled(c)}"


def reference_sql(r: BenchRule, src: str, ref: str) -> str:
    c, target = r.field, r.params["targets"][0]["fields"][0]
    return f"SELECT count(*) FROM {src} s WHERE {_filled('s.' + c)} AND s.{c} NOT IN (SELECT {target} FROM {ref})"


def fused_sql(rules: list[BenchRule], src: str) -> str:
    """The reference baseline's design: one aggregate with a count per row rule."""
    parts = [f"count(*) FILTER (WHERE {violation_sql(r)}) AS \"{r.id}\"" for r in rules if violation_sql(r)]
    return "SELECT " + ",\n  ".join(parts) + f"\nFROM {src}"


# ---------------------------------------------------------------- Soda v4 contract (typed view)

def soda_contract(rules: list[BenchRule], dataset: str, reference: str) -> dict:
    """Checks over a view whose amounts are DECIMAL and dates DATE (Soda compares typed values)."""
    columns: dict[str, list] = {}
    dataset_checks = []
    for r in rules:
        c, p = r.field, r.params
        check = None
        if r.kind == "required":
            check = {"missing": {"qualifier": r.id}}
        elif r.kind == "length":
            check = {"invalid": {"valid_length": p["lengths"][0], "qualifier": r.id}}
        elif r.kind == "regex":
            check = {"invalid": {"valid_format": {"regex": f"^(?:{p['pattern']})$", "name": r.id}, "qualifier": r.id}}
        elif r.kind == "codelist":
            check = {"invalid": {"valid_values": p["values"], "qualifier": r.id}}
        elif r.kind == "range" and c in DATE_COLUMNS:
            lo, hi = (f"DATE '{str(v)[:4]}-{str(v)[4:6]}-{str(v)[6:]}'" for v in (p["min"], p["max"]))
            dataset_checks.append({"failed_rows": {"expression": f"{c} < {lo} OR {c} > {hi}", "qualifier": r.id}})
        elif r.kind == "range":
            check = {"invalid": {"valid_min": p["min"], "valid_max": p["max"], "qualifier": r.id}}
        elif r.kind == "compare":
            dataset_checks.append({"failed_rows": {"expression": f"{c} < {r.other}", "qualifier": r.id}})
        elif r.kind == "unique":
            check = {"duplicate": {"qualifier": r.id}}
        elif r.kind == "reference":
            target = r.params["targets"][0]["fields"][0]
            check = {"invalid": {"valid_reference_data": {"dataset": reference, "column": target}, "qualifier": r.id}}
        if check:
            columns.setdefault(c, []).append(check)
    return {"dataset": dataset, "columns": [{"name": c, "checks": checks} for c, checks in columns.items()],
            "checks": dataset_checks}


DATE_COLUMNS = ("DKFFRQ", "DKDQRQ")
NUMBER_COLUMNS = {"DKJE": "DECIMAL(20, 2)", "DKYE": "DECIMAL(20, 2)", "SJLL": "DECIMAL(10, 4)"}


def typed_select(columns: list[str], src: str) -> str:
    """The loans with amounts as DECIMAL and dates as DATE (what Soda and GX compare)."""
    out = []
    for c in columns:
        if c in NUMBER_COLUMNS:
            out.append(f"TRY_CAST({c} AS {NUMBER_COLUMNS[c]}) AS {c}")
        elif c in DATE_COLUMNS:
            out.append(f"CAST(TRY_STRPTIME({c}, '%Y%m%d') AS DATE) AS {c}")  # never 99991231 in the data
        else:
            out.append(c)
    return f"SELECT {', '.join(out)} FROM {src}"


__all__ = ["BenchRule", "fused_sql", "load_rules", "needed_columns", "reference_sql", "soda_contract",
           "typed_select", "unique_excess_sql", "unique_sql", "violation_sql"]
