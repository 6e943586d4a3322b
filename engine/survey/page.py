"""What the survey and history pages share: an offline page shell (strict CSP, inline CSS and JS),
tables that sort on a click of their header, and inline-SVG bars. Every value is escaped here;
callers pass plain text, never markup, except cells built by these helpers.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..report.common import fmt_int, fmt_rate

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
CSS = """
body{font:14px/1.45 system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#0b3d66;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.85}
main{padding:16px 24px;max-width:1500px}section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:12px 16px;margin:0 0 16px}
h2{font-size:16px;margin:0 0 8px}table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{background:#f0f3f6;position:sticky;top:0;cursor:pointer;user-select:none;white-space:nowrap}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}.ready{color:#1a7f37}.not_ready{color:#cf222e;font-weight:600}.unreadable{color:#9a6700;font-weight:600}
.kpi{display:flex;gap:24px;flex-wrap:wrap}.kpi div{min-width:120px}.kpi b{display:block;font-size:22px}
.muted{color:#57606a}.wrap{overflow-x:auto}input[type=search]{padding:4px 8px;width:260px;margin:0 0 8px}
svg text{font:11px system-ui,sans-serif}details{margin:4px 0}
"""
JS = """
document.querySelectorAll('table.sortable').forEach(function(t){
  var ths=t.tHead.rows[0].cells;
  Array.prototype.forEach.call(ths,function(th,i){th.addEventListener('click',function(){
    var dir=th.getAttribute('aria-sort')==='descending'?'ascending':'descending';
    Array.prototype.forEach.call(ths,function(o){o.removeAttribute('aria-sort')});th.setAttribute('aria-sort',dir);
    var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
    rows.sort(function(a,b){var x=a.cells[i].getAttribute('data-v')||a.cells[i].innerText,y=b.cells[i].getAttribute('data-v')||b.cells[i].innerText;
      var nx=parseFloat(x),ny=parseFloat(y),c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y,'zh');return dir==='ascending'?c:-c});
    rows.forEach(function(r){body.appendChild(r)});});});
});
document.querySelectorAll('input[data-filter]').forEach(function(inp){inp.addEventListener('input',function(){
  var q=inp.value.toLowerCase(),t=document.getElementById(inp.getAttribute('data-filter'));
  Array.prototype.forEach.call(t.tBodies[0].rows,function(r){r.style.display=r.innerText.toLowerCase().indexOf(q)<0?'none':''});
  var n=Array.prototype.filter.call(t.tBodies[0].rows,function(r){return r.style.display!=='none'}).length;
  var c=document.getElementById(inp.getAttribute('data-filter')+'-count');if(c)c.textContent=n;});});
"""


@dataclass(frozen=True)
class Cell:
    """A table cell: shown text, the value it sorts by, right-aligned when numeric, or trusted markup."""

    text: str
    sort: str | float | int | None = None
    numeric: bool = False
    markup: bool = False  # built by bar()/this module, not data


def num(n: int | None) -> Cell:
    return Cell(fmt_int(n), n if n is not None else -1, numeric=True)


def pct(r: float | None) -> Cell:
    return Cell(fmt_rate(r or 0.0), r or 0.0, numeric=True)


def bar(fraction: float, width: int = 120, color: str = "#cf222e", label: str = "") -> Cell:
    """A horizontal bar (inline SVG) for a value in 0..1 of the column's scale, with its label."""
    w = max(0.0, min(1.0, fraction)) * width
    svg = (f'<svg width="{width + 70}" height="14" role="img" aria-label="{escape(label)}">'
           f'<rect x="0" y="2" width="{width}" height="10" fill="#eaeef2"/>'
           f'<rect x="0" y="2" width="{w:.1f}" height="10" fill="{color}"/>'
           f'<text x="{width + 4}" y="12">{escape(label)}</text></svg>')
    return Cell(svg, fraction, numeric=True, markup=True)


def table(table_id: str, headers: list[str], rows: list[list], caption: str | None = None,
          filter_box: bool = False) -> str:
    """A sortable table; a search box filters its rows when ``filter_box``."""
    out = []
    if filter_box:
        out.append(f'<input type="search" placeholder="筛选 filter…" data-filter="{escape(table_id)}"> '
                   f'<span class="muted"><span id="{escape(table_id)}-count">{len(rows)}</span> 行 rows</span>')
    out.append(f'<div class="wrap"><table id="{escape(table_id)}" class="sortable">')
    if caption:
        out.append(f"<caption class=\"muted\">{escape(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in headers) + "</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>" + "".join(_td(c) for c in row) + "</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _td(cell) -> str:
    if not isinstance(cell, Cell):
        cell = Cell("" if cell is None else str(cell))
    attrs = ' class="n"' if cell.numeric else ""
    if cell.sort is not None:
        attrs += f' data-v="{escape(str(cell.sort))}"'
    return f"<td{attrs}>{cell.text if cell.markup else escape(cell.text)}</td>"


def styled(text: str, css_class: str) -> Cell:
    return Cell(f'<span class="{escape(css_class)}">{escape(text)}</span>', text, markup=True)


def page(title: str, subtitle: str, sections: list[tuple[str, str]], generator: str) -> str:
    """The whole page: header, then each (heading, markup) section."""
    body = "\n".join(f"<section><h2>{escape(h)}</h2>\n{markup}</section>" for h, markup in sections)
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="{escape(generator)}">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{escape(title)}</h1><p>{escape(subtitle)}</p></header><main>{body}</main>"
            f"<script>{JS}</script></body></html>\n")


def kpis(items: list[tuple[str, str]]) -> str:
    return '<div class="kpi">' + "".join(f"<div><b>{escape(v)}</b><span class=\"muted\">{escape(k)}</span></div>"
                                         for k, v in items) + "</div>"
