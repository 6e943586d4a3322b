"""Soda Core v4 (package soda-duckdb) verifying a contract of the 30 rules on DuckDB.

The data source is a DuckDB file holding two views over the data files — the EAST text files
(``--format text``, read by DuckDB's CSV reader) or the Parquet files — with the loans' amounts as
DECIMAL and dates as DATE (what Soda's numeric and date checks need); Soda issues its own queries
(one aggregate over the loans, one join for the reference check)."""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import duckdb

from ..rules import load_rules, needed_columns, soda_contract, typed_select
from .common import CUSTOMERS, LOANS, Timer, emit, source


def build_database(data: Path, folder: Path, fmt: str) -> Path:
    db = folder / "soda.duckdb"
    con = duckdb.connect(str(db))
    rules = load_rules()
    con.execute(f"CREATE VIEW loans AS {typed_select(needed_columns(rules), source(data.resolve(), LOANS, fmt))}")
    con.execute(f"CREATE VIEW customers AS SELECT * FROM {source(data.resolve(), CUSTOMERS, fmt)}")
    con.close()
    return db


def check_count(values: dict) -> int:
    """The failing-row count of a check: invalid / duplicate / failed rows, else missing."""
    counts = {k: v for k, v in values.items() if k.endswith("_count") and not k.startswith(("check_rows", "dataset_rows"))}
    for key in ("invalid_count", "duplicate_count"):
        if key in counts:
            return counts[key]
    others = [v for k, v in counts.items() if k != "missing_count"]
    return others[0] if others else counts.get("missing_count", -1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--format", choices=("text", "parquet"), default="text")
    args = parser.parse_args()
    with Timer() as t_import:
        from soda_core.contracts.api.verify_api import verify_contract_locally
    folder = Path(tempfile.mkdtemp(prefix="bench-soda-"))
    db = build_database(args.data, folder, args.format)
    contract = soda_contract(load_rules(), "duck/main/loans", "duck/main/customers")
    contract_path, source_path = folder / "contract.yml", folder / "duck.yml"
    contract_path.write_text(json.dumps(contract, ensure_ascii=False, indent=1), encoding="utf-8")
    source_path.write_text(f"type: duckdb\nname: duck\nconnection:\n  database: {db}\n  read_only: true\n  schema: main\n",
                           encoding="utf-8")
    with Timer() as t:
        res = verify_contract_locally(data_source_file_path=str(source_path), contract_file_path=str(contract_path),
                                      publish=False)
    counts = {}
    for cvr in res.contract_verification_results:
        for cr in cvr.check_results:
            counts[cr.check.qualifier] = check_count(cr.diagnostic_metric_values or {})
    emit(counts, t.seconds, import_s=round(t_import.seconds, 3))


if __name__ == "__main__":
    main()
