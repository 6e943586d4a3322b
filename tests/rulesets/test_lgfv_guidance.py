"""The LGFV pack against its source, 《银行地方政府融资平台信贷管理工作指导意见》 (shared reference 002):
small scenarios at each requirement and boundary, each built so that the pack as it stood before failed it."""
from __future__ import annotations

import subprocess
import sys

from tests.rulesets.example_checks import ROOT
from tests.rulesets.scenario import flagged, lines, run


def platforms(*rows: tuple[str, str]) -> list[dict]:
    """PTMD rows (level, founding government's code), each its own platform."""
    return [{"PTTYDM": f"LGFVPLATFORM{i:06d}", "PTCJ": level, "SLZFDM": code} for i, (level, code) in enumerate(rows)]


# ---------------------------------------------------------------- 第四条(三): the platform level

def test_level_follows_the_government_not_the_code_digits(tmp_path):
    """直辖市 districts numbered above 20 are 市级 and province-administered county-level cities (XX90YY)
    are 县级 — valid data the digit rule used to fail."""
    valid = platforms(("市级", "500151"), ("市级", "310151"), ("县级", "429004"), ("县级", "469005"),
                      ("县级", "659001"), ("市级", "110105"), ("县级", "500235"), ("县级", "320583"),
                      ("区级", "320505"), ("市级", "320500"), ("省级", "500000"), ("省级", "320000"))
    assert flagged(run(tmp_path, "lgfv", {"PTMD": valid}), "PTMD.level") == []


def test_level_mismatches_are_found(tmp_path):
    wrong = platforms(("县级", "500151"), ("区级", "429004"), ("区级", "469005"), ("区级", "110105"),
                      ("市级", "320583"), ("县级", "320500"), ("市级", "500000"))
    found = run(tmp_path, "lgfv", {"PTMD": wrong})
    assert sorted(line for _, _, line in flagged(found, "PTMD.level")) == [2, 3, 4, 5, 6, 7, 8]
    assert lines(found, "PTMD.level_county") == [2, 7] and lines(found, "PTMD.level_district") == [3, 4, 5]


def test_codes_not_in_force_are_left_to_the_division_rule(tmp_path):
    found = run(tmp_path, "lgfv", {"PTMD": platforms(("县级", "320584"))})   # 吴江市, a district since 2012
    assert flagged(found, "PTMD.level") == [] and lines(found, "PTMD.SLZFDM.division") == [2]


def test_level_code_lists_are_current():
    """specs/lgfv/codelists.yaml holds the level lists generated from engine/data/gbt2260.csv."""
    done = subprocess.run([sys.executable, str(ROOT / "specs" / "lgfv" / "tools" / "build_level_codes.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
