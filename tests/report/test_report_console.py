import io

from engine.report import render_console
from engine.results import RuleResult


def _text(result, **kw):
    buf = io.StringIO()
    render_console(result, buf, **kw)
    return buf.getvalue()


def test_console_summary(run_result):
    out = _text(run_result)
    lines = out.splitlines()
    assert "不予报送" in lines[0] and "NOT READY" in lines[0]
    assert "\033[" not in out
    gr = next(ln for ln in lines if ln.strip().startswith("GRKHXXB 个人客户信息表"))
    assert "1,001 read" in gr and "1,000 checked" in gr and "1 rejected" in gr and "2/3" in gr
    failed = [ln for ln in lines if ln.startswith("  ") and any(s in ln for s in ("强校验 ", "弱校验 ", "提示 "))]
    # strong first, then weak, then info
    assert [ln.split()[1] for ln in failed] == ["JS0105", "JS0012", "L-GRKH-07"]
    assert "GRKHXXB.KHXM" in failed[0] and "2/1,000" in failed[0] and "客户姓名不能为空" in failed[0]


def test_console_ready_verdict(run_result):
    run_result.verdict = "ready"
    assert "准予报送" in _text(run_result).splitlines()[0]


def test_console_color(run_result):
    out = _text(run_result, color=True)
    assert "\033[1;31m" in out and "\033[0m" in out


def test_console_sorting_and_truncation(big_result):
    result = big_result(100, 1)
    for i, r in enumerate(result.rules):
        r.failed = i  # weak/info/strong rotate; higher index = more failures
        r.message_zh = "这是一条非常非常长的中文提示信息" * 20
    out = _text(result)
    shown = [ln for ln in out.splitlines() if ln.startswith("  ") and ln.split()[1].startswith("R0")]
    assert len(shown) == 30
    assert "… 70 more" in out
    ids = [ln.split()[1] for ln in shown]
    strong = sorted((r for r in result.rules if r.severity == "strong"), key=lambda r: -r.failed)
    assert ids == [r.id for r in strong[:30]]
    assert all(len(ln) < 200 for ln in shown)


def test_console_non_utf8_stream_does_not_crash(run_result):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    render_console(run_result, stream)
    stream.flush()
    assert b"JS0105" in raw.getvalue()


def test_console_no_failures(run_result):
    for r in run_result.rules:
        r.status, r.failed, r.samples = "passed", 0, []
    run_result.verdict = "ready"
    out = _text(run_result)
    assert "准予报送" in out and "JS0105" not in out


def test_console_rule_without_field():
    from engine.results import RunResult
    rule = RuleResult(id="T1", table="JGXXB", table_name="机构信息表", kind="rowcount", category="完整性",
                      severity="strong", message_zh="表不能为空", message_en="table must not be empty",
                      status="failed", checked=0, failed=1, rate=1.0)
    res = RunResult(submission="S", pack={"name": "p", "version": "1"}, engine={}, options={},
                    started_at="2024-01-01T00:00:00Z", duration_s=0.1, fail_on="strong", verdict="not_ready",
                    rules=[rule])
    assert "T1" in _text(res)
