"""Great Expectations 1.x on a pandas DataFrame: the columns the 30 rules read, amounts and dates
as numbers (YYYYMMDD as an integer keeps the order), one expectation per rule; the foreign key is
``ExpectColumnValuesToBeInSet`` with every customer id (the reference baseline's design)."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..gen import CUSTOMERS, LOANS, east_name
from ..rules import DATE_COLUMNS, NUMBER_COLUMNS, load_rules, needed_columns
from .common import Timer, emit


def expectation(gxe, r, customer_ids):
    c, p = r.field, r.params
    if r.kind == "required":
        return gxe.ExpectColumnValuesToNotBeNull(column=c)
    if r.kind == "length":
        return gxe.ExpectColumnValueLengthsToEqual(column=c, value=p["lengths"][0])
    if r.kind == "regex":
        return gxe.ExpectColumnValuesToMatchRegex(column=c, regex=f"^(?:{p['pattern']})$")
    if r.kind == "codelist":
        return gxe.ExpectColumnValuesToBeInSet(column=c, value_set=p["values"])
    if r.kind == "range":
        return gxe.ExpectColumnValuesToBeBetween(column=c, min_value=p["min"], max_value=p["max"])
    if r.kind == "compare":
        return gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=c, column_B=r.other, or_equal=True,
                                                            ignore_row_if="either_value_is_missing")
    if r.kind == "unique":
        return gxe.ExpectColumnValuesToBeUnique(column=c)
    if r.kind == "reference":
        return gxe.ExpectColumnValuesToBeInSet(column=c, value_set=customer_ids)
    raise ValueError(r.kind)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    args = parser.parse_args()
    rules = load_rules()
    with Timer() as t_import:
        import pandas as pd
        import great_expectations as gx
        import great_expectations.expectations as gxe
    with Timer() as t_load:
        df = pd.read_parquet(args.data / "parquet" / east_name(LOANS, "parquet"), columns=needed_columns(rules))
        for c in NUMBER_COLUMNS:
            df[c] = pd.to_numeric(df[c], errors="coerce")
        for c in DATE_COLUMNS:  # YYYYMMDD as an integer (the generated dates are never 99991231)
            df[c] = pd.to_numeric(df[c], errors="coerce")
        customer_ids = pd.read_parquet(args.data / "parquet" / east_name(CUSTOMERS, "parquet"),
                                       columns=["KHTYBH"])["KHTYBH"].tolist()
    with Timer() as t_setup:
        context = gx.get_context(mode="ephemeral")
        batch_definition = (context.data_sources.add_pandas("pandas").add_dataframe_asset(name="loans")
                            .add_batch_definition_whole_dataframe("all"))
        suite = context.suites.add(gx.ExpectationSuite(name="loans"))
        for r in rules:
            e = expectation(gxe, r, customer_ids)
            e.meta = {"rule_id": r.id}
            suite.add_expectation(e)
        batch = batch_definition.get_batch(batch_parameters={"dataframe": df})
    with Timer() as t:
        res = batch.validate(suite, result_format="BASIC")
    counts = {}
    for r in res.results:
        if (r.exception_info or {}).get("raised_exception"):
            counts[r.expectation_config.meta["rule_id"]] = -1
        else:
            counts[r.expectation_config.meta["rule_id"]] = r.result.get("unexpected_count") or 0
    emit(counts, t.seconds, import_s=round(t_import.seconds, 3), load_s=round(t_load.seconds, 3),
         setup_s=round(t_setup.seconds, 3))


if __name__ == "__main__":
    main()
