"""A reconcile rule that cannot work is a rule-file error naming file, line and rule; bad
command-line overrides are usage errors. Both exit 2."""
import textwrap
from pathlib import Path

import pytest

from engine.cli import main
from engine.errors import RuleFileError, UsageError
from engine.reconcile.run import configure
from engine.ruleset import load_pack
from tests.reconcile.helpers import PACK, bank, folder_with, loan

SPEC = Path(__file__).resolve().parents[2] / "specs" / "debt_platform"
GOOD = """\
rules:
  - id: R1
    table: DEBT_RECORD
    kind: reconcile
    when: "PRODUCT_TYPE = '银行贷款'"
    against: {table: BANK_LOAN}
    keys:
      - {field: UNIT_USCC, other: BORROWER_USCC}
      - {field: CONTRACT_NO, other: CONTRACT_NO}
    balance: {field: BALANCE, other: BALANCE, abs: 1}
    compare:
      - {field: RATE, other: RATE, type: number, abs: 0.01}
    debtor: {field: UNIT_USCC, other: BORROWER_USCC}
    units: {table: DEBT_UNIT, uscc: UNIT_USCC}
    conceal_min_balance: 100
    examples: {fail: [{CONTRACT_NO: X}], pass: [{PRODUCT_TYPE: 信托}]}
"""


def write_pack(tmp_path: Path, rules: str) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir(exist_ok=True)
    (pack / "pack.yaml").write_text(f"pack: t\nversion: '1'\nspec: {SPEC}\nderive: {{required: false, format: false, "
                                    f"codelist: false, key: false, links: false}}\n", "utf-8")
    (pack / "rules.yaml").write_text(textwrap.dedent(rules), "utf-8")
    return pack


def test_the_good_rule_loads(tmp_path):
    pack = load_pack(write_pack(tmp_path, GOOD))
    assert [c.rule_id for c in configure(pack)] == ["R1"]


@pytest.mark.parametrize("old,new,line,message", [
    ("{field: CONTRACT_NO, other: CONTRACT_NO}", "{field: CONTRACT_NO, other: NOPE}", 7,
     "unknown field 'NOPE' in table BANK_LOAN (keys)"),
    ("against: {table: BANK_LOAN}", "against: {table: NO_TABLE}", 6, "reconcile against unknown table 'NO_TABLE'"),
    ("against: {table: BANK_LOAN}", "against: {table: DEBT_RECORD}", 6, "must be another table"),
    ("{field: RATE, other: RATE, type: number, abs: 0.01}", "{field: RATE, other: RATE, type: text, abs: 0.01}", 11,
     "'abs'/'rel' are for numbers"),
    ("    debtor: {field: UNIT_USCC, other: BORROWER_USCC}\n", "", 13, "units table 'DEBT_UNIT' needs 'debtor'"),
    ("    units: {table: DEBT_UNIT, uscc: UNIT_USCC}\n", "", 6, "'conceal_min_balance' needs 'units'"),
    ("    keys:\n", "    normalise: [halfwidth, soundex]\n    keys:\n", 7, "'soundex' is not one of"),
    ("    balance: {field: BALANCE, other: BALANCE, abs: 1}\n", "", 2, "needs 'balance'"),
    ("{field: RATE, other: RATE, type: number, abs: 0.01}", "{field: BALANCE, other: BALANCE}", 10, "compared twice: 'BALANCE'"),
    ("    conceal_min_balance: 100", "    conceal_min_balance: 100\n    tolerance: 5", 16, "unknown key 'tolerance'"),
    ("against: {table: BANK_LOAN}", "against: {table: BANK_LOAN, when: \"NOPE = 1\"}", 6, "unknown field 'NOPE'"),
    ("conceal_min_balance: 100", "conceal_min_balance: -1", 15, "less than the minimum"),
    ("    conceal_min_balance: 100", "    conceal_min_balance: 100\n    routing: {province: [46]}", 16, "is not of type"),
    ("    conceal_min_balance: 100", "    conceal_min_balance: 100\n    fallback: {keys: [[UNIT_USCC, NOPE]]}", 16,
     "unknown field 'NOPE' in table DEBT_RECORD (fallback)"),
    ("    conceal_min_balance: 100", "    conceal_min_balance: 100\n    fallback: {keys: [[UNIT_USCC, AMOUNT]]}", 16,
     "fallback field 'AMOUNT' is neither a key nor a compared field"),
    ("    conceal_min_balance: 100", "    conceal_min_balance: 100\n    fallback: {keys: [[UNIT_USCC, 债务单位统一社会信用代码]]}",
     16, "names a field twice: '债务单位统一社会信用代码'"),
    ("    conceal_min_balance: 100", "    conceal_min_balance: 100\n    fallback: {when: \"NOPE = 1\", keys: [[UNIT_USCC]]}",
     16, "unknown field 'NOPE'"),
    ("    units: {table: DEBT_UNIT, uscc: UNIT_USCC}", "    units: {table: DEBT_UNIT, uscc: USCC}", 14,
     "unknown field 'USCC' in table DEBT_UNIT (units)"),
])
def test_bad_rules_name_file_line_and_rule(tmp_path, old, new, line, message):
    assert old in GOOD
    pack = write_pack(tmp_path, GOOD.replace(old, new))
    with pytest.raises(RuleFileError) as err:
        load_pack(pack)
    text = str(err.value)
    assert message in text
    assert f"rules.yaml:{line}" in text and "rule R1" in text


def test_bad_rule_through_the_command_exits_2(tmp_path, capsys):
    pack = write_pack(tmp_path, GOOD.replace("other: CONTRACT_NO}", "other: NOPE}"))
    folder = folder_with(tmp_path, [loan(1)], [bank(1)])
    assert main(["reconcile", str(folder), "--pack", str(pack)]) == 2
    err = capsys.readouterr().err
    assert "rules.yaml:7" in err and "rule R1" in err and "Traceback" not in err


@pytest.mark.parametrize("override,message", [
    ("conceal_min_balance", "expected [RULE_ID:]PARAMETER=VALUE"),
    ("tolerance=5", "unknown parameter 'tolerance'"),
    ("NOPE:balance.abs=5", "no reconcile rule 'NOPE'"),
    ("balance.abs=-5", "less than the minimum"),
    ("compare.NOPE.abs=1", "compares no field 'NOPE'"),
    ("compare.VALUE_DATE.abs=1", "'abs'/'rel' are for numbers"),
    ("normalise=[soundex]", "'soundex' is not one of"),
    ("scale_factors=[1]", "less than or equal to the minimum"),
])
def test_bad_overrides_are_usage_errors(override, message):
    with pytest.raises(UsageError) as err:
        configure(PACK, [override])
    assert message in str(err.value)


def test_command_line_errors_exit_2(tmp_path, capsys):
    folder = folder_with(tmp_path, [loan(1)], [bank(1)])
    assert main(["reconcile", str(folder), "--set", "tolerance=5"]) == 2
    assert main(["reconcile", str(folder), "--param", "no_such_threshold=5"]) == 2
    assert main(["reconcile", str(folder), "--format", "pdf"]) == 2
    assert main(["reconcile", str(folder), "--previous", str(tmp_path / "missing")]) == 2
    assert main(["reconcile", str(folder), "--pack", "east5_core"]) == 2
    err = capsys.readouterr().err
    assert "unknown parameter 'tolerance'" in err and "no_such_threshold" in err and "pdf" in err
    assert "has no reconcile rules" in err and "Traceback" not in err


def test_a_province_that_is_no_province_code_is_a_usage_error(tmp_path):
    from engine.errors import UsageError as Usage
    pack = load_pack(write_pack(tmp_path, GOOD.replace("    conceal_min_balance: 100",
                                                       "    conceal_min_balance: 100\n    routing: {province: '4600'}")))
    with pytest.raises(Usage, match="province '4600' is not a province code in force"):
        configure(pack)
    fine = load_pack(write_pack(mkdir(tmp_path / "b"), GOOD.replace("    conceal_min_balance: 100",
                                                             "    conceal_min_balance: 100\n    routing: {province: 430000}")))
    assert configure(fine)[0].province == "430000"
    silent = load_pack(write_pack(mkdir(tmp_path / "c"), GOOD.replace("    conceal_min_balance: 100",
                                                               "    conceal_min_balance: 100\n    routing: {uscc_region: true}")))
    with pytest.raises(Usage, match="give the province, e.g. --set R1:routing.province=430000"):
        configure(silent)


def mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
