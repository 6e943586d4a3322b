import re
from html.parser import HTMLParser

import pytest

from engine.report import RENDERERS
from engine.report.html import render_string
from engine.results import Finding, RuleResult, TableResult

XSS = "<script>alert(1)</script>"
CSP = ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
       'script-src \'unsafe-inline\'; img-src data:">')


class _Collect(HTMLParser):
    """Collects tags/attributes and the raw text of <script> elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


@pytest.fixture
def html(run_result, tmp_path):
    return RENDERERS["html"](run_result, tmp_path).read_text(encoding="utf-8")


def _parse(text):
    p = _Collect()
    p.feed(text)
    return p


def _rule_rows(text):
    return re.findall(r'<tr data-t="([^"]*)" data-s="([^"]*)" data-st="([^"]*)">', text)


def test_head_lang_csp(html):
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="zh-CN">' in html
    assert CSP in html
    assert '<meta charset="utf-8">' in html


def test_self_contained_offline(html):
    p = _parse(html)
    for tag, attrs in p.tags:
        for name in ("src", "href", "action", "srcset", "data", "poster"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, attrs)
        assert not (tag == "link" and attrs.get("rel") == "stylesheet"), attrs
        assert not (tag == "script" and "src" in attrs), attrs
    assert not re.search(r'(src|href)\s*=\s*["\']?\s*(https?:)?//', html, re.I)
    assert "http://" not in html and "https://" not in html
    assert "@import" not in html and "url(" not in html
    assert len(p.scripts) == 1


def test_verdict_and_header(html, run_result):
    assert "不予报送" in html and "准予报送" not in html
    assert '<header class="not_ready">' in html
    assert "B0001H111000001-20240630" in html
    assert "east5_core 0.1.0" in html
    assert "2024-07-01T09:30:00+08:00" in html
    assert "1.23 s" in html
    assert "duckdb 1.1.3" in html
    assert "strong (强校验)" in html


def test_ready_verdict(run_result, tmp_path):
    run_result.verdict = "ready"
    text = render_string(run_result)
    assert '<header class="ready">' in text and "准予报送" in text and "不予报送" not in text


def test_summary_counts(html):
    def card(label):
        m = re.search(r'<div class="card[^"]*"><b>([^<]*)</b><span>' + re.escape(label), html)
        assert m, label
        return m.group(1)

    assert card("规则 rules") == "5"
    assert card("通过 passed") == "1"
    assert card("未通过 failed</span>") == "3"
    assert card("未执行 not run") == "1"
    assert card("未通过·强校验") == "1" and card("未通过·弱校验") == "1" and card("未通过·提示") == "1"
    assert card("问题记录 findings") == "4"
    assert card("读入行 rows read") == "1,004"
    assert card("检核行 rows checked") == "1,003"
    assert card("拒绝行 rows rejected") == "1"


def test_tables_section(html):
    section = html.split('<table id="tt"')[1].split("</table>")[0]
    assert "个人客户信息表" in section and "机构信息表" in section and "状态类" in section
    assert "GRKHXXB.txt" in section and "1,001 / 1" in section


def test_rule_rows(html, run_result):
    rows = _rule_rows(html)
    assert len(rows) == len(run_result.rules) == 5
    assert ("GRKHXXB", "strong", "not_run") in rows and ("JGXXB", "strong", "passed") in rows
    assert html.count('<button class="sb">') == 3  # one per failed rule with samples
    assert "0.20%" in html and "33.33%" in html
    assert "Customer name must not be empty" in html and "客户姓名不能为空" in html
    assert "<code>KHXM</code><span class=\"fname\">客户姓名</span>" in html
    assert "弱校验" in html and "未执行" in html
    # not_run note and failed-rule note are shown
    assert "引用表 JGXXB 文件被拒绝 referenced table rejected" in html
    assert "值已按 PII 规则脱敏 masked" in html
    # masked PII sample value, null and empty values
    assert "<td>张*</td>" in html
    assert '<span class="null">null</span>' in html
    assert "KHTYBH=C0421" in html


def test_filters_present(html):
    assert '<select id="ft">' in html and '<option value="GRKHXXB">GRKHXXB 个人客户信息表</option>' in html
    assert '<option value="strong">强校验 strong</option>' in html
    assert '<option value="open" selected>' in html and '<option value="all">' in html
    assert '<input type="search" id="fq"' in html
    assert 'data-page="200"' in html and 'data-spage="20"' in html
    assert '<select id="fc">' in html and '<option value="一致性">一致性</option>' in html


def test_payloads_are_escaped(html):
    assert XSS not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "客户姓名不应为单字 " + escaped in html  # the message
    assert "<td>" + escaped + "</td>" in html  # the sample value
    assert html.count("<script>") == 1  # only the report's own script


def test_escaping_everywhere(run_result):
    evil = '"><img src=x onerror=alert(1)>'
    run_result.submission = evil
    run_result.pack = {"name": evil, "version": XSS}
    run_result.engine = {evil: XSS}
    run_result.options = {"x": evil, "y": [XSS]}
    run_result.tables[0].name = XSS
    run_result.tables[0].files[0].path = evil
    for r in run_result.rules:
        r.table, r.id, r.field_name, r.category, r.note, r.message_en = evil, evil, XSS, evil, XSS, evil
        for s in r.samples:
            s.file, s.key, s.value = evil, XSS, evil
    text = render_string(run_result)
    assert XSS not in text and "<img" not in text
    assert len(_parse(text).scripts) == 1


def test_no_data_duplication(html):
    script = _parse(html).scripts[0]
    for needle in ("JS0105", "张*", "客户姓名", "GRKHXXB", "application/json"):
        assert needle not in script
    # each sample value appears once
    assert html.count("KHTYBH=C0088") == 1


def test_long_sample_list_all_in_dom(run_result):
    rule = next(r for r in run_result.rules if r.id == "JS0105")
    rule.samples = [Finding(rule.id, rule.table, "GRKHXXB.txt", i, f"K{i}", f"v{i}") for i in range(1, 101)]
    text = render_string(run_result)
    for i in (1, 21, 100):
        assert f"<td>K{i}</td>" in text  # paginated client-side, everything present without JS


def test_empty_result(run_result):
    run_result.rules, run_result.tables, run_result.verdict = [], [], "ready"
    text = render_string(run_result)
    assert "无规则 no rules" in text and "准予报送" in text


def test_ten_thousand_rules(tmp_path, big_result):
    result = big_result(10_000, 3)
    path = RENDERERS["html"](result, tmp_path)
    size = path.stat().st_size
    assert size < 15 * 1024 * 1024, size
    text = path.read_text(encoding="utf-8")
    assert len(_rule_rows(text)) == 10_000
    assert text.count('<button class="sb"') == text.count('<tr class="sx">') == 10_000
    assert "R09999" in text and "异常值2" in text


def _row_ids(text):
    """Rule ids in page order, with folded tables as ``group:CODE``."""
    return [m.group(1) or "group:" + m.group(2) for m in
            re.finditer(r'<tr data-t="[^"]*"[^>]*><td class="q"><code>([^<]*)</code>|<tr class="grp" data-grp="([^"]*)"',
                         text)]


def test_triage_order(run_result):
    more = [RuleResult(id=f"X{n}", table="JGXXB", table_name="机构信息表", kind="format", category="长度",
                       severity=sev, message_zh="m", message_en="m", status=status, checked=100, failed=failed)
            for n, (sev, status, failed) in enumerate([("weak", "failed", 7), ("strong", "failed", 9), ("info", "not_run", 0),
                                                       ("strong", "passed", 0), ("strong", "failed", 1)])]
    run_result.rules += more
    ids = _row_ids(render_string(run_result))
    # strong by failing records (9, 2, 1), weak (7, 1), info; not run strong then info; passed in the model's order
    assert ids == ["X1", "JS0105", "X4", "X0", "JS0012", "L-GRKH-07", "JS0230", "X2", "JS0001", "X3"]


def _absent(run_result):
    run_result.tables.append(TableResult(code="ZCHXB", name="资产核销表", kind="明细类", present=False))
    for rid, status in (("ZCHXB.A.required", "not_run"), ("ZCHXB.B.required", "not_run"), ("FILE.BOM", "passed"),
                        ("FILE.NOT_SUBMITTED", "failed")):
        run_result.rules.append(RuleResult(
            id=rid, table="ZCHXB", table_name="资产核销表", kind="file", category="其他", severity="strong",
            message_zh="m", message_en="m", status=status, failed=int(status == "failed"),
            note="table not in the submission" if status == "not_run" else None))
    return run_result


def test_rules_of_a_table_not_submitted_fold_into_one_line(run_result):
    text = render_string(_absent(run_result))
    ids = _row_ids(text)
    assert ids == ["JS0105", "FILE.NOT_SUBMITTED", "JS0012", "L-GRKH-07", "JS0230", "group:ZCHXB",
                   "ZCHXB.A.required", "ZCHXB.B.required", "FILE.BOM", "JS0001"]
    assert text.count('<tr class="grp"') == 1
    line = re.search(r'<tr class="grp" data-grp="ZCHXB">(.*?)</tr>', text).group(1)
    assert "资产核销表" in line and "表未报送 table not submitted" in line and "2 条规则未执行" in line and "1 条通过" in line
    folded = re.findall(r'<tr data-t="ZCHXB"[^>]*data-g="ZCHXB"><td class="q"><code>([^<]*)', text)
    assert folded == ["ZCHXB.A.required", "ZCHXB.B.required", "FILE.BOM"]  # the failure is not folded


def test_samples_in_a_full_width_row_of_their_own(html):
    rows = html.split("\n")
    i = next(n for n, line in enumerate(rows) if "<code>JS0105</code>" in line)
    assert rows[i].endswith('<button class="sb">2 条样本</button></td></tr>')
    assert rows[i + 1].startswith('<tr class="sx"><td colspan="11"><div><table class="smp">')
    assert "KHTYBH=C0017" in rows[i + 1] and "KHTYBH=C0421" in rows[i + 1]
    assert "#rb>tr.sx>td>div{overflow-x:auto;contain:inline-size" in html  # scrolls in its box, adds no width to the page
    passed = next(n for n, line in enumerate(rows) if "<code>JS0001</code>" in line)
    assert not rows[passed + 1].startswith('<tr class="sx">')


def test_sortable_headers(html):
    head = html.split('<table id="rt"')[1].split("</thead>")[0]
    assert re.findall(r'<th[^>]*data-sort="(\w+)"', head) == ["text", "text", "text", "text", "sev", "st", "num", "num",
                                                              "rate", "text", "num"]
    for table in ("ct", "tt"):
        assert f'<table id="{table}" class="srt">' in html


def test_pass_rate_bars_are_inline_svg(run_result):
    text = render_string(_absent(run_result))
    cats = text.split('<table id="ct"')[1].split("</table>")[0]
    # 完整性: JS0001 passed, JS0105 failed → 50 %; 其他 (the absent table's rules): 1 failed, 3 not run
    row = re.search(r'data-category="完整性".*?</tr>', cats).group(0)
    assert 'data-v="0.5"' in row and "50.00%" in row
    assert '<rect class="p" x="0.0" width="60.0" height="10"/><rect class="f" x="60.0" width="60.0" height="10"/>' in row
    other = re.search(r'data-category="其他".*?</tr>', cats).group(0)
    assert '<td class="n">4</td><td class="n">0</td><td class="n">1</td><td class="n">3</td>' in other
    assert '<rect class="f" x="0.0" width="30.0" height="10"/><rect class="n" x="30.0" width="90.0" height="10"/>' in other
    tables = text.split('<table id="tt"')[1].split("</table>")[0]
    jg = re.search(r'data-table="JGXXB".*?</tr>', tables).group(0)
    assert 'data-v="0.5"' in jg and "<svg class=\"bar\"" in jg
    zc = re.search(r'data-table="ZCHXB".*?</tr>', tables).group(0)
    assert "未报送 not submitted" in zc and "<svg" not in zc
    assert text.count("<svg") == text.count("</svg>") == 4 + 2  # 4 categories, 2 submitted tables
    assert "xlink" not in text and "href=\"http" not in text
