// Runs the HTML report's inline script against a small fake DOM built from the page itself, then
// drives it (filters, paging, sorting, folded tables, samples) and prints what it shows, as JSON.
// Usage: node js_harness.js <script.js> <tree.json> <actions.json>
//   tree.json: the page's element tree [tag, {attrs}, [children…]] (text children are strings).
//   actions.json: [[action, …args], …]; every "snap" action records the rows shown at that point.
"use strict";
const fs = require("fs");
const script = fs.readFileSync(process.argv[2], "utf8");
const tree = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const actions = JSON.parse(fs.readFileSync(process.argv[4], "utf8"));

class Text {
  constructor(text) { this.text = text; this.parentNode = null; }
  get textContent() { return this.text; }
}

class El {
  constructor(tag, attrs) {
    this.tagName = tag.toUpperCase();
    this.attrs = Object.assign({}, attrs);
    this.children = [];
    this.parentNode = null;
    this.handlers = {};
    this.hidden = "hidden" in this.attrs;
    this.disabled = "disabled" in this.attrs;
    this._value = null;
    this.type = this.attrs.type || "";
  }
  getAttribute(a) { return a in this.attrs ? this.attrs[a] : null; }
  setAttribute(a, v) { this.attrs[a] = String(v); }
  hasAttribute(a) { return a in this.attrs; }
  get className() { return this.attrs.class || ""; }
  set className(v) { this.attrs.class = v; }
  get classList() {
    const el = this;
    return {
      add(c) { if (!this.contains(c)) el.className = (el.className + " " + c).trim(); },
      contains(c) { return el.className.split(/\s+/).includes(c); },
    };
  }
  get dataset() {
    const out = {};
    for (const [k, v] of Object.entries(this.attrs))
      if (k.startsWith("data-")) out[k.slice(5).replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = v;
    return out;
  }
  get elements() { return this.children.filter((c) => c instanceof El); }
  get textContent() { return this.children.map((c) => c.textContent).join(""); }
  set textContent(v) { this.children = [new Text(String(v))]; }
  get value() {
    if (this._value !== null) return this._value;
    if (this.tagName === "SELECT") {
      const opts = this.querySelectorAll("option");
      const sel = opts.find((o) => o.hasAttribute("selected")) || opts[0];
      return sel ? sel.getAttribute("value") : "";
    }
    return this.getAttribute("value") || "";
  }
  set value(v) { this._value = v; }
  appendChild(c) {
    if (c.parentNode) c.parentNode.children = c.parentNode.children.filter((x) => x !== c);
    this.children.push(c);
    c.parentNode = this;
    return c;
  }
  get rows() {
    if (this.tagName === "TABLE") return this.elements.flatMap((s) => s.elements.filter((r) => r.tagName === "TR"));
    return this.elements.filter((r) => r.tagName === "TR");
  }
  get cells() { return this.elements.filter((c) => c.tagName === "TD" || c.tagName === "TH"); }
  get tHead() { return this.elements.find((c) => c.tagName === "THEAD") || null; }
  get tBodies() { return this.elements.filter((c) => c.tagName === "TBODY"); }
  descendants() { return this.elements.flatMap((c) => [c, ...c.descendants()]); }
  querySelectorAll(sel) { return this.descendants().filter((el) => matches(el, sel, this)); }
  querySelector(sel) { return this.querySelectorAll(sel)[0] || null; }
  addEventListener(type, fn) { (this.handlers[type] = this.handlers[type] || []).push(fn); }
  dispatch(type, bubbles) {
    const ev = { type, target: this };
    for (let el = this; el; el = bubbles ? el.parentNode : null) (el.handlers[type] || []).forEach((fn) => fn.call(el, ev));
  }
  click() { if (!this.disabled) this.dispatch("click", true); }
  scrollIntoView() {}
}

function compound(el, part) {
  const m = /^([a-z0-9]*)((?:[.#][\w-]+|\[[\w-]+\])*)$/i.exec(part);
  if (!m) throw new Error("selector not supported: " + part);
  if (m[1] && el.tagName !== m[1].toUpperCase()) return false;
  for (const t of m[2].match(/[.#][\w-]+|\[[\w-]+\]/g) || []) {
    if (t[0] === "." && !el.classList.contains(t.slice(1))) return false;
    if (t[0] === "#" && el.getAttribute("id") !== t.slice(1)) return false;
    if (t[0] === "[" && !el.hasAttribute(t.slice(1, -1))) return false;
  }
  return true;
}
function matches(el, selector, root) {
  return selector.split(",").some((one) => {
    const parts = one.trim().split(/\s+/);
    if (!compound(el, parts[parts.length - 1])) return false;
    let i = parts.length - 2, cur = el.parentNode;
    while (i >= 0 && cur && cur !== root) { if (compound(cur, parts[i])) i--; cur = cur.parentNode; }
    return i < 0;
  });
}

function build(node) {
  if (typeof node === "string") return new Text(node);
  const [tag, attrs, kids] = node;
  const el = new El(tag, attrs);
  for (const k of kids) el.appendChild(build(k));
  return el;
}
const root = build(tree);
const byId = (id) => root.descendants().find((e) => e.getAttribute("id") === id) || null;
const docHandlers = {};
global.document = {
  getElementById: byId,
  querySelectorAll: (sel) => root.querySelectorAll(sel),
  querySelector: (sel) => root.querySelector(sel),
  createElement: (tag) => new El(tag, {}),
  addEventListener: (type, fn) => { docHandlers[type] = fn; },
};
new Function(script)();

// What the rules table shows: each visible row of #rb as "id" (rule), "group:CODE" or "samples:id".
function shown() {
  const body = byId("rb");
  const out = [];
  let lastId = null;
  for (const tr of body.rows) {
    if (tr.hasAttribute("data-st")) lastId = tr.cells[0].textContent.trim();
    if (tr.hidden) continue;
    if (tr.hasAttribute("data-st")) out.push(lastId);
    else if (tr.hasAttribute("data-grp")) out.push("group:" + tr.getAttribute("data-grp"));
    else if (tr.className === "sx") out.push("samples:" + lastId);
  }
  return out;
}
function visibleSamples(id) {
  const body = byId("rb");
  const rows = body.rows;
  const i = rows.findIndex((tr) => tr.hasAttribute("data-st") && tr.cells[0].textContent.trim() === id);
  const sx = rows[i + 1];
  return sx.querySelector("tbody").rows.filter((r) => !r.hidden).map((r) => r.cells[1].textContent);
}
const buttons = (nav) => nav.elements.filter((c) => c.tagName === "BUTTON");

const out = [];
let step = 0;
function run() {
  while (step < actions.length) {
    const [act, ...args] = actions[step++];
    if (act === "wait") { setTimeout(run, args[0]); return; }
    if (act === "snap") {
      const pagers = document.querySelectorAll("nav.pager");
      out.push({ label: args[0], rows: shown(), count: byId("fcount").textContent, pagerHidden: pagers[0].hidden,
                 pager: pagers[0].elements.filter((c) => c.tagName === "SPAN").map((c) => c.textContent)[0] || "",
                 order: byId("forder").disabled ? "triage" : "sorted",
                 sort: byId("rt").tHead.rows[0].cells.map((th) => th.getAttribute("aria-sort")) });
    } else if (act === "set") {          // set, id, value: change a filter
      const el = byId(args[0]);
      el.value = args[1];
      el.dispatch(el.tagName === "INPUT" ? "input" : "change", false);
    } else if (act === "sort") {         // sort, column index: click a header of the rules table
      byId("rt").tHead.rows[0].cells[args[0]].click();
    } else if (act === "sortSmall") {    // sortSmall, table id, column: click a header, snap the first cells
      document.getElementById(args[0]).tHead.rows[0].cells[args[1]].click();
      out.push({ label: args[2], first: document.getElementById(args[0]).tBodies[0].rows.map((r) => r.cells[0].textContent.trim()) });
    } else if (act === "order") {
      byId("forder").click();
    } else if (act === "group") {        // group, CODE: click a folded table's line
      byId("rb").rows.find((tr) => tr.getAttribute("data-grp") === args[0]).querySelector("button.gb").click();
    } else if (act === "samples") {      // samples, rule id: open or close a rule's samples
      const tr = byId("rb").rows.find((r) => r.hasAttribute("data-st") && r.cells[0].textContent.trim() === args[0]);
      tr.querySelector("button.sb").click();
    } else if (act === "samplePage") {   // samplePage, rule id, button index: a button of its samples pager
      const tr = byId("rb").rows.find((r) => r.hasAttribute("data-st") && r.cells[0].textContent.trim() === args[0]);
      const sx = byId("rb").rows[byId("rb").rows.indexOf(tr) + 1];
      buttons(sx.querySelector("nav.pager"))[args[1]].click();
    } else if (act === "snapSamples") {
      out.push({ label: args[1], samples: visibleSamples(args[0]) });
    } else if (act === "page") {         // page, button index on the top pager
      buttons(document.querySelectorAll("nav.pager")[0])[args[0]].click();
    } else if (act === "link") {         // link, attribute, value: a table / category link below the rules
      document.querySelectorAll("a[" + args[0] + "]").find((a) => a.getAttribute(args[0]) === args[1]).click();
    } else throw new Error("unknown action " + act);
  }
  console.log(JSON.stringify(out));
}
run();
