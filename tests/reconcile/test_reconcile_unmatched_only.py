"""The command keeps only the records of unmatched groups and counts the matched ones: the same
classes and counts as the full classification; the garbage collector pause restores its state."""
import gc

import pytest

from engine.backends.duckdb.connection import run_connection
from engine.reconcile.gc_pause import gc_paused
from engine.reconcile.run import _load, configure
from engine.rules.base import CompileContext
from engine.rules.reconcile.sql import classified_sql, current_relations, records_sql
from tests.reconcile.helpers import PACK, bank, folder_with, loan, reconcile

DEBTS = [loan(1), loan(2), loan(3, BALANCE="7000000.00"), loan(4), loan(4), loan(5, BALANCE="4000000.00"), loan(5, BALANCE="4000000.00"), loan(6, DRAWDOWN_NO=""),
         loan(7), loan(8, RATE="4.35")]
BANKS = [bank(1), bank(2), bank(3), bank(5), bank(6, LOAN_NO=""), bank(8), bank(9)]


def _rows(con, sql: str) -> list[tuple]:
    return sorted(con.execute(f"SELECT _side, _file, _line, _class, _nl, _nr, _bl, _br, _diffs FROM ({sql})").fetchall())


@pytest.mark.parametrize("materialised", [False, True])
def test_unmatched_only_is_the_full_classification_without_matched_groups(tmp_path, materialised):
    folder = folder_with(tmp_path, DEBTS, BANKS)
    cfg = configure(PACK)[0]
    needed = sorted(cfg.tables() | cfg.optional_tables())
    with run_connection(None) as (con, workdir):
        _load(con, folder, PACK, needed, workdir, "current", [], [])
        rel = current_relations(cfg)
        keys = (CompileContext(PACK.catalog, cfg.left).key_sql(cfg.left),
                CompileContext(PACK.catalog, cfg.right).key_sql(cfg.right))
        records = None
        if materialised:
            con.execute(f"CREATE TEMP TABLE _r AS {records_sql(cfg, rel, keys)}")
            records = "_r"
        full = _rows(con, classified_sql(cfg, rel, keys, None, records))
        unmatched = _rows(con, classified_sql(cfg, rel, keys, None, records, unmatched_only=True))
    assert {r[3] for r in full} >= {"matched", "under_reported", "duplicate", "many_to_one", "misreported"}
    assert unmatched == [r for r in full if r[3] != "matched"]


def test_matched_and_reconciled_counts(tmp_path):
    run = reconcile(tmp_path, DEBTS, BANKS).rules[0]
    assert run.counts["matched"] == 2  # loans 1 and 2
    assert (run.records_debt, run.records_creditor) == (len(DEBTS), len(BANKS))
    assert (run.reconciled_debt, run.reconciled_creditor) == (run.records_debt, run.records_creditor)


def test_gc_paused_restores_the_collector():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause leaves the outer one in force
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
