"""The province is required configuration of `jianhe reconcile` (the notice is a province's: 附件4 二 sends
what no unit or region can take to the provincial finance department): no silent default, a clear usage
error when it is missing or no province code, and `--param province=430000` accepted as written."""
import json

import pytest

from engine.cli import main
from engine.errors import UsageError
from engine.reconcile.run import configure, reconcile_submission
from engine.ruleset import load_pack
from tests.reconcile.helpers import bank, folder_with, loan

NOBODY = "91100000MA5TK6690X"  # not registered, no region, registered centrally: only the province can take it


def hunan_folder(tmp_path):
    return folder_with(tmp_path, [loan(1)], [bank(1), bank(2, BORROWER_USCC=NOBODY, BORROWER_REGION="")])


def test_the_pack_has_no_default_province():
    assert load_pack("debt_platform").options["parameters"]["province"] == ""
    with pytest.raises(UsageError, match=r"give the province, e\.g\. --param province=430000"):
        configure(load_pack("debt_platform"))


def test_missing_province_is_a_usage_error(tmp_path, capsys):
    folder = hunan_folder(tmp_path)
    assert main(["reconcile", str(folder), "--report-dir", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "--param province=430000" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "reconcile.json").exists()


@pytest.mark.parametrize("value", ["430000", '"430000"', "'430000'", " 430000"])
def test_province_as_number_or_text(tmp_path, value):
    out = tmp_path / "out"
    assert main(["reconcile", str(hunan_folder(tmp_path)), "--param", f"province={value}", "--report-dir", str(out),
                 "--quiet", "--format", "json"]) == 1
    doc = json.loads((out / "reconcile.json").read_text("utf-8"))
    recipients = {(f["recipient"]["kind"], f["recipient"]["code"], f["recipient"]["name"]) for f in doc["findings"]}
    assert recipients == {("province", "430000", "湖南省财政厅")}
    assert doc["rules"][0]["thresholds"]["province"] == "430000"


@pytest.mark.parametrize("value", ["4300", "4300000", "430100", "990000", "湖南"])
def test_a_value_that_is_no_province_is_refused(tmp_path, value, capsys):
    assert main(["reconcile", str(hunan_folder(tmp_path)), "--param", f"province={value}", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "is not a province code in force" in err and "--param province=CODE" in err


def test_province_through_set_and_python(tmp_path):
    pack = load_pack("debt_platform", parameters={"province": 430000})  # a number, as --param reads it
    result = reconcile_submission(hunan_folder(tmp_path), pack)
    assert {f.recipient.name for f in result.findings} == {"湖南省财政厅"}
    again = reconcile_submission(hunan_folder(tmp_path / "b"), load_pack("debt_platform"),
                                 overrides=["routing.province=430000"])
    assert {f.recipient.code for f in again.findings} == {"430000"}


def test_validate_needs_no_province(tmp_path):
    from engine.backends.duckdb.run import validate_submission
    result = validate_submission(hunan_folder(tmp_path), load_pack("debt_platform"))
    assert any(r.id == "DP.RECON.LOAN" and r.failed for r in result.rules)
