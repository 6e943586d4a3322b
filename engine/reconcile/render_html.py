"""``reconcile.html``: one self-contained, offline page (inline CSS, no scripts, strict CSP).

Findings are listed per class (every record, both sides' values side by side, differing values
highlighted) and per recipient (each finding in one line with both sides' values), then the
monthly changes, unit totals, out-of-scope records and the inputs. Jinja autoescaping is on:
data is never marked safe. The findings' rows, most of a large page, are written by Python
functions that escape every value as the template does (``_text``): the same bytes, a quarter of
the time.
"""
from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from ..report.common import fmt_duration, fmt_int, write_text
from ..rules.reconcile.classes import CHANGES, CLASSES
from .model import Finding, Record, ReconcileResult, RuleRun
from .render_common import (SIDE_ZH, VERDICT_EN, VERDICT_ZH, Column, columns, describe, differing_names, extra_columns,
                            place)

FILENAME = "reconcile.html"

TEMPLATE = r"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>对账报告 {{ r.submission }} — {{ verdict_zh[r.verdict] }}</title>
<style>
:root{--fg:#1f2328;--mut:#656d76;--bd:#d0d7de;--bg2:#f6f8fa;--red:#cf222e;--redbg:#ffebe9;--grn:#1a7f37;--grnbg:#dafbe1;--blu:#0969da}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;color:var(--fg)}
main{padding:0 20px 40px;max-width:1900px;margin:0 auto}
h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--bd)}
h3{font-size:15px;margin:18px 0 6px}
header{padding:16px 20px;border-bottom:4px solid}
header.matched{background:var(--grnbg);border-color:var(--grn)}
header.differences{background:var(--redbg);border-color:var(--red)}
.verdict{font-size:28px;font-weight:700;margin:0 0 8px}
.matched .verdict{color:var(--grn)}.differences .verdict{color:var(--red)}
.verdict small{font-size:14px;margin-left:10px;letter-spacing:.05em}
.meta{display:flex;flex-wrap:wrap;gap:4px 22px;margin:0}
.meta div{display:flex;gap:6px}.meta dt{color:var(--mut)}.meta dd{margin:0;font-weight:600}
.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid var(--bd);border-radius:6px;padding:8px 14px;min-width:110px;background:var(--bg2);text-decoration:none;color:inherit}
.card b{display:block;font-size:20px}.card span{color:var(--mut);font-size:12px}
.card.bad b{color:var(--red)}
.scroll{overflow-x:auto}
table{border-collapse:collapse}
th,td{border:1px solid var(--bd);padding:3px 6px;text-align:left;vertical-align:top}
th{background:var(--bg2);font-weight:600;white-space:nowrap}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.w{min-width:14em}
th.d,td.d{background:#f3f8ff}
td.diff{background:var(--redbg);color:var(--red);font-weight:600}
tr.first td{border-top:2px solid #8c959f}
small,.mut{color:var(--mut)}
code{font:12px/1.3 ui-monospace,SFMono-Regular,Consolas,monospace}
.b{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;white-space:nowrap;border:1px solid var(--red);color:var(--red);background:var(--redbg)}
.b.ok{border-color:var(--grn);color:var(--grn);background:var(--grnbg)}
.b.wait{border-color:var(--mut);color:var(--mut);background:var(--bg2)}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}
a{color:var(--blu)}
</style>
</head>
<body>
<header class="{{ r.verdict }}">
<p class="verdict">{{ verdict_zh[r.verdict] }}<small>{{ verdict_en[r.verdict] }}</small></p>
<dl class="meta">
<div><dt>本月数据</dt><dd>{{ r.submission }}</dd></div>
<div><dt>上月一致数据</dt><dd>{{ r.previous or '（全量对账）' }}</dd></div>
<div><dt>规则包</dt><dd>{{ r.pack.get('name', '') }} {{ r.pack.get('version', '') }}</dd></div>
<div><dt>开始</dt><dd>{{ r.started_at }}</dd></div>
<div><dt>耗时</dt><dd>{{ r.duration_s|duration }}</dd></div>
<div><dt>引擎</dt><dd>{% for k, v in r.engine.items() %}{{ k }} {{ v }}{{ ', ' if not loop.last }}{% endfor %}</dd></div>
{% if r.options.get('set') %}<div><dt>参数覆盖</dt><dd>{{ r.options['set']|join('; ') }}</dd></div>{% endif %}
</dl>
</header>
<main>
<h2>概况</h2>
<div class="cards">
<div class="card"><b>{{ s.reconciled_debt|num }} / {{ s.records_debt|num }}</b><span>债务方记录（参与比对 / 范围内）</span></div>
<div class="card"><b>{{ s.reconciled_creditor|num }} / {{ s.records_creditor|num }}</b><span>债权方记录（参与比对 / 范围内）</span></div>
{% for c in classes %}
<a class="card{{ ' bad' if c.discrepancy and s.groups[c.code] }}" href="#c-{{ c.code }}"><b>{{ s.groups[c.code]|num }}</b><span>{{ c.label_zh }}{% if c.term != c.label_zh %}（{{ c.term }}）{% endif %}</span></a>
{% endfor %}
<div class="card{{ ' bad' if s.rules_not_run }}"><b>{{ s.rules_not_run }}</b><span>未执行规则</span></div>
<div class="card{{ ' bad' if s.rows_rejected }}"><b>{{ s.rows_rejected|num }}</b><span>无法读取的行</span></div>
<div class="card"><b>{{ s.recipients|num }}</b><span>接收方</span></div>
</div>
<p class="mut">数字为差异组数：同一匹配键下双方的全部记录为一组；一致与错报、少报、多报各为一对记录。</p>

<h2>对账规则</h2>
<div class="scroll"><table>
<tr><th>规则</th><th>债务方</th><th>债权方</th><th>状态</th><th class="n">债务方记录</th><th class="n">债权方记录</th>{% for c in classes %}<th class="n">{{ c.label_zh }}</th>{% endfor %}</tr>
{% for run in r.rules %}
<tr><td><code>{{ run.id }}</code><br><small>{{ run.message }}</small></td>
<td>{{ run.debt_table_name }} <code>{{ run.debt_table }}</code>{% if run.scope_debt %}<br><small>范围：{{ run.scope_debt }}</small>{% endif %}</td>
<td>{{ run.creditor_table_name }} <code>{{ run.creditor_table }}</code>{% if run.scope_creditor %}<br><small>范围：{{ run.scope_creditor }}</small>{% endif %}</td>
<td>{% if run.status == 'run' %}<span class="b ok">已执行</span>{% else %}<span class="b">未执行</span>{% endif %}{% if run.note %}<br><small>{{ run.note }}</small>{% endif %}</td>
<td class="n">{{ run.reconciled_debt|num }} / {{ run.records_debt|num }}</td><td class="n">{{ run.reconciled_creditor|num }} / {{ run.records_creditor|num }}</td>
{% for c in classes %}<td class="n">{{ run.counts[c.code]|num }}</td>{% endfor %}</tr>
{% endfor %}
</table></div>
{% for run in r.rules %}
<details><summary>{{ run.id }}：匹配键、比对字段与阈值</summary>
<table><tr><th>角色</th><th>债务方字段</th><th>债权方字段</th><th>规范化 / 容差</th></tr>
{% for f in run.fields %}<tr><td>{{ roles[f.role] }}</td><td>{{ f.name }} <code>{{ f.field }}</code></td><td>{{ f.other_name }} <code>{{ f.other }}</code></td><td>{{ f.rule }}</td></tr>{% endfor %}
</table>
<p>瞒报金额阈值：{{ run.thresholds.conceal_min_balance or '未设置（不判瞒报）' }}；单位倍数：{{ run.thresholds.scale_factors|join('、') or '不检查' }}（容差 {{ run.thresholds.scale_tolerance }}）</p>
</details>
{% endfor %}

<h2>差异类别定义</h2>
<table><tr><th>类别</th><th>平台口径</th><th>定义</th></tr>
{% for c in classes %}<tr><td>{{ c.label_zh }} <small>{{ c.code }}</small></td><td>{{ c.term }}</td><td>{{ c.definition_zh }}</td></tr>{% endfor %}
</table>

<h2>按差异类别列示</h2>
{% if not r.findings %}<p>全部一致，没有差异。</p>{% endif %}
{% for c in classes if c.discrepancy and s.groups[c.code] %}
<h3 id="c-{{ c.code }}">{{ c.label_zh }}{% if c.term != c.label_zh %}（{{ c.term }}）{% endif %} — {{ s.groups[c.code]|num }} 组</h3>
<p class="mut">{{ c.definition_zh }}</p>
{% for run in r.rules %}{% set items = by_class.get((c.code, run.id), []) %}{% if items %}
<p><b>{{ run.id }}</b> {{ run.debt_table_name }} ↔ {{ run.creditor_table_name }}</p>
{% set cols = layout[run.id] %}
<div class="scroll"><table>
<tr><th>序号</th><th>接收方</th><th>状态</th><th>说明</th><th>债务方文件:行</th><th>债权方文件:行</th>{% for col in cols %}<th class="{{ 'd' if col.side == 'debt' }}">{{ col.title }}</th>{% endfor %}</tr>
{% for f in items %}{{ finding_rows(f, run, cols) }}{% endfor %}
</table></div>
{% endif %}{% endfor %}
{% endfor %}

<h2>按接收方列示</h2>
{% if not recipients %}<p>没有需要反馈的差异。</p>{% endif %}
{% for rec in recipients %}
<details{% if loop.index <= 20 %} open{% endif %}><summary>{{ rec.kind_label }}：{{ rec.name }} <code>{{ rec.code }}</code> — {{ rec.findings|length }} 组（{% for k, v in rec.counts.items() %}{{ class_zh[k] }} {{ v }}{{ '，' if not loop.last }}{% endfor %}）</summary>
{% if rec.note %}<p class="mut">{{ rec.note }}</p>{% endif %}
<div class="scroll"><table>
<tr><th>序号</th><th>规则</th><th>差异类别</th><th>状态</th><th>差异字段</th><th>债务方 ↔ 债权方</th><th class="n">债务方余额</th><th class="n">债权方余额</th><th class="n">差额</th><th>债务方文件:行</th><th>债权方文件:行</th></tr>
{% for fid in rec.findings %}{{ recipient_row(by_id[fid]) }}{% endfor %}
</table></div>
</details>
{% endfor %}

{% if r.replies is not none %}
<h2 id="replies">反馈回复与确认状态</h2>
<p class="mut">读回 {{ r.replies.folder }} 中 {{ r.replies.files|length }} 个反馈工作簿的 {{ r.replies.read|num }} 条回复。
状态：{% for k, v in s.statuses.items() %}{{ k }} {{ v|num }}{{ '，' if not loop.last }}{% endfor %}；已解决 {{ r.replies.resolved|length }}。
有异议：任一接收方有异议；已确认：每个接收方均已确认；其余为待确认。</p>
{% if r.replies.problems %}<h3>无法读取的回复</h3><ul>{% for p in r.replies.problems %}<li>{{ p }}</li>{% endfor %}</ul>{% endif %}
{% set answered = r.findings|selectattr('replies')|list %}
{% if answered %}
<h3>本月仍存在、已有回复的差异</h3>
<div class="scroll"><table>
<tr><th>序号</th><th>差异标识</th><th>差异类别</th><th>状态</th><th>首次报告</th><th>接收方</th><th>回复状态</th><th>核实情况</th><th>处理说明</th><th>文件</th></tr>
{% for f in answered %}{% for rep in f.replies %}<tr>
{% if loop.first %}<td rowspan="{{ f.replies|length }}"><a href="#f-{{ f.id }}"><code>{{ f.id }}</code></a></td><td rowspan="{{ f.replies|length }}"><code>{{ f.ref }}</code></td><td rowspan="{{ f.replies|length }}">{{ class_zh[f.cls] }}</td><td rowspan="{{ f.replies|length }}">{{ badge(f) }}</td><td rowspan="{{ f.replies|length }}">{{ f.first_reported or '' }}</td>{% endif %}
<td>{{ rep.recipient.name or rep.recipient.code or '' }}</td><td>{{ rep.status or '待确认' }}</td><td class="w">{{ rep.text }}</td><td class="w">{{ rep.action }}</td><td><small>{{ rep.file }}</small></td></tr>{% endfor %}{% endfor %}
</table></div>
{% endif %}
{% if r.replies.resolved %}
<h3>已解决（回复中有、本月已无差异）</h3>
<div class="scroll"><table>
<tr><th>差异标识</th><th>规则</th><th>首次报告</th><th>最后状态</th><th>回复</th></tr>
{% for x in r.replies.resolved %}<tr><td><code>{{ x.ref }}</code></td><td><code>{{ x.rule }}</code></td><td>{{ x.first_reported or '' }}</td><td>{{ x.last_status }}</td>
<td class="w">{% for rep in x.replies %}{{ rep.recipient.name or '' }}：{{ rep.status or '' }} {{ rep.text }}{{ '；' if not loop.last }}{% endfor %}</td></tr>{% endfor %}
</table></div>
{% endif %}
{% endif %}

{% if r.changes is not none %}
<h2>月度变动（与上月一致数据比较）</h2>
<p class="mut">只对发生变动的匹配键重新对账；双方均未变动的记录沿用上月一致结果。</p>
<table><tr><th>规则</th><th>方</th>{% for k, v in changes.items() if k != 'unchanged' %}<th class="n">{{ v[0] }}</th>{% endfor %}</tr>
{% for run in r.rules %}{% for side in ['debt', 'creditor'] %}<tr><td><code>{{ run.id }}</code></td><td>{{ side_zh[side] }}</td>
{% for k in changes if k != 'unchanged' %}<td class="n">{{ change_counts.get((run.id, side, k), 0)|num }}</td>{% endfor %}</tr>{% endfor %}{% endfor %}
</table>
{% if r.changes %}
<div class="scroll"><table>
<tr><th>规则</th><th>方</th><th>变动</th><th>匹配键</th><th class="n">本月记录</th><th class="n">上月记录</th><th class="n">本月余额</th><th class="n">上月余额</th><th>变动字段</th><th>本月文件:行</th><th>上月文件:行</th></tr>
{% for ch in r.changes %}<tr><td><code>{{ ch.rule }}</code></td><td>{{ side_zh[ch.side] }}</td><td>{{ changes[ch.change][0] }}</td><td><code>{{ ch.match_key|join(' | ') }}</code></td>
<td class="n">{{ ch.records_now if ch.records_now is not none else '' }}</td><td class="n">{{ ch.records_before if ch.records_before is not none else '' }}</td>
<td class="n">{{ ch.balance_now or '' }}</td><td class="n">{{ ch.balance_before or '' }}</td><td>{{ field_names(ch) }}</td>
<td>{{ (ch.file ~ ':' ~ ch.line) if ch.file else '' }}</td><td>{{ (ch.previous_file ~ ':' ~ ch.previous_line) if ch.previous_file else '' }}</td></tr>{% endfor %}
</table></div>
{% endif %}
{% endif %}

<h2>单位汇总（余额合计，范围内全部记录）</h2>
<div class="scroll"><table>
<tr><th>统一社会信用代码</th><th>单位名称</th><th>平台登记</th><th class="n">债务方记录</th><th class="n">债权方记录</th><th class="n">债务方余额</th><th class="n">债权方余额</th><th class="n">差额（债务方 − 债权方）</th></tr>
{% for u in r.units %}<tr><td><code>{{ u.uscc }}</code></td><td>{{ u.name or '' }}</td><td>{{ '是' if u.registered else '否' }}</td><td class="n">{{ u.records_debt|num }}</td><td class="n">{{ u.records_creditor|num }}</td>
<td class="n">{{ u.balance_debt }}</td><td class="n">{{ u.balance_creditor }}</td><td class="n{{ ' diff' if u.difference != '0.00' }}">{{ u.difference }}</td></tr>{% endfor %}
</table></div>

{% if r.out_of_scope %}
<h2>未纳入对账范围的记录</h2>
<table><tr><th>表</th><th>文件:行</th><th>主键</th><th>说明</th></tr>
{% for o in r.out_of_scope %}<tr><td><code>{{ o.table }}</code></td><td>{{ o.file }}:{{ o.line }}</td><td><code>{{ o.key or '' }}</code></td><td>{{ o.note }}</td></tr>{% endfor %}
</table>
{% endif %}

<h2>输入</h2>
<table><tr><th>数据</th><th>表</th><th>文件</th><th class="n">读取行数</th><th class="n">无法读取</th></tr>
{% for t in r.inputs %}<tr><td>{{ '本月' if t.role == 'current' else '上月' }}</td><td>{{ t.name }} <code>{{ t.table }}</code></td><td>{{ t.files|join(', ') }}</td><td class="n">{{ t.rows_read|num }}</td><td class="n">{{ t.rows_rejected|num }}</td></tr>{% endfor %}
</table>
{% if r.file_findings %}
<h3>文件问题</h3>
<table><tr><th>数据</th><th>检查</th><th>文件:行</th><th>说明</th></tr>
{% for f in r.file_findings %}<tr><td>{{ '本月' if f.role == 'current' else '上月' }}</td><td><code>{{ f.rule }}</code></td><td>{{ f.file or '' }}{{ (':' ~ f.line) if f.line else '' }}</td><td>{{ f.message }} {{ f.value or '' }}</td></tr>{% endfor %}
</table>
{% endif %}
</main>
</body>
</html>
"""


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters.update(num=fmt_int, duration=fmt_duration)
    return env.from_string(TEMPLATE)


def _text(value) -> str:
    """A value as the template's autoescaping prints it (markup as it is), for the rows written in
    Python below: the same bytes, without a template call per cell."""
    if type(value) is str:
        return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace('"', "&#34;").replace("'", "&#39;"))
    return str(escape(value))


def _place_cell(record: Record | None) -> str:
    return f"<td>{_text(place([record]))}</td>" if record is not None else "<td></td>"


def _finding_rows(f: Finding, run: RuleRun, cols: list[Column]) -> Markup:
    """A finding in the listing per class: a row per record (debt and creditor side by side), its
    values in the rule's columns, the differing ones marked. Written here rather than in the
    template: a listing of 32,000 findings has some two million cells."""
    n = max(len(f.debt), len(f.creditor))
    differing = set(f.differing_fields)
    marks = [("diff" if col.pair is not None and run.fields[col.pair].field in differing
              else "d" if col.side == "debt" else "") for col in cols]
    out = []
    for i in range(n):
        d = f.debt[i] if i < len(f.debt) else None
        cr = f.creditor[i] if i < len(f.creditor) else None
        if i == 0:
            fid = _text(f.id)
            out.append(f'<tr class="first" id="f-{fid}">\n<td rowspan="{n}"><code>{fid}</code></td>'
                       f'<td rowspan="{n}" class="w">{_text(f.recipient.name)}')
            if f.creditor_recipient:
                out.append(f"<br><small>{_text(f.creditor_recipient.name)}</small>")
            out.append(f'</td><td rowspan="{n}">{_badge(f)}')
            if f.first_reported:
                out.append(f"<br><small>首次 {_text(f.first_reported)}</small>")
            out.append(f'</td><td rowspan="{n}" class="w">{_text(describe(f))}</td>')
        else:
            out.append("<tr>\n")
        out.append(f"{_place_cell(d)}{_place_cell(cr)}\n")
        for col, mark in zip(cols, marks):
            rec = d if col.side == "debt" else cr
            value = rec.values.get(col.code) if rec is not None else None
            out.append(f'<td class="{mark}">{"" if value is None else _text(value)}</td>')
        out.append("</tr>\n")
    return Markup("".join(out))


def _recipient_row(f: Finding, runs: dict[str, RuleRun]) -> Markup:
    """A finding in one line of a recipient's listing (written here for the reason above)."""
    fid = _text(f.id)
    return Markup(
        f'<tr><td><a href="#f-{fid}"><code>{fid}</code></a></td><td><code>{_text(f.rule)}</code></td>'
        f"<td>{_text(CLASSES[f.cls].label_zh)}</td><td>{_badge(f)}</td><td>{_text(differing_names(f, runs[f.rule]))}</td>"
        f"<td>{_text(describe(f))}</td>\n"
        f'<td class="n">{_text(f.balance_debt or "")}</td><td class="n">{_text(f.balance_creditor or "")}</td>'
        f'<td class="n">{_text(f.balance_difference or "")}</td>\n'
        f"<td>{_text(place(f.debt))}</td><td>{_text(place(f.creditor))}</td></tr>\n")


def render_string(result: ReconcileResult) -> str:
    by_class: dict[tuple[str, str], list] = {}
    for f in result.findings:
        by_class.setdefault((f.cls, f.rule), []).append(f)
    runs = {r.id: r for r in result.rules}
    change_counts: dict[tuple[str, str, str], int] = {}
    for ch in result.changes or []:
        change_counts[(ch.rule, ch.side, ch.change)] = change_counts.get((ch.rule, ch.side, ch.change), 0) + 1
    return _template().render(
        r=result, s=result.summary(), classes=list(CLASSES.values()), verdict_zh=VERDICT_ZH, verdict_en=VERDICT_EN,
        roles={"key": "匹配键", "balance": "余额", "compare": "比对字段"}, by_class=by_class,
        layout={r.id: columns(r) + extra_columns(r) for r in result.rules},
        recipients=result.recipients(), by_id={f.id: f for f in result.findings},
        class_zh={c: CLASSES[c].label_zh for c in CLASSES},
        changes=CHANGES, change_counts=change_counts, side_zh=SIDE_ZH, badge=_badge,
        finding_rows=_finding_rows, recipient_row=partial(_recipient_row, runs=runs),
        field_names=lambda ch: "、".join(next((f.name for f in runs[ch.rule].fields if f.field == code), code)
                                         for code in ch.fields))


def _badge(f) -> Markup:
    """The status of a difference as a badge (escaped text in fixed markup)."""
    css = {"已确认": "b ok", "有异议": "b", "待确认": "b wait"}.get(f.status, "b wait")
    return Markup(f'<span class="{css}">{_text(f.status)}</span>')


def render(result: ReconcileResult, out_dir: Path) -> list[Path]:
    return [write_text(out_dir, FILENAME, render_string(result))]
