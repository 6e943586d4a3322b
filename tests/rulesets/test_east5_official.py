"""specs/east5/official/ — the official rule register, field formats and code lists — is what
specs/east5/tools/import_official.py makes of the regulator's workbooks, and says what they say."""
from __future__ import annotations

import csv
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = ROOT / "specs" / "east5" / "official"

_spec = importlib.util.spec_from_file_location("import_official", ROOT / "specs" / "east5" / "tools" / "import_official.py")
tool = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = tool  # dataclasses look their module up
_spec.loader.exec_module(tool)

# JIANHE_EAST5_OFFICIAL names another folder holding the workbooks (default: the shared reference folder).
SOURCE = Path(os.environ.get("JIANHE_EAST5_OFFICIAL", tool.DEFAULT_SOURCE))


def _generated() -> dict[str, str]:
    if not tool.workbooks_present(SOURCE):
        pytest.skip(f"the regulator's workbooks are not in {SOURCE} (规范附件3, 规范附件4, 四期答疑口径整合): "
                    "the drift check needs them; the committed files are tested without them below")
    pytest.importorskip("openpyxl")
    return tool.generate(SOURCE)


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return _generated()


def test_committed_files_are_what_the_workbooks_give(generated):
    assert tool.stale_files(generated, OFFICIAL) == [], \
        "specs/east5/official drifted from the workbooks: run python specs/east5/tools/import_official.py"


def test_a_drifted_file_is_named(generated, tmp_path):
    """The check above can fail: a committed file changed by hand (or a workbook changed) is reported."""
    copy = tmp_path / "official"
    shutil.copytree(OFFICIAL, copy)
    path = copy / "rules.csv"
    path.write_text(path.read_text("utf-8").replace("JHGZ2825,2431", "JHGZ2825,2432", 1), "utf-8")
    (copy / "elements.csv").unlink()
    assert tool.stale_files(generated, copy) == ["rules.csv", "elements.csv"]


def test_two_runs_give_identical_files(generated):
    assert tool.generate(SOURCE) == generated


# ---- the committed files, with or without the workbooks ---------------------------------------------------

def _rows(name: str) -> list[dict]:
    with open(OFFICIAL / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def register() -> list[dict]:
    return _rows("rules.csv")


def _final(register, number: int) -> list[dict]:
    return [r for r in register if r["final"] == str(number)]


def test_register_holds_every_official_rule(register):
    main = [r for r in register if r["sheet"] == "检核规则"]
    assert len(main) == 3860 and len({r["jhgz"] for r in main}) == 3860
    assert sum(1 for r in register if r["removable"] == "yes") == 897
    assert {r["category"] for r in main} == set(tool.CATEGORY_SHORT)
    assert sum(1 for r in main if r["strong"] == "是") == 2716
    summary = json.loads((OFFICIAL / "summary.json").read_text("utf-8"))
    assert summary["rules"]["workbook"] == 3860 and summary["rules"]["mapped_to_final"] >= 3000


def test_register_maps_workbook_numbers_to_final_ones(register):
    def jhgz(number):
        return next(r for r in register if r["jhgz"] == number)
    # anchored by the Q&A change table (text before the change) and by the final non-null numbers
    assert (jhgz("JHGZ2825")["final"], jhgz("JHGZ2825")["final_basis"]) == ("2431", "qa")   # 贷款投向行业 code list
    assert jhgz("JHGZ0625")["final"] == "488"                                                 # 合同贷款用途 non-null
    assert jhgz("JHGZ0894")["final"] == "745" and jhgz("JHGZ1129")["final"] == "948"
    assert jhgz("JHGZ3287")["final"] == "2812"                                                # 明细科目编号 → 总账
    # one final number is one final table and field
    seen = {}
    for r in register:
        if r["final"] and r["sheet"] == "检核规则":
            assert seen.setdefault(r["final"], (r["final_table"], r["final_field"])) == (r["final_table"], r["final_field"])
    # the 定期 deposit tables were merged into 个人存款分户账: both workbook rules carry the final number
    assert {r["table"] for r in _final(register, 232)} == {"个人活期存款分户账", "个人定期存款分户账"}


def test_register_history_follows_the_qa_batches(register):
    for number, version in [(488, "2022.1"), (793, "2022.1"), (1168, "2022.1"), (91, "2022.2"), (1087, "2022.2"),
                            (948, "2022.4")]:
        rows = _final(register, number)
        assert rows and all(r["status"] == "deleted" and f"{version}:删除" in r["history"] for r in rows), number
    for number, version in [(745, "2022.3"), (1158, "2022.3"), (1147, "2022.4"), (1148, "2022.4")]:
        rows = _final(register, number)
        assert rows and all(r["strong"] == "是" and r["final_strong"] == "否" and f"{version}:调整为弱校验" in r["history"]
                            for r in rows), number
    # deleted in batch 1, restored with a new text in batch 2
    assert all(r["status"] == "active" and r["history"] == "2022.1:删除|2022.2:修改" for r in _final(register, 2705))
    # Q&A rules with no workbook rule are rows of their own
    assert [r["final_table"] for r in register if r["jhgz"] == "" and r["final"] == "1450"] == ["HLWDKHTFJB"]


def test_fields_carry_the_official_format_or_say_it_is_not_published():
    fields = {(r["table"], r["field"]): r for r in _rows("fields.csv")}
    assert len(fields) == 1838
    assert fields[("YTDKXXB", "CJHHH")]["official_format"] == "C..1000"
    assert fields[("LCCPXXB", "PJKFCS")]["official_format"] == "D5.2"
    assert fields[("LCCPXXB", "TZBJDZR")]["official_format"] == "C..20"
    # a date of the 日期 element is C8 in the workbook and YYYYMMDD in the spec's terms
    assert (fields[("GRXDYWJJB", "DKFFRQ")]["official_format"], fields[("GRXDYWJJB", "DKFFRQ")]["spec_format"]) == ("C8", "YYYYMMDD")
    # Q&A batch 2 widened 客户统一编号 (data element 002001) to C..70
    assert fields[("GRXDYWJJB", "KHTYBH")]["official_format"] == "C..70" and "2022.2" in fields[("GRXDYWJJB", "KHTYBH")]["qa_changes"]
    # a field new in the final version has no published format
    assert fields[("GRXDYWJJB", "SFHLWDK")]["basis"] == "new_in_final" and fields[("GRXDYWJJB", "SFHLWDK")]["official_format"] == ""


def test_elements_carry_their_code_lists():
    elements = {r["code"]: r for r in _rows("elements.csv")}
    industry = elements["005008"]
    assert industry["values"].split("|")[-7:] == ["2.21.1个人贷款-信用卡", "2.21.2个人贷款-汽车", "2.21.3个人贷款-住房按揭贷款",
                                                 "2.21.4个人贷款-其他", "2.22买断式转贴现", "2.23买断其他票据类资产", "3.对境外贷款"]
    assert "2.4电力、热力、燃气及水生产和供应业" in industry["final_values"].split("|")   # Q&A batch 3 wording
    assert elements["001002"]["values"] == "是|否"
    assert elements["003017"]["other"] == "yes"
