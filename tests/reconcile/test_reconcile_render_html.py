"""reconcile.html's finding rows, written in Python for speed, against the template they replaced.

The listing per class and the lines per recipient were Jinja loops (one template call per cell: some
two million for 32,000 findings). The oracle below is that template text, rendered with the page's
own settings; the Python rows must give the same characters for findings whose values hold every
character HTML escapes."""
from __future__ import annotations

import dataclasses

import jinja2

from engine.reconcile.render_common import columns, describe, differing_names, extra_columns, place
from engine.reconcile.render_html import _badge, _finding_rows, _recipient_row, render_string
from engine.rules.reconcile.classes import CLASSES

from tests.reconcile.helpers import bank, loan, reconcile

HOSTILE = "<script>alert('x')</script> & \"q\""

ORACLE_ROWS = r"""{% for f in items %}{% set n = [f.debt|length, f.creditor|length]|max %}
{% for i in range(n) %}{% set d = f.debt[i] if i < f.debt|length else none %}{% set cr = f.creditor[i] if i < f.creditor|length else none %}
<tr{% if i == 0 %} class="first" id="f-{{ f.id }}"{% endif %}>
{% if i == 0 %}<td rowspan="{{ n }}"><code>{{ f.id }}</code></td><td rowspan="{{ n }}" class="w">{{ f.recipient.name }}{% if f.creditor_recipient %}<br><small>{{ f.creditor_recipient.name }}</small>{% endif %}</td><td rowspan="{{ n }}">{{ badge(f) }}{% if f.first_reported %}<br><small>首次 {{ f.first_reported }}</small>{% endif %}</td><td rowspan="{{ n }}" class="w">{{ describe(f) }}</td>{% endif %}
<td>{{ d.file ~ ':' ~ d.line if d else '' }}</td><td>{{ cr.file ~ ':' ~ cr.line if cr else '' }}</td>
{% for col in cols %}{% set rec = d if col.side == 'debt' else cr %}<td class="{{ 'diff' if col.pair is not none and run.fields[col.pair].field in f.differing_fields else ('d' if col.side == 'debt') }}">{{ rec.values.get(col.code) if rec and rec.values.get(col.code) is not none else '' }}</td>{% endfor %}
</tr>
{% endfor %}{% endfor %}
"""

ORACLE_RECIPIENT = r"""{% for f in items %}
<tr><td><a href="#f-{{ f.id }}"><code>{{ f.id }}</code></a></td><td><code>{{ f.rule }}</code></td><td>{{ class_zh[f.cls] }}</td><td>{{ badge(f) }}</td><td>{{ names(f) }}</td><td>{{ describe(f) }}</td>
<td class="n">{{ f.balance_debt or '' }}</td><td class="n">{{ f.balance_creditor or '' }}</td><td class="n">{{ f.balance_difference or '' }}</td>
<td>{{ place(f.debt) }}</td><td>{{ place(f.creditor) }}</td></tr>
{% endfor %}
"""


def _oracle(text: str, **context) -> str:
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.from_string(text).render(badge=_badge, describe=describe, place=place,
                                        class_zh={c: CLASSES[c].label_zh for c in CLASSES}, **context)


def _hostile_result(tmp_path):
    """Findings of several classes and shapes (a pair with differences, a duplicate over three rows,
    one side only, a record without a value), their text full of characters HTML escapes."""
    debts = [loan(1, BALANCE="7000000.00", UNIT_NAME=HOSTILE), loan(2, RATE="5.1"), loan(3), loan(3),
             loan(4, CONTRACT_NO="HT<4>&'0004\"", CURRENCY=""), loan(5, BRANCH_NAME=HOSTILE)]
    banks = [bank(1, BORROWER_NAME=HOSTILE), bank(2), bank(3), bank(6, BRANCH_NAME=HOSTILE)]
    result = reconcile(tmp_path, debts, banks)
    assert {f.cls for f in result.findings} >= {"under_reported", "misreported", "duplicate", "debt_only", "concealed"}
    # what only replies set: a status of each kind and the month first reported
    statuses = ["已确认", "有异议", "待确认"]
    result.findings = [dataclasses.replace(f, status=statuses[i % 3], first_reported=None if i % 2 else "2024<05>")
                       for i, f in enumerate(result.findings)]
    return result


def test_the_rows_per_class_are_those_of_the_template(tmp_path):
    result = _hostile_result(tmp_path)
    runs = {r.id: r for r in result.rules}
    for f in result.findings:
        run = runs[f.rule]
        cols = columns(run) + extra_columns(run)
        assert str(_finding_rows(f, run, cols)) == _oracle(ORACLE_ROWS, items=[f], run=run, cols=cols), f.id


def test_the_lines_per_recipient_are_those_of_the_template(tmp_path):
    result = _hostile_result(tmp_path)
    runs = {r.id: r for r in result.rules}
    names = lambda f: differing_names(f, runs[f.rule])  # noqa: E731 — as the page's context had it
    for f in result.findings:
        assert str(_recipient_row(f, runs)) == _oracle(ORACLE_RECIPIENT, items=[f], names=names), f.id


def test_the_page_escapes_what_the_records_hold(tmp_path):
    page = render_string(_hostile_result(tmp_path))
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;q&#34;" in page
    assert "HT&lt;4&gt;&amp;&#39;0004&#34;" in page
