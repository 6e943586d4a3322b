// Runs the HTML report's inline script against a tiny fake DOM and prints what it shows, as JSON.
// Usage: node js_harness.js <script.js> <rules.json>   (rules.json: [{t, s, st, q: [cell texts]}])
"use strict";
const fs = require("fs");
const script = fs.readFileSync(process.argv[2], "utf8");
const spec = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));

function node(props) {
  const handlers = {};
  const n = Object.assign({
    hidden: false, attrs: {}, children: [], _text: "",
    addEventListener(type, fn) { (handlers[type] = handlers[type] || []).push(fn); },
    fire(type) { (handlers[type] || []).forEach((fn) => fn.call(n, {})); },
    appendChild(c) { n.children.push(c); },
    getAttribute(a) { return a in n.attrs ? n.attrs[a] : null; },
    setAttribute(a, v) { n.attrs[a] = String(v); },
    hasAttribute(a) { return a in n.attrs; },
  }, props);
  Object.defineProperty(n, "textContent", {
    get() { return n._text; }, set(v) { n.children = []; n._text = String(v); },
  });
  return n;
}

const rows = spec.map((r) => node({
  dataset: { t: r.t, s: r.s, st: r.st }, attrs: { "data-st": r.st },
  querySelectorAll: () => r.q.map((text) => ({ textContent: text })),
}));
const pagers = [node({}), node({})];
const ids = {
  rt: node({ attrs: { "data-page": "200", "data-spage": "20" } }), rb: { rows },
  fq: node({ value: "" }), ft: node({ value: "" }), fs: node({ value: "" }), fst: node({ value: "open" }),
  fcount: node({}),
};
const docHandlers = {};
global.document = {
  getElementById: (id) => ids[id],
  querySelectorAll: (sel) => (sel === "nav.pager" ? pagers : []),
  createElement: (tag) => node({ tag }),
  addEventListener: (type, fn) => { docHandlers[type] = fn; },
};
new Function(script)();

const out = {};
const visible = () => rows.map((r, i) => (r.hidden ? -1 : i)).filter((i) => i >= 0);
const buttons = (nav) => nav.children.filter((c) => c.tag === "button");
out.initial = { visible: visible().length, first: visible()[0], count: ids.fcount.textContent, pagerHidden: pagers[0].hidden };
ids.fst.value = "all"; ids.fst.fire("change");
out.all = { visible: visible().length, count: ids.fcount.textContent };
if (!pagers[0].hidden) {
  buttons(pagers[1])[2].fire("click"); // "next" on the bottom pager
  out.page2 = { visible: visible().length, first: visible()[0], label: pagers[0].children[2].textContent };
}
ids.ft.value = spec[0].t; ids.ft.fire("change");
out.table = { visible: visible().length };
ids.ft.value = ""; ids.fs.value = "info"; ids.fs.fire("change");
out.severity = { visible: visible().length };
ids.fs.value = ""; ids.fq.value = process.argv[4] || ""; ids.fq.fire("input");
setTimeout(() => {
  out.search = { visible: visible().length, ids: visible().slice(0, 5) };
  const srows = Array.from({ length: 45 }, () => ({ hidden: false }));
  const det = node({ open: true, querySelector: () => ({ rows: srows }) });
  docHandlers.toggle({ target: det });
  out.samples = { visible: srows.filter((r) => !r.hidden).length };
  buttons(det.children[0])[3].fire("click"); // "last page"
  out.samplesLast = { visible: srows.filter((r) => !r.hidden).length, first: srows.findIndex((r) => !r.hidden) };
  console.log(JSON.stringify(out));
}, 400);
