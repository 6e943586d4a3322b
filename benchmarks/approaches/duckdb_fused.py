"""Hand-written DuckDB, the reference baseline's design: one aggregate with a count per row rule,
a GROUP BY for uniqueness and an anti-join for the foreign key (counts only, no failing rows)."""
from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from ..rules import fused_sql, load_rules, reference_sql, unique_excess_sql, unique_sql
from .common import CUSTOMERS, LOANS, Timer, emit, source


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--format", choices=("text", "parquet"), default="text")
    args = parser.parse_args()
    rules = load_rules()
    con = duckdb.connect()
    src, ref = source(args.data, LOANS, args.format), source(args.data, CUSTOMERS, args.format)
    extra = {}
    with Timer() as t:
        row = con.execute(fused_sql(rules, src)).fetchone()
        counts = dict(zip([d[0] for d in con.description], row))
        for r in rules:
            if r.kind == "unique":
                counts[r.id] = con.execute(unique_sql(r, src)).fetchone()[0]
            elif r.kind == "reference":
                counts[r.id] = con.execute(reference_sql(r, src, ref)).fetchone()[0]
    for r in rules:  # Soda's definition of duplicates, to compare its count (not timed)
        if r.kind == "unique":
            extra[r.id] = con.execute(unique_excess_sql(r, src)).fetchone()[0]
    emit(counts, t.seconds, unique_excess=extra)


if __name__ == "__main__":
    main()
