import xml.etree.ElementTree as ET

from engine.report import RENDERERS
from engine.results import Finding


def _parse(result, tmp_path):
    path = RENDERERS["junit"](result, tmp_path)
    raw = path.read_bytes()
    assert raw.startswith(b"<?xml version=") and b"encoding='utf-8'" in raw.split(b"\n", 1)[0].lower().replace(b'"', b"'")
    return ET.fromstring(raw)


def test_junit_structure_and_counts(run_result, tmp_path):
    run_result.fail_on = "info"  # every failing rule fails the run
    root = _parse(run_result, tmp_path)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == ("5", "3", "1", "0")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["GRKHXXB 个人客户信息表", "JGXXB 机构信息表"]
    gr, jg = suites["GRKHXXB 个人客户信息表"], suites["JGXXB 机构信息表"]
    assert (gr.get("tests"), gr.get("failures"), gr.get("skipped")) == ("3", "2", "1")
    assert (jg.get("tests"), jg.get("failures"), jg.get("skipped")) == ("2", "1", "0")
    for suite in (gr, jg):
        cases = suite.findall("testcase")
        assert len(cases) == int(suite.get("tests"))
        assert sum(c.find("failure") is not None for c in cases) == int(suite.get("failures"))
        assert sum(c.find("skipped") is not None for c in cases) == int(suite.get("skipped"))
    assert {c.get("classname") for c in gr.findall("testcase")} == {"jianhe.GRKHXXB"}


def test_junit_failure_skipped_and_passed_cases(run_result, tmp_path):
    run_result.fail_on = "info"  # every failing rule fails the run
    root = _parse(run_result, tmp_path)
    cases = {c.get("name").split(" ", 1)[0]: c for c in root.iter("testcase")}
    assert cases["JS0105"].get("name") == "JS0105 客户姓名不能为空"

    fail = cases["JS0105"].find("failure")
    assert fail.get("type") == "strong"
    assert "2/1000" in fail.get("message")
    assert "GRKHXXB.txt:17 KHTYBH=C0017" in fail.text and "GRKHXXB.txt:421" in fail.text

    info = cases["L-GRKH-07"].find("failure")
    assert info.get("type") == "info"
    assert "张*" in info.text and "<script>alert(1)</script>" in info.text  # text round-trips (escaped in XML)

    skipped = cases["JS0230"].find("skipped")
    assert skipped.get("message") == "引用表 JGXXB 文件被拒绝 referenced table rejected"

    passed = cases["JS0001"]
    assert list(passed) == []


def test_junit_caps_samples_at_ten(run_result, tmp_path):
    run_result.fail_on = "info"  # every failing rule fails the run
    rule = next(r for r in run_result.rules if r.id == "JS0105")
    rule.samples = [Finding(rule.id, rule.table, "GRKHXXB.txt", 100 + i, f"K{i}", f"v{i}") for i in range(25)]
    rule.failed = 25
    root = _parse(run_result, tmp_path)
    fail = next(c for c in root.iter("testcase") if c.get("name").startswith("JS0105")).find("failure")
    sample_lines = [ln for ln in fail.text.splitlines() if ln.strip().startswith("GRKHXXB.txt:")]
    assert len(sample_lines) == 10
    assert "… 15 more" in fail.text


def test_junit_survives_control_characters_and_long_names(run_result, tmp_path):
    run_result.fail_on = "info"  # every failing rule fails the run
    rule = next(r for r in run_result.rules if r.id == "JS0012")
    rule.message_zh = "营业状态" * 50
    rule.samples[0].value = "bad\x00\x1bvalue"
    root = _parse(run_result, tmp_path)  # parses: invalid XML characters were replaced
    case = next(c for c in root.iter("testcase") if c.get("name").startswith("JS0012"))
    assert len(case.get("name")) < 60 and case.get("name").endswith("…")
    assert "bad\ufffd\ufffdvalue" in case.find("failure").text


def test_junit_big(tmp_path, big_result):
    big = big_result(1000, 3)
    big.fail_on = "info"
    root = _parse(big, tmp_path)
    assert root.get("tests") == "1000" and root.get("failures") == "1000"
    assert sum(int(s.get("tests")) for s in root.findall("testsuite")) == 1000


def test_junit_failures_follow_fail_on(run_result, tmp_path):
    """A job that exits 0 shows no failed test: only rules at or above --fail-on are failures."""
    failing = {r.id: r.severity for r in run_result.rules if r.status == "failed"}
    for fail_on, rank in (("info", 1), ("weak", 2), ("strong", 3), ("none", 99)):
        run_result.fail_on = fail_on
        root = _parse(run_result, tmp_path)
        order = {"info": 1, "weak": 2, "strong": 3}
        expected = sum(order[sev] >= rank for sev in failing.values())
        assert root.get("failures") == str(expected), fail_on
        for case in root.iter("testcase"):
            rule_id = case.get("name").split(" ", 1)[0]
            if rule_id in failing and order[failing[rule_id]] < rank:
                assert case.find("failure") is None
                props = {p.get("name"): p.get("value") for p in case.iter("property")}
                assert props["jianhe.status"] == "failed-below-fail-on"
                assert props["jianhe.severity"] == failing[rule_id]
                assert rule_id in case.find("system-out").text


def test_junit_with_a_baseline_fails_only_new_and_grown(run_result, tmp_path):
    run_result.fail_on = "info"
    run_result.baseline = {"counts": {}}
    failing = [r for r in run_result.rules if r.status == "failed"]
    failing[0].baseline = {"status": "new"}
    for rule in failing[1:]:
        rule.baseline = {"status": "unchanged"}
    root = _parse(run_result, tmp_path)
    assert root.get("failures") == "1"
