"""The benchmark suite in its smallest form: every approach runs on the same generated data and
all agree with jianhe on the 30 counts (no timing is asserted here; see benchmarks/run.py)."""
import importlib.util
import json

import duckdb

from benchmarks import gen
from benchmarks.rules import load_rules
from benchmarks.run import main

ROWS = 3000


def test_generated_data_is_the_same_in_text_and_parquet(tmp_path):
    data = gen.generate(ROWS, tmp_path / "data", quiet=True)
    again = gen.generate(ROWS, tmp_path / "again", quiet=True)
    for table, fields in ((gen.LOANS, gen.LOAN_FIELDS), (gen.CUSTOMERS, gen.CUSTOMER_FIELDS)):
        text = data / "text" / gen.east_name(table, "txt")
        assert text.read_bytes() == (again / "text" / gen.east_name(table, "txt")).read_bytes()  # deterministic
        lines = text.read_bytes().split(b"\n")
        assert lines[-1] == b"" and all(line.count(b"\x01") == len(fields) - 1 for line in lines[:-1])
        con = duckdb.connect()
        cols = ", ".join(f"coalesce({c}, '')" for c in fields)
        from_text = con.execute(f"SELECT {cols} FROM read_csv('{text}', delim=chr(1), quote='', escape='', header=false, "
                                f"columns={{{', '.join(repr(c) + ': ' + repr('VARCHAR') for c in fields)}}}, "
                                f"auto_detect=false)").fetchall()
        parquet = data / "parquet" / gen.east_name(table, "parquet")
        assert from_text == con.execute(f"SELECT {cols} FROM read_parquet('{parquet}')").fetchall()
    assert len(lines) - 1 == gen.customers_for(ROWS)


def test_every_approach_agrees_with_jianhe_on_the_30_counts(tmp_path):
    out = tmp_path / "bench.json"
    skip = [name for name, module in (("soda", "soda_core"), ("gx", "great_expectations"))
            if importlib.util.find_spec(module) is None]
    rc = main(["--rows", str(ROWS), "--data", str(tmp_path / "data"), "--out", str(out), "--batch-loans", "0",
               "--skip", ",".join(skip)])
    result = json.loads(out.read_text(encoding="utf-8"))
    assert rc == 0 and result["counts_agree"], result["count_differences"]
    names = [a["name"] for a in result["approaches"]]
    assert {"jianhe", "jianhe_parquet", "duckdb_floor", "duckdb_bytes", "duckdb_bytes_parquet", "duckdb_fused"} <= set(names)
    assert {"vs_true_floor", "parquet_vs_true_floor_parquet"} <= set(result["targets"])
    assert result["targets"]["peak_rss_mb"]["limit"] == 1024  # up to 10M rows
    assert all("error" not in a and a["peak_rss_mb"] > 0 and a["wall_s"] > 0 for a in result["approaches"])
    counts = result["counts"]["jianhe"]
    assert set(counts) == {r.id for r in load_rules()} and len(counts) == 30
    assert sum(counts.values()) > 0 and counts == result["counts"]["jianhe_parquet"]
    exported = result["jianhe"]["jianhe"]
    assert exported["failures_exported"] == exported["failures_total"] >= sum(counts.values())
    assert {"cpu", "cores", "ram_gb", "python", "duckdb"} <= set(result["machine"])
