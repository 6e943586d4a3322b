"""Monthly mode: new, changed, settled and vanished keys per side against last month's agreed data;
only keys that changed on either side are reconciled."""
from engine.reconcile.run import reconcile_submission
from tests.reconcile.helpers import PACK, bank, folder_with, loan, registry, product, write_folder, unit


def months(tmp_path):
    previous = folder_with(tmp_path, [loan(n) for n in range(1, 7)] + [product(1)], [bank(n) for n in range(1, 7)],
                           [registry(1)], name="202405")
    debts = [loan(1, CONTRACT_NO="ＨＴ０００１"),             # unchanged (same after normalisation)
             loan(2, BALANCE="7500000.00"),                 # changed on both sides: still agreed
             loan(3),                                        # the bank settled it: 多报
             loan(5, RATE="4.3"),                            # changed on the debt side only: 错报
             loan(6),
             loan(7),                                        # new on both sides
             loan(9, DRAWDOWN_NO=""),                        # incomplete key: always reconciled
             product(1)]
    banks = [bank(1), bank(2, BALANCE="7500000.00"), bank(3, BALANCE="0.00", STATUS="结清"), bank(4), bank(5), bank(6),
             bank(7), bank(8, BALANCE="1000000.00")]         # 4: vanished on the debt side; 8: new, bank only
    current = folder_with(tmp_path, debts, banks, [registry(1)], name="202406")
    return current, previous


def test_changes_per_side(tmp_path):
    current, previous = months(tmp_path)
    result = reconcile_submission(current, PACK, previous=previous)
    changes = sorted((c.rule, c.side, c.change, c.match_key[2], tuple(c.fields)) for c in result.changes)
    assert changes == [
        ("DP.RECON.LOAN", "creditor", "changed", "HT0002", ("BALANCE",)),
        ("DP.RECON.LOAN", "creditor", "new", "HT0007", ()),
        ("DP.RECON.LOAN", "creditor", "new", "HT0008", ()),
        ("DP.RECON.LOAN", "creditor", "settled", "HT0003", ("BALANCE",)),
        ("DP.RECON.LOAN", "debt", "changed", "HT0002", ("BALANCE",)),
        ("DP.RECON.LOAN", "debt", "changed", "HT0005", ("RATE",)),
        ("DP.RECON.LOAN", "debt", "new", "HT0007", ()),
        ("DP.RECON.LOAN", "debt", "vanished", "HT0004", ()),
    ]  # key 1 is unchanged (full-width digits normalise away); 6 is unchanged; 9 has no complete key to follow
    settled = next(c for c in result.changes if c.change == "settled")
    assert (settled.balance_now, settled.balance_before, settled.line, settled.previous_line) == ("0.00", "8000000.00", 4, 4)


def test_only_changed_keys_are_reconciled(tmp_path):
    current, previous = months(tmp_path)
    result = reconcile_submission(current, PACK, previous=previous)
    got = sorted((f.cls, f.match_key[2]) for f in result.findings)
    assert got == [("concealed", "HT0004"), ("debt_only", "HT0009"), ("misreported", "HT0005"),
                   ("omitted", "HT0008"), ("over_reported", "HT0003")]
    loan_rule = result.rules[0]
    # reconciled: keys 2, 3, 4, 5, 7, 8 on the bank side; 2, 3, 5, 7 and the incomplete record on the debt side
    assert (loan_rule.reconciled_debt, loan_rule.records_debt) == (5, 7)
    assert (loan_rule.reconciled_creditor, loan_rule.records_creditor) == (6, 8)
    assert loan_rule.counts["matched"] == 2  # 2 (changed on both sides alike) and 7 (new on both)
    assert result.rules[1].reconciled_debt == result.rules[1].reconciled_creditor == 0
    full = reconcile_submission(current, PACK)
    assert sorted((f.cls, f.match_key[2]) for f in full.findings) == got  # last month was agreed: same differences


def test_a_table_missing_last_month_counts_as_new(tmp_path):
    previous = write_folder(tmp_path / "prev", {"DEBT_UNIT": [unit()], "DEBT_RECORD": [loan(1)], "BANK_LOAN": [bank(1)]})
    current = folder_with(tmp_path, [loan(1), product(1)], [bank(1)], [registry(1)], name="cur")
    result = reconcile_submission(current, PACK, previous=previous)
    registry_rule = result.rules[1]
    assert "lacks REGISTRY_PRODUCT" in registry_rule.note
    assert sorted((c.side, c.change) for c in result.changes) == [("creditor", "new"), ("debt", "new")]
    assert registry_rule.counts["matched"] == 1 and result.verdict == "matched"
