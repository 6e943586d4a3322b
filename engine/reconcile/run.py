"""Run a pack's reconcile rules on a folder (and, in monthly mode, last month's agreed folder).

Only the tables the reconcile rules need are loaded (the same loader as ``validate``: rows that
cannot be read are counted and reported, never silently dropped). Each rule's classification
is materialised once; counts come from it in SQL, and only the records of non-matched groups
travel to Python, joined back to their source rows for the values as written.
"""
from __future__ import annotations

import re
import time
import unicodedata
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path


from ..errors import UsageError
from ..expr import ExpressionError
from ..rules.base import CompileContext, Rule, RuleError
from ..dialects.quoting import quote_ident
from ..ruleset import RulePack
from ..backends.duckdb.connection import run_connection
from ..backends.shared import engine_versions
from ..sources import FILE_RULES, discover, load_table
from ..sources.load import create_relation
from ..spec import Catalog, TableSpec
from ..rules.reconcile.classes import CHANGES, CLASSES
from ..rules.reconcile.config import ReconcileConfig, apply_overrides, resolve
from .gc_pause import gc_paused
from .model import (Change, Comparison, FieldPair, Finding, InputTable, OutOfScope, ReconcileResult, Record,
                    RuleRun, UnitTotal)
from .monthly import changed_keys_sql, changes_sql
from ..rules.reconcile.normalise import normalise_sql
from .replies import apply as apply_replies, parse_ref, read_replies
from .routing import Recipient, divisions, route, route_branch
from ..rules.reconcile.sql import (LEFTOVER, Relations, classified_sql, current_relations, fallback_pairs_sql,
                                   records_sql, scoped_sql, side_sql)

CENT = Decimal("0.01")
# what the command keeps of each classified record (the compared values are fetched from the files' rows)
RC_COLUMNS = ["_side", "_file", "_line", "_key", "_class", "_complete", "_diffs", "_bl", "_br", "_scale", "_resid",
              "_debtor", "_reg", "_g", "_nl", "_nr", "_pair", "_stage", "_outside", "_note"]
CLASS_ORDER = {c: i for i, c in enumerate(CLASSES)}


def reconcile_rules(pack: RulePack) -> list[Rule]:
    rules = [r for r in pack.rules if r.kind == "reconcile"]
    if not rules:
        raise UsageError(f"pack {pack.name} {pack.version} has no reconcile rules")
    return rules


def configure(pack: RulePack, overrides: list[str] | tuple[str, ...] = ()) -> list[ReconcileConfig]:
    """Resolve every reconcile rule of the pack, with ``--set`` overrides applied and re-checked.

    A rule that routes to the provincial finance department needs the province: it is
    configuration (``--param province=430000``), never a default (附件4 二)."""
    rules = apply_overrides(reconcile_rules(pack), overrides, pack.catalog)
    configs = []
    for rule in rules:
        try:
            configs.append(resolve(rule, pack.catalog, pack.catalog.tables[rule.table]))
        except (RuleError, ExpressionError) as exc:  # a pack's own rule, or one made bad by --set
            raise UsageError(f"rule {rule.id}{' (after --set)' if overrides else ''}: {exc}") from None
    for cfg in configs:
        _check_province(pack, cfg)
    return configs


def _check_province(pack: RulePack, cfg: ReconcileConfig) -> None:
    rule = pack.rule(cfg.rule_id)
    routed = "routing" in (rule.params if rule else {})
    if not routed:
        return
    how = ("--param province=CODE" if "province" in (pack.options.get("parameters") or {})
           else f"--set {cfg.rule_id}:routing.province=CODE")
    if cfg.province is None:
        raise UsageError(f"rule {cfg.rule_id} sends what no unit or region can take to the provincial finance "
                         f"department: give the province, e.g. {how.replace('CODE', '430000')} (湖南省)")
    names = divisions()
    if not re.fullmatch(r"[0-9]{2}0000", cfg.province) or cfg.province not in names:
        raise UsageError(f"rule {cfg.rule_id}: province {cfg.province!r} is not a province code in force "
                         f"(GB/T 2260: two digits and 0000, e.g. 430000 湖南省); set it with {how}")


def reconcile_submission(folder: Path, pack: RulePack, *, previous: Path | None = None,
                         overrides: list[str] | tuple[str, ...] = (), memory_limit: str | None = None,
                         replies: Path | None = None) -> ReconcileResult:
    """Reconcile one month's folder; with ``previous``, only the keys that changed since then (and the
    differences the replies name); with ``replies``, each difference carries its recipients' answers."""
    with gc_paused():
        return _reconcile(folder, pack, previous=previous, overrides=overrides, memory_limit=memory_limit,
                          replies=replies)


def _reconcile(folder: Path, pack: RulePack, *, previous: Path | None, overrides: list[str] | tuple[str, ...],
               memory_limit: str | None, replies: Path | None) -> ReconcileResult:
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    configs = configure(pack, overrides)
    answered = read_replies(replies) if replies is not None else None
    reopen: dict[str, list[tuple]] = {}
    for ref in (answered.by_ref() if answered else {}):
        rule, keys = parse_ref(ref)
        reopen.setdefault(rule, []).extend(keys)
    needed = sorted({code for cfg in configs for code in cfg.tables() | cfg.optional_tables()})
    with run_connection(memory_limit, enable_progress_bar="false") as (con, workdir):
        inputs, file_findings, present_before = [], [], set()
        if previous is not None:
            present_before = _load(con, Path(previous), pack, needed, workdir, "previous", inputs, file_findings)
            for code in needed:
                con.execute(f"ALTER TABLE {quote_ident('t_' + code)} RENAME TO {quote_ident('p_' + code)}")
        present = _load(con, Path(folder), pack, needed, workdir, "current", inputs, file_findings)
        runs, findings, changes, units = [], [], [] if previous is not None else None, {}
        ran: list[tuple[int, ReconcileConfig, RuleRun]] = []
        for n, cfg in enumerate(configs):
            run = _rule_run(pack, cfg)
            runs.append(run)
            missing = sorted(cfg.tables() - present)
            if missing:
                run.status, run.note = "not_run", f"table(s) not in the folder: {', '.join(missing)}"
                continue
            run.note = _notes(cfg, inputs, present_before if previous is not None else None)
            _classify(con, pack.catalog, n, cfg, run, changes if previous is not None else None, units,
                      reopen.get(cfg.rule_id, []))
            ran.append((n, cfg, run))
        claimed = _across_scopes(con, pack.catalog, ran, configs)
        for n, cfg, run in ran:
            findings += _collect(con, n, cfg, run, present)
        out_of_scope = [o for o in _out_of_scope(con, configs, pack, present) if (o.file, o.line) not in claimed]
    rule_order = {c.rule_id: i for i, c in enumerate(configs)}
    findings.sort(key=lambda f: (rule_order[f.rule], CLASS_ORDER[f.cls], [k or "" for k in f.match_key], _first_place(f)))
    if changes is not None:
        change_order = {k: i for i, k in enumerate(CHANGES)}
        changes.sort(key=lambda c: (rule_order[c.rule], c.side != "debt", change_order[c.change],
                                    [k or "" for k in c.match_key]))
    numbers: dict[str, int] = {}
    refs: dict[str, int] = {}
    for f in findings:
        numbers[f.rule] = numbers.get(f.rule, 0) + 1
        f.id = f"{f.rule}/{numbers[f.rule]:05d}"
        refs[f.ref] = refs.get(f.ref, 0) + 1
        if refs[f.ref] > 1:  # records with the same incomplete key: numbered in file order
            f.ref += f"#{refs[f.ref]}"
    resolved = apply_replies(findings, answered, Path(folder).name)
    options = {"previous": str(previous) if previous else None, "set": list(overrides),
               "memory_limit": memory_limit, "replies": str(replies) if replies else None}
    return ReconcileResult(
        submission=str(folder), previous=str(previous) if previous else None,
        pack={"name": pack.name, "version": pack.version, "digest": pack.digest,
              "parameters": pack.options.get("parameters") or {}}, engine=engine_versions(),
        options=options, started_at=started_at, duration_s=round(time.perf_counter() - started, 3),
        rules=runs, findings=findings, changes=changes, units=sorted(units.values(), key=lambda u: u.uscc),
        inputs=inputs, file_findings=file_findings, out_of_scope=out_of_scope,
        replies=None if answered is None else {"folder": answered.folder, "files": answered.files,
                                               "read": len(answered.replies), "problems": answered.problems,
                                               "resolved": resolved})


def _notes(cfg: ReconcileConfig, inputs: list[InputTable], present_before: set[str] | None) -> str | None:
    """What the reader of a rule's result must know: rows lost to reading, last month's gaps."""
    notes = []
    rejected = {t.table: t.rows_rejected for t in inputs if t.role == "current" and t.rows_rejected}
    if rejected.keys() & cfg.tables():
        notes.append("rows that could not be read (" + ", ".join(
            f"{code} {n}" for code, n in sorted(rejected.items()) if code in cfg.tables())
            + ") are missing from the comparison: their counterparts may show as unmatched")
    if present_before is not None and not {cfg.left.code, cfg.right.code} <= present_before:
        notes.append("last month's folder lacks " + ", ".join(
            sorted({cfg.left.code, cfg.right.code} - present_before)) + ": its records count as new")
    return "; ".join(notes) or None


def _first_place(f: Finding) -> tuple:
    first = (f.debt or f.creditor)[0]
    return (first.file, first.line)


# ---------------------------------------------------------------- loading

def _load(con, folder: Path, pack: RulePack, needed: list[str], workdir: Path, role: str,
          inputs: list[InputTable], file_findings: list[dict]) -> set[str]:
    """Load the needed tables of one folder into ``t_<CODE>``; returns the tables that had a file."""
    files, findings = discover(folder, pack.catalog)
    for code in needed:
        create_relation(con, pack.catalog.tables[code])
    loaded: dict[str, InputTable] = {}
    for src in files:
        if src.table not in needed:
            continue
        # no rule here reads the per-row marks of control characters and quotes
        info, file_findings_of = load_table(con, src, pack.catalog.tables[src.table], workdir, field_marks=False)
        findings += file_findings_of
        entry = loaded.setdefault(src.table, InputTable(src.table, pack.catalog.tables[src.table].name, role, [], 0, 0))
        entry.files.append(info.path)
        entry.rows_read += info.rows_read
        entry.rows_rejected += info.rows_rejected
    inputs += [loaded[c] for c in sorted(loaded)]
    for f in findings:
        if f.table in needed or f.table == "*":
            rule = FILE_RULES.get(f.rule_id)
            file_findings.append({"role": role, "rule": f.rule_id, "severity": rule.severity if rule else "strong",
                                  "table": f.table, "file": f.file, "line": f.line, "value": f.value,
                                  "message": rule.zh if rule else ""})
    return set(loaded)


# ---------------------------------------------------------------- one rule

def _rule_run(pack: RulePack, cfg: ReconcileConfig) -> RuleRun:
    rule = pack.rule(cfg.rule_id)
    fields = [FieldPair("key", p.left.code, p.right.code, p.left.name, p.right.name, "、".join(p.steps))
              for p in cfg.keys]
    fields += [FieldPair("balance" if j == 0 else "compare", p.left.code, p.right.code, p.name, p.right.name,
                         _tolerance(p)) for j, p in enumerate(cfg.compared)]
    paired = {("debt", p.left.code) for p in (*cfg.keys, *cfg.compared)}
    paired |= {("creditor", p.right.code) for p in (*cfg.keys, *cfg.compared)}
    shown = []
    for side, i in (("debt", 0), ("creditor", 1)):
        extra = [*cfg.show[i], *([cfg.region[i]] if cfg.region[i] else [])]
        shown += [{"side": side, "field": f.code, "name": f.name} for f in dict.fromkeys(extra)
                  if (side, f.code) not in paired]
    return RuleRun(
        id=cfg.rule_id, message=rule.message_zh if rule else "", debt_table=cfg.left.code, debt_table_name=cfg.left.name,
        creditor_table=cfg.right.code, creditor_table_name=cfg.right.name,
        scope_debt=rule.when if rule else None,
        scope_creditor=(rule.params.get("against") or {}).get("when") if rule else None,
        fields=fields, thresholds=cfg.thresholds(), shown=shown)


def _tolerance(p) -> str:
    if p.type == "number":
        if p.rel:
            return f"|差额| ≤ max({p.abs}, {p.rel} × |债权方|)"
        return f"|差额| ≤ {p.abs}"
    if p.type == "date":
        return f"相差 ≤ {p.days} 天"
    return "规范化后相同（" + "、".join(p.steps) + "）"


def _rc(n: int) -> str:
    return f"_rc{n}"


def _classify(con, catalog: Catalog, n: int, cfg: ReconcileConfig, run: RuleRun, changes: list[Change] | None,
              units: dict[str, UnitTotal], reopen: list[tuple] = ()) -> None:
    """Classify one rule's records (keys, then the second match within its scope) into ``_rc<n>``;
    its records stay in ``_rec<n>`` for the second match across scopes."""
    rel = current_relations(cfg)
    record_keys = (CompileContext(catalog, cfg.left).key_sql(cfg.left), CompileContext(catalog, cfg.right).key_sql(cfg.right))
    rec = f"_rec{n}"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {rec} AS {records_sql(cfg, rel, record_keys)}")
    for side, count in con.execute(f"SELECT _side, count(*) FROM {rec} GROUP BY 1").fetchall():
        setattr(run, "records_debt" if side == "L" else "records_creditor", count)
    _add_unit_totals(con, cfg, units, rec)
    key_filter = _monthly(con, cfg, rel, changes, reopen) if changes is not None else None
    keep = ", ".join(_kept(cfg))
    # the records of matched groups (most records) are counted, not kept: they need no more work
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_rc(n)} AS SELECT {keep} "
                f"FROM ({classified_sql(cfg, rel, record_keys, key_filter, rec, unmatched_only=True)})")
    in_scope = _side_counts(con, f"({scoped_sql(cfg, rec, key_filter)})") if key_filter else \
        {"L": run.records_debt, "R": run.records_creditor}
    unmatched = _side_counts(con, _rc(n))
    # a matched group is one record of each side (1:1); the second match never pairs a matched one
    matched = in_scope["L"] - unmatched["L"]
    run.counts["matched"] = matched
    _pair_leftovers(con, cfg, _rc(n), rec)
    # only the records still unpaired can pair across scopes: keep those, free the rest
    con.execute(f"CREATE OR REPLACE TEMP TABLE _left AS SELECT r.* FROM {rec} r SEMI JOIN "
                f"(SELECT _side, _file, _line FROM {_rc(n)} WHERE {LEFTOVER}) c "
                f"ON c._side = r._side AND c._file = r._file AND c._line = r._line")
    con.execute(f"DROP TABLE {rec}")
    con.execute(f"ALTER TABLE _left RENAME TO {rec}")
    unmatched = _side_counts(con, _rc(n))
    run.reconciled_debt, run.reconciled_creditor = unmatched["L"] + matched, unmatched["R"] + matched


def _side_counts(con, relation: str) -> dict[str, int]:
    """Rows per side (``_side`` 'L', 'R') of a relation, 0 for a side without rows."""
    counts = dict(con.execute(f"SELECT _side, count(*) FROM {relation} GROUP BY 1").fetchall())
    return {"L": counts.get("L", 0), "R": counts.get("R", 0)}


def _kept(cfg: ReconcileConfig) -> list[str]:
    """What the command keeps of each classified record (the values shown are fetched from the files' rows)."""
    return RC_COLUMNS + [f"_k{i}" for i in range(len(cfg.keys))]


def _pair_leftovers(con, cfg: ReconcileConfig, rc: str, rec: str, pool: str | None = None) -> None:
    """The second match in place: the pairs it finds replace their records' unpaired rows in ``rc``."""
    if cfg.fallback is None:
        return
    leftovers = con.execute(f"SELECT count(*) FILTER (WHERE _side = 'L'), count(*) FILTER (WHERE _side = 'R') "
                            f"FROM {rc} WHERE {LEFTOVER}").fetchone()
    if not leftovers[1] or not (leftovers[0] or pool):
        return
    cols = ", ".join(_kept(cfg))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _fbp AS {fallback_pairs_sql(cfg, rc, rec, pool)}")
    con.execute(f"DELETE FROM {rc} WHERE (_side, _file, _line) IN (SELECT _side, _file, _line FROM _fbp)")
    con.execute(f"INSERT INTO {rc} ({cols}) SELECT {cols} FROM _fbp")
    con.execute("DROP TABLE _fbp")


def _across_scopes(con, catalog: Catalog, ran: list[tuple[int, ReconcileConfig, RuleRun]],
                   configs: list[ReconcileConfig]) -> set[tuple[str, int]]:
    """The second match across product types: a rule with ``fallback.when`` pairs its unpaired
    creditor records with debt records outside its scope that no rule paired (a bank loan entered as
    信托). Each rule's own pairs come first; a debt record paired here leaves the rule whose scope it
    is in. Returns the (file, line) of the debt records so claimed."""
    con.execute("CREATE OR REPLACE TEMP TABLE _claimed (_rule INTEGER, _file VARCHAR, _line BIGINT)")
    for n, cfg, _ in ran:
        if not (cfg.fallback and cfg.fallback.when):
            continue
        others = [(m, c) for m, c, _ in ran if m != n and c.left.code == cfg.left.code]
        not_run = [c for m, c in enumerate(configs) if c.left.code == cfg.left.code and m != n
                   and all(m != r for r, _, _ in ran)]
        in_scope = " OR ".join(f"coalesce({c.left_when}, FALSE)" for _, c in others + [(None, x) for x in not_run])
        leftover = " UNION ALL ".join(f"SELECT _file, _line FROM {_rc(m)} WHERE _side = 'L' AND _class = 'debt_only'"
                                      for m, _ in others)
        eligible = f"NOT ({in_scope})" if in_scope else "TRUE"
        if leftover:
            eligible += f" OR (_file, _line) IN (SELECT _file, _line FROM ({leftover}))"
        when = f"coalesce({cfg.fallback.when}, FALSE) AND NOT coalesce({cfg.left_when}, FALSE) AND ({eligible})"
        rel = current_relations(cfg)
        record_key = CompileContext(catalog, cfg.left).key_sql(cfg.left)
        pool = side_sql(cfg, "L", rel.left, rel.units, record_key, when)
        con.execute(f"CREATE OR REPLACE TEMP TABLE _pool AS SELECT *, "
                    f"{' AND '.join(f'_k{i} IS NOT NULL' for i in range(len(cfg.keys)))} AS _complete FROM ({pool}) p "
                    f"WHERE (_file, _line) NOT IN (SELECT _file, _line FROM _claimed)")
        _pair_leftovers(con, cfg, _rc(n), f"_rec{n}", "_pool")
        con.execute(f"INSERT INTO _claimed SELECT {n}, _file, _line FROM {_rc(n)} WHERE _side = 'L' AND _outside")
        con.execute("DROP TABLE _pool")
    for n, _, _ in ran:  # what another rule paired leaves the rule whose scope it is in
        con.execute(f"DELETE FROM {_rc(n)} WHERE _side = 'L' AND NOT _outside AND (_file, _line) IN "
                    f"(SELECT _file, _line FROM _claimed WHERE _rule <> {n})")
    claimed = {(f, line) for f, line in con.execute("SELECT _file, _line FROM _claimed").fetchall()}
    con.execute("DROP TABLE _claimed")
    return claimed


def _collect(con, n: int, cfg: ReconcileConfig, run: RuleRun, present: set[str]) -> list[Finding]:
    """One rule's counts and findings from its classified records."""
    rel = current_relations(cfg)
    con.execute(f"DROP TABLE IF EXISTS _rec{n}")
    findings = _findings(con, cfg, rel, present, _directory(con, cfg, present), _rc(n))
    for f in findings:
        run.counts[f.cls] += 1
    con.execute(f"DROP TABLE {_rc(n)}")
    return findings


def _directory(con, cfg: ReconcileConfig, present: set[str]) -> dict[tuple[str, str], str | None] | None:
    """The branch directory as (head office, branch) → branch name, codes normalised; None without one."""
    b = cfg.branch
    if not (b and b.directory and b.directory.table.code in present):
        return None
    d, steps = b.directory, (b.head.steps if b.head else ("halfwidth", "trim", "upper"))
    name = quote_ident(d.name.code) if d.name else "NULL"
    rows = con.execute(f"SELECT {normalise_sql(quote_ident(d.head.code), steps)}, "
                       f"{normalise_sql(quote_ident(d.branch.code), steps)}, any_value({name}) "
                       f"FROM {quote_ident('t_' + d.table.code)} GROUP BY 1, 2").fetchall()
    return {(h, br): nm for h, br, nm in rows if h and br}


def _monthly(con, cfg: ReconcileConfig, rel: Relations, changes: list[Change], reopen: list[tuple] = ()) -> str:
    """Classify each side's keys against last month; returns the relation of keys to reconcile: those that
    changed, and those of last month's differences the replies name (still open until they match)."""
    prev = Relations(quote_ident(f"p_{cfg.left.code}"), quote_ident(f"p_{cfg.right.code}"))
    con.execute(f"CREATE OR REPLACE TEMP TABLE _chg AS {changes_sql(cfg, 'L', rel.left, prev.left)} "
                f"UNION ALL {changes_sql(cfg, 'R', rel.right, prev.right)}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_ident('_keys_' + cfg.rule_id)} AS {changed_keys_sql(cfg, '_chg')}")
    complete = sorted({k for k in reopen if len(k) == len(cfg.keys) and all(x is not None for x in k)})
    if complete:
        con.executemany(f"INSERT INTO {quote_ident('_keys_' + cfg.rule_id)} VALUES "
                        f"({', '.join('?' for _ in cfg.keys)})", [list(k) for k in complete])
    n = len(cfg.keys)
    keys = ", ".join(f"_k{i}" for i in range(n))
    rows = con.execute(f"SELECT _side, _change, [{keys}], _n_now, _n_before, _bal_now, _bal_before, _fields, _file, "
                       f"_line, _prev_file, _prev_line FROM _chg WHERE _change <> 'unchanged' "
                       f"ORDER BY _side, _change, {keys}").fetchall()
    for side, change, key, n_now, n_before, bal_now, bal_before, fields, file, line, pfile, pline in rows:
        changes.append(Change(cfg.rule_id, "debt" if side == "L" else "creditor", change, list(key), n_now, n_before,
                              _money(bal_now), _money(bal_before), list(fields), file, line, pfile, pline))
    con.execute("DROP TABLE _chg")
    return quote_ident("_keys_" + cfg.rule_id)


# ---------------------------------------------------------------- findings

def _display_fields(cfg: ReconcileConfig, side: str) -> list[str]:
    """The fields whose values (as written) a finding shows for one side's records."""
    pick = (lambda p: p.left.code) if side == "L" else (lambda p: p.right.code)
    codes = [pick(p) for p in (*cfg.keys, *cfg.compared)] + [f.code for f in cfg.show[0 if side == "L" else 1]]
    region = cfg.region[0 if side == "L" else 1]
    if region:
        codes.append(region.code)
    if side == "L" and cfg.fallback:
        codes += list(cfg.fallback.scope_fields)
    if cfg.branch:
        b = cfg.branch
        codes += [f.code for f in ((b.left, b.left_name) if side == "L" else (b.right, b.right_name)) if f]
        for pair in (b.head, b.head_name):
            if pair:
                codes.append(pair.left.code if side == "L" else pair.right.code)
    return list(dict.fromkeys(codes))


def _fetch(con, cfg: ReconcileConfig, rel: Relations, side: str, present: set[str], rc: str = "_rc") -> list[tuple[dict, dict]]:
    """Records of non-matched groups on one side: (classification, values as written)."""
    table = rel.left if side == "L" else rel.right
    codes = _display_fields(cfg, side)
    n = len(cfg.keys)
    joins, extra = [], ["NULL AS _uname", "NULL AS _usup", "NULL AS _sup", "NULL AS _supcode", "NULL AS _supregion"]
    if cfg.units:
        u = quote_ident(f"t_{cfg.units.table.code}")
        uscc = normalise_sql(quote_ident(cfg.units.uscc.code), cfg.debtor.steps)
        name = f"any_value({quote_ident(cfg.units.name.code)})" if cfg.units.name else "NULL"
        sup = f"any_value({quote_ident(cfg.units.supervisor.code)})" if cfg.units.supervisor else "NULL"
        joins.append(f"LEFT JOIN (SELECT {uscc} AS _u, {name} AS _uname, {sup} AS _usup FROM {u} GROUP BY 1) un "
                     f"ON un._u = rc._debtor")
        extra[0:2] = ["un._uname", "un._usup"]
    s = cfg.supervisor
    if s and s.table.code in present and cfg.debtor:
        uscc = normalise_sql(quote_ident(s.uscc.code), cfg.debtor.steps)
        code = f"any_value({quote_ident(s.code.code)})" if s.code else "NULL"
        region = f"any_value({normalise_sql(quote_ident(s.region.code), ('halfwidth', 'trim'))})" if s.region else "NULL"
        joins.append(f"LEFT JOIN (SELECT {uscc} AS _s, any_value({quote_ident(s.supervisor.code)}) AS _sup, "
                     f"{code} AS _supcode, {region} AS _supregion FROM {quote_ident('t_' + s.table.code)} GROUP BY 1) "
                     f"sv ON sv._s = rc._debtor")
        extra[2:] = ["sv._sup", "sv._supcode", "sv._supregion"]
    meta = [c for c in RC_COLUMNS if c != "_side"] + [f"_k{i}" for i in range(n)]
    select = ", ".join([f"rc.{c}" for c in meta] + extra + [f"t.{quote_ident(c)}" for c in codes])
    rows = con.execute(
        f"SELECT {select} FROM {rc} rc JOIN {table} t ON t._file = rc._file AND t._line = rc._line {' '.join(joins)} "
        f"WHERE rc._side = '{side}' AND rc._class <> 'matched'").fetchall()
    names = meta + ["_uname", "_usup", "_sup", "_supcode", "_supregion"]
    return [(dict(zip(names, row[:len(names)])), dict(zip(codes, row[len(names):]))) for row in rows]


def _findings(con, cfg: ReconcileConfig, rel: Relations, present: set[str] = frozenset(),
              directory: dict | None = None, rc: str = "_rc") -> list[Finding]:
    groups: dict[tuple, dict[str, list]] = {}
    for side in ("L", "R"):
        for meta, values in _fetch(con, cfg, rel, side, present, rc):
            if meta["_pair"] is not None:  # a pair of the second match: its records' keys differ
                gid = (meta["_class"], meta["_pair"])
            else:
                gid = (meta["_class"], meta["_g"], *[meta[f"_k{i}"] for i in range(1, len(cfg.keys))])
            groups.setdefault(gid, {"L": [], "R": []})[side].append((meta, values))
    return [_finding(cfg, members, directory) for members in groups.values()]


def _finding(cfg: ReconcileConfig, members: dict[str, list], directory: dict | None = None) -> Finding:
    left = sorted(members["L"], key=lambda m: (m[0]["_file"], m[0]["_line"]))
    right = sorted(members["R"], key=lambda m: (m[0]["_file"], m[0]["_line"]))
    second = (left or right)[0][0]["_pair"] is not None
    meta = right[0][0] if second else (left or right)[0][0]  # a second-match pair: the creditor's key
    cls = meta["_class"]
    diffs = list(meta["_diffs"] or [])
    comparison = []
    one_each = len(left) == 1 and len(right) == 1
    if one_each or cls == "duplicate" and len(right) == 1:
        lv, rv = left[0][1], right[0][1]
        if second:
            comparison += [Comparison(p.left.code, p.right.code, p.left.name, "key", lv.get(p.left.code),
                                      rv.get(p.right.code), True, "、".join(p.steps))
                           for p in cfg.keys if p.left.code in diffs]
            comparison += [Comparison(code, None, cfg.left.field(code).name, "scope", lv.get(code), None, True,
                                      f"本规则范围：{cfg.fallback.scope}")
                           for code in cfg.fallback.scope_fields if code in diffs]
        comparison += [Comparison(p.left.code, p.right.code, p.name, "balance" if j == 0 else "compare",
                                  lv.get(p.left.code), rv.get(p.right.code), p.left.code in diffs, _tolerance(p))
                       for j, p in enumerate(cfg.compared)]
    bl, br = meta["_bl"], meta["_br"]
    registered = [(m["_debtor"], m["_uname"]) for m, _ in left + right if m["_reg"]]
    hints = []
    for side, items in ((0, left), (1, right)):
        field = cfg.region[side]
        if field:
            hints += [_plain(v.get(field.code)) for _, v in items]
    supervised = [(m["_debtor"], m["_sup"], m["_supcode"], m["_supregion"]) for m, _ in left + right if m["_sup"]]
    unit_supervisors = {m["_debtor"]: m["_usup"] for m, _ in left + right if m["_reg"] and m["_usup"]}
    recipient = route(registered, hints, [m["_debtor"] for m, _ in left + right], cfg.uscc_region, cfg.province,
                      supervised, unit_supervisors)
    scale = meta["_scale"] if cfg.balance.left.code in diffs and cls in ("misreported", "under_reported",
                                                                          "over_reported") else None
    unit = None
    if scale is not None:
        unit = {"factor": _factor(scale), "corrected": _money(Decimal(bl) * Decimal(scale)),
                "remaining": _money(meta["_resid"])}
    match = {"stage": "fallback" if second else "key",
             "keys": list(cfg.fallback.keys[meta["_stage"] - 1].names) if second else [k.name for k in cfg.keys],
             "outside_scope": bool(meta["_outside"]) or any(m["_outside"] for m, _ in left),
             "note": meta["_note"]}
    ref = f"{cfg.rule_id}:{_key_text(meta, len(cfg.keys))}"
    if second and left:  # a pair of the second match: the creditor's key, then the debt record's
        ref += f"={_key_text(left[0][0], len(cfg.keys))}"
    return Finding(
        id="", rule=cfg.rule_id, cls=cls, ref=ref,
        match_key=[meta[f"_k{i}"] for i in range(len(cfg.keys))], key_complete=bool(meta["_complete"]),
        debt=[Record(m["_file"], m["_line"], m["_key"], v) for m, v in left],
        creditor=[Record(m["_file"], m["_line"], m["_key"], v) for m, v in right],
        differing_fields=diffs, comparison=comparison, balance_debt=_money(bl), balance_creditor=_money(br),
        balance_difference=_money((bl or 0) - (br or 0)) if bl is not None or br is not None else None,
        recipient=recipient, unit_factor=unit is not None, scale=unit, match=match,
        creditor_recipient=_branch_recipient(cfg, left, right, directory))


def _key_text(meta: dict, n: int) -> str:
    return "|".join("∅" if meta[f"_k{i}"] is None else meta[f"_k{i}"] for i in range(n))


def _branch_recipient(cfg: ReconcileConfig, left: list, right: list, directory: dict | None) -> Recipient | None:
    """The lending branch of a bank-loan finding (creditor record first), else the head office."""
    b = cfg.branch
    if b is None:
        return None
    candidates = []
    for items, branch, name, head, head_name in (
            (right, b.right, b.right_name, b.head.right if b.head else None, b.head_name.right if b.head_name else None),
            (left, b.left, b.left_name, b.head.left if b.head else None, b.head_name.left if b.head_name else None)):
        for _, v in items:
            candidates.append((_code(v.get(head.code)) if head else None, v.get(head_name.code) if head_name else None,
                               _code(v.get(branch.code)), v.get(name.code) if name else None))
    return route_branch(candidates, directory)


def _code(value: str | None) -> str | None:
    """A code as the normalisation of keys reads it (half-width, trimmed, upper case)."""
    return unicodedata.normalize("NFKC", value).strip().upper() or None if value else None


def _factor(value) -> str:
    """A unit factor as text: 10000, 0.0001."""
    text = format(Decimal(value).normalize(), "f")
    return text


def _plain(value: str | None) -> str | None:
    """Region codes as written may carry full-width digits or spaces."""
    return unicodedata.normalize("NFKC", value).strip() if value else None


def _money(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


# ---------------------------------------------------------------- totals and scope

def _add_unit_totals(con, cfg: ReconcileConfig, units: dict[str, UnitTotal], rec: str = "_rec") -> None:
    """Σ debt balance − Σ creditor balance per debtor over the rule's whole scope (all records in ``rec``)."""
    name, join = "NULL", ""
    if cfg.units:
        uscc = normalise_sql(quote_ident(cfg.units.uscc.code), cfg.debtor.steps)
        uname = f"any_value({quote_ident(cfg.units.name.code)})" if cfg.units.name else "NULL"
        join = (f"LEFT JOIN (SELECT {uscc} AS _u, {uname} AS _uname FROM {quote_ident('t_' + cfg.units.table.code)} "
                f"GROUP BY 1) un ON un._u = s._debtor")
        name = "any_value(un._uname)"
    rows = con.execute(
        f"SELECT s._debtor, {name}, bool_or(s._reg), count(*) FILTER (WHERE _side = 'L'), "
        f"count(*) FILTER (WHERE _side = 'R'), coalesce(sum(_v0) FILTER (WHERE _side = 'L'), 0), "
        f"coalesce(sum(_v0) FILTER (WHERE _side = 'R'), 0) FROM {rec} s {join} "
        f"WHERE s._debtor IS NOT NULL GROUP BY s._debtor").fetchall()
    for uscc, uname, reg, nl, nr, bl, br in rows:
        total = units.get(uscc)
        if total is None:
            units[uscc] = UnitTotal(uscc, uname, bool(reg), nl, nr, _money(bl), _money(br), _money(bl - br))
            continue
        total.records_debt += nl
        total.records_creditor += nr
        total.registered = total.registered or bool(reg)
        total.name = total.name or uname
        bl += Decimal(total.balance_debt)
        br += Decimal(total.balance_creditor)
        total.balance_debt, total.balance_creditor, total.difference = _money(bl), _money(br), _money(bl - br)


def _out_of_scope(con, configs: list[ReconcileConfig], pack: RulePack, present: set[str]) -> list[OutOfScope]:
    """Records of a reconciled table that no reconcile rule's scope covers (e.g. 融资租赁)."""
    from ..expr import compile_expression

    scopes: dict[str, list[tuple[str, list[str]]]] = {}
    for cfg in configs:
        rule = pack.rule(cfg.rule_id)
        left_fields = list(compile_expression(rule.when, cfg.left).fields) if rule and rule.when else []
        scopes.setdefault(cfg.left.code, []).append((cfg.left_when, left_fields))
        when = (rule.params["against"].get("when") if rule else None)
        right_fields = list(compile_expression(when, cfg.right).fields) if when else []
        scopes.setdefault(cfg.right.code, []).append((cfg.right_when, right_fields))
    out = []
    for code, items in sorted(scopes.items()):
        if code not in present or any(w == "TRUE" for w, _ in items):
            continue
        table: TableSpec = pack.catalog.tables[code]
        fields = list(dict.fromkeys(f for _, fs in items for f in fs))
        inside = " OR ".join(f"coalesce({w}, FALSE)" for w, _ in items)
        shown = ", ".join(f"{quote_ident(f)}" for f in fields) or "NULL"
        key = CompileContext(pack.catalog, table).key_sql(table)
        for file, line, k, *values in con.execute(
                f"SELECT _file, _line, {key}, {shown} FROM {quote_ident('t_' + code)} WHERE NOT ({inside}) "
                f"ORDER BY _file, _line").fetchall():
            note = "; ".join(f"{table.field(f).name}={v if v is not None else ''}" for f, v in zip(fields, values))
            out.append(OutOfScope(code, file, line, k, note))
    return out
