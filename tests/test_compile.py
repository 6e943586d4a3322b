"""The planner fuses a table's row rules into one scan; set rules run as their own joins."""
import json
from pathlib import Path

import duckdb
import pytest

import engine.backends.duckdb.connection as connection_module
from engine.compile import build_plan
from engine.ruleset import load_pack
from engine.backends.duckdb.run import validate_submission

ROOT = Path(__file__).resolve().parents[1]
BATCH = ROOT / "examples" / "east5" / "B0001H111000001-20240630"


@pytest.fixture(scope="module")
def pack():
    return load_pack(ROOT / "rulesets" / "east5_core")


class RecordingConnection:
    """A real DuckDB connection that remembers every statement it runs."""

    def __init__(self, con, log):
        self._con, self._log = con, log

    def execute(self, sql, *args):
        self._log.append(sql)
        return self._con.execute(sql, *args)

    def executemany(self, sql, *args):
        self._log.append(sql)
        return self._con.executemany(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


@pytest.mark.slow
def test_each_table_is_scanned_once_for_all_its_row_rules(pack, monkeypatch):
    log: list[str] = []
    real_connect = duckdb.connect

    class FakeDuckDB:
        Error = duckdb.Error
        __version__ = duckdb.__version__

        @staticmethod
        def connect(*a, **kw):
            return RecordingConnection(real_connect(*a, **kw), log)

    monkeypatch.setattr(connection_module, "duckdb", FakeDuckDB)
    validate_submission(BATCH, pack)
    plan = build_plan(pack)
    for code, tp in plan.tables.items():
        row_scans = [s for s in log if "list_filter" in s and f'FROM "t_{code}"' in s]
        assert len(row_scans) == 1, code
        assert len(tp.row_rules) >= 10
        # every other statement reading the table is a set rule (join/window), one per set rule at most
        readers = [s for s in log if f'"t_{code}"' in s and s.startswith("INSERT INTO _failures") and s not in row_scans]
        assert len(readers) <= sum(1 for p in plan.tables.values() for e in p.set_rules)


def test_fused_plan_has_a_single_table_scan(pack):
    """DuckDB's physical plan of the fused query reads the table once (IN-lists become in-memory scans)."""
    plan = build_plan(pack, tables=["GRXDYWJJB"])
    con = duckdb.connect()
    from engine.sources.load import create_relation
    create_relation(con, pack.catalog.tables["GRXDYWJJB"])
    con.execute("PRAGMA explain_output='physical_only'")
    doc = json.loads(con.execute("EXPLAIN (FORMAT json) " + plan.tables["GRXDYWJJB"].fused_sql).fetchall()[0][1])

    def names(node):
        yield node.get("name", "")
        for child in node.get("children", []):
            yield from names(child)

    operators = [n for root in doc for n in names(root)]
    assert operators.count("SEQ_SCAN") == 1, operators


def test_fused_sql_contains_every_row_rule(pack):
    plan = build_plan(pack, tables=["GRXDYWJJB"])
    tp = plan.tables["GRXDYWJJB"]
    for entry in tp.row_rules:
        assert f"'r': {entry.index}," in tp.fused_sql
    assert tp.fused_sql.count("THEN {'r': ") == len(tp.row_rules) + 3  # + control chars, quotes, 采集日期 checks
