"""The reconciliation as one DuckDB query: every in-scope record of both sides, classified.

1. Each side is read once: match keys and compared values are normalised by the same SQL
   (``normalise.py``); a record with an empty key component is *incomplete* and forms a group
   of its own.
2. One hash aggregation per side, by normalised key, and a full join of the two give each group
   its record counts and balance sums per side and — for 1:1 groups — both records' values;
   each record is joined back to its group. (A window over the union computes the same; it
   measured several times slower here.)
3. A CASE turns counts and comparisons into the group's class (``classes.py``): group shape
   first (creditor only, debt only, 1:n, n:1, n:m; n identical debt copies of one creditor
   record are 重复填报), then for 1:1 pairs the unit-factor test (the balance corrected by the
   factor must still agree: a remaining gap is 少报 / 多报), the balance test (少报 / 多报) and
   the other compared fields (错报).
4. The second match (``fallback``): records the keys left unpaired — a debt record without a
   creditor record, a creditor record without a debt record — are paired one to one on other
   fields (unit + contract + amount …, one key set after the other). A pair is judged as a 1:1
   group; the key fields that differ are differing fields, so it is at least 错报. Only a
   fallback key shared by exactly one record of each side pairs.

The query yields one row per record (``_side`` 'L' = debt side, 'R' = creditor side). The
``validate`` rule keeps the non-matched rows with a one-line ``_value``; ``jianhe reconcile``
materialises all of them and builds the detailed report.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ...dialects.quoting import quote_ident, sql_quote
from .classes import CLASSES
from .config import Pair, ReconcileConfig
from .normalise import NUMBER_STEPS, normalise_sql


@dataclass(frozen=True)
class Relations:
    """The relations holding each side (current month's tables unless told otherwise)."""

    left: str
    right: str
    units: str | None = None


def current_relations(cfg: ReconcileConfig) -> Relations:
    return Relations(quote_ident(f"t_{cfg.left.code}"), quote_ident(f"t_{cfg.right.code}"),
                     quote_ident(f"t_{cfg.units.table.code}") if cfg.units else None)


def lit(value: Decimal | int) -> str:
    """A decimal literal DuckDB types narrowly (so products keep their precision)."""
    text = format(Decimal(value).normalize(), "f")
    return text if "." in text or "E" in text else f"{text}.0"


def key_sql(pair: Pair, col: str) -> str:
    return normalise_sql(col, pair.steps)


def text_sql(pair: Pair, col: str) -> str:
    """The normalised text of a compared value (what is shown, and what is compared for text)."""
    return normalise_sql(col, NUMBER_STEPS if pair.type in ("number", "date") else pair.steps)


def value_sql(pair: Pair, text: str) -> str | None:
    """The typed value of a number or date field from its normalised text (None for text fields)."""
    if pair.type == "number":
        return f"TRY_CAST(replace({text}, ',', '') AS DECIMAL(38, 10))"
    if pair.type == "date":
        return f"CAST(try_strptime({text}, ['%Y%m%d', '%Y-%m-%d']) AS DATE)"
    return None


def side_sql(cfg: ReconcileConfig, side: str, relation: str, units: str | None, record_key: str,
             when: str | None = None) -> str:
    """One side's in-scope records with normalised keys and values (``when``: another scope, SQL).

    Each field is normalised once (inner query); typed values and the registration test read the
    normalised texts (outer query)."""
    left = side == "L"

    def col(pair: Pair) -> str:
        return quote_ident((pair.left if left else pair.right).code)

    inner = [f"'{side}' AS _side", "_file", "_line", f"{record_key} AS _key"]
    inner += [f"{key_sql(p, col(p))} AS _k{i}" for i, p in enumerate(cfg.keys)]
    inner += [f"{text_sql(p, col(p))} AS _t{j}" for j, p in enumerate(cfg.compared)]
    same_as_key = next((f"_k{i}" for i, k in enumerate(cfg.keys) if cfg.debtor and
                        (k.left, k.right, k.steps) == (cfg.debtor.left, cfg.debtor.right, cfg.debtor.steps)), None)
    if cfg.debtor and not same_as_key:
        inner.append(f"{key_sql(cfg.debtor, col(cfg.debtor))} AS _debtor")
    when = when or (cfg.left_when if left else cfg.right_when)
    outer = ["*"] + [f"{value_sql(p, f'_t{j}')} AS _v{j}" for j, p in enumerate(cfg.compared) if value_sql(p, "x")]
    debtor = same_as_key or ("_debtor" if cfg.debtor else "NULL::VARCHAR")
    if same_as_key or not cfg.debtor:
        outer.append(f"{debtor} AS _debtor")
    if cfg.units and units:
        uscc = normalise_sql(quote_ident(cfg.units.uscc.code), cfg.debtor.steps)
        outer.append(f"{debtor} IN (SELECT {uscc} FROM {units} WHERE {uscc} IS NOT NULL) AS _reg")
    else:
        outer.append("FALSE AS _reg")
    return (f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {relation} "
            f"WHERE coalesce({when}, FALSE))")


def _diff_sql(pair: Pair, j: int) -> str:
    """TRUE when the 1:1 pair's values of compared field j differ beyond its tolerance."""
    lv, rv, lt, rt = f"_lv{j}", f"_rv{j}", f"_lt{j}", f"_rt{j}"
    fallback = f"{lt} IS DISTINCT FROM {rt}"
    if pair.type == "number":
        tol = f"greatest({lit(pair.abs)}, {lit(pair.rel)} * abs({rv}))"
        return f"CASE WHEN {lv} IS NOT NULL AND {rv} IS NOT NULL THEN abs({lv} - {rv}) > {tol} ELSE {fallback} END"
    if pair.type == "date":
        return (f"CASE WHEN {lv} IS NOT NULL AND {rv} IS NOT NULL "
                f"THEN abs(date_diff('day', {lv}, {rv})) > {pair.days} ELSE {fallback} END")
    return fallback


def _tolerance_sql(pair: Pair, creditor: str) -> str:
    return f"greatest({lit(pair.abs)}, {lit(pair.rel)} * abs({creditor}))"


def _scale_sql(cfg: ReconcileConfig) -> str:
    """The unit factor by which the debt balance is off (元 vs 万元 …), as the factor that corrects it
    (debt × factor ≈ creditor within ``scale_tolerance``); NULL when none applies."""
    if not cfg.scale_factors:
        return "NULL::DECIMAL(38, 10)"
    st = lit(cfg.scale_tolerance)
    tests = []
    for f in cfg.scale_factors:
        tests.append(f"WHEN abs({lit(f)} * _lv0 - _rv0) <= {st} * abs(_rv0) THEN {lit(f)}")
        tests.append(f"WHEN abs(_lv0 - {lit(f)} * _rv0) <= {st} * abs({lit(f)} * _rv0) THEN {lit(Decimal(1) / f)}")
    return f"CASE WHEN _lv0 <> 0 AND _rv0 <> 0 THEN CASE {' '.join(tests)} END END"


def _conceal_sql(cfg: ReconcileConfig, registered: str, balance: str) -> str:
    """瞒报 rather than 漏报: the debtor is registered and the creditor balance reaches the threshold."""
    if cfg.conceal_min_balance is None or not cfg.units:
        return "FALSE"
    return f"(coalesce({registered}, FALSE) AND {balance} >= {lit(cfg.conceal_min_balance)})"


def _pair_class_sql(cfg: ReconcileConfig, others: str) -> str:
    """The class of a 1:1 pair from its comparisons (``_d0`` the balance, ``others`` the rest)."""
    tol = _tolerance_sql(cfg.balance, "_rv0")
    return (f"CASE WHEN _d0 AND _scale IS NOT NULL THEN CASE WHEN abs(_resid) <= {tol} THEN 'misreported' "
            f"WHEN _resid > 0 THEN 'over_reported' ELSE 'under_reported' END "
            f"WHEN _d0 AND _lv0 > _rv0 THEN 'over_reported' "
            f"WHEN _d0 AND _lv0 < _rv0 THEN 'under_reported' "
            f"WHEN _d0 OR {others} THEN 'misreported' ELSE 'matched' END")


def _class_sql(cfg: ReconcileConfig) -> str:
    conceal = _conceal_sql(cfg, "_greg", "_br")
    others = " OR ".join(f"_d{j}" for j in range(1, len(cfg.compared))) or "FALSE"
    # n copies of one record, each agreeing in balance with the one creditor record: entered twice (多报)
    copies = "_nl > 1 AND _nr = 1 AND _lcopies AND NOT coalesce(_d0, TRUE)"
    return (f"CASE WHEN _nl = 0 THEN CASE WHEN {conceal} THEN 'concealed' ELSE 'omitted' END "
            f"WHEN _nr = 0 THEN CASE WHEN _nl = 1 THEN 'debt_only' ELSE 'duplicate' END "
            f"WHEN _nl = 1 AND _nr = 1 THEN {_pair_class_sql(cfg, others)} "
            f"WHEN {copies} THEN 'duplicate' "
            f"WHEN _nl = 1 THEN 'one_to_many' WHEN _nr = 1 THEN 'many_to_one' ELSE 'many_to_many' END")


def records_sql(cfg: ReconcileConfig, rel: Relations, record_keys: tuple[str, str]) -> str:
    """Both sides' in-scope records, normalised, with ``_complete`` (no key component empty)."""
    complete = " AND ".join(f"_k{i} IS NOT NULL" for i in range(len(cfg.keys)))
    return (f"SELECT *, {complete} AS _complete FROM ({side_sql(cfg, 'L', rel.left, rel.units, record_keys[0])} "
            f"UNION ALL {side_sql(cfg, 'R', rel.right, rel.units, record_keys[1])})")


def classified_sql(cfg: ReconcileConfig, rel: Relations, record_keys: tuple[str, str],
                   key_filter: str | None = None, records: str | None = None, unmatched_only: bool = False) -> str:
    """Every in-scope record of both sides with its group's counts, sums, comparisons and class.

    Groups come from a hash aggregation of each side's records with a complete key, fully joined
    on the key (a 1:1 group's values travel as one column per value and side); each record is
    then joined to its group. A
    record with an incomplete key is a group of its own. ``key_filter`` (monthly mode) names a
    relation of normalised keys ``_k0 … _kn``: only records with those keys (and records with
    incomplete keys) are reconciled. ``records`` names a relation already holding ``records_sql``
    (the command materialises it once, for counts and totals as well). ``unmatched_only``: the
    records of matched groups are left out (the command counts them as the records in scope
    less the rows returned); only the few other groups are joined back to their records.
    """
    keys = [f"_k{i}" for i in range(len(cfg.keys))]
    on = " AND ".join(f"g.{k} = u.{k}" for k in keys)
    select = ", ".join(_record_columns(cfg, keys))
    unmatched = (" WHERE _class <> 'matched'", " WHERE NOT u._complete OR g._class IS NOT NULL") if unmatched_only \
        else ("", "")
    if records and not key_filter:  # already materialised: read it where it is
        return (f"SELECT {select} FROM {records} u LEFT JOIN (SELECT * FROM ({_groups_sql(cfg, keys, records)})"
                f"{unmatched[0]}) g ON {on}{unmatched[1]}")
    scoped = scoped_sql(cfg, records or "(" + records_sql(cfg, rel, record_keys) + ")", key_filter)
    return (f"WITH _rc_records AS MATERIALIZED ({scoped}), _rc_groups AS (SELECT * FROM "
            f"({_groups_sql(cfg, keys, '_rc_records')}){unmatched[0]}) "
            f"SELECT {select} FROM _rc_records u LEFT JOIN _rc_groups g ON {on}{unmatched[1]}")


def scoped_sql(cfg: ReconcileConfig, records: str, key_filter: str | None) -> str:
    """The records to reconcile: all of ``records``, or (monthly mode) those whose key ``key_filter``
    holds and those with an incomplete key."""
    scoped = f"SELECT * FROM {records} u"
    if key_filter:
        match = " AND ".join(f"c._k{i} = u._k{i}" for i in range(len(cfg.keys)))
        scoped += f" WHERE NOT u._complete OR EXISTS (SELECT 1 FROM {key_filter} c WHERE {match})"
    return scoped


def _typed(cfg: ReconcileConfig) -> list[str]:
    """The value columns of a record: the typed value (numbers, dates) and the normalised text."""
    return [c for j, p in enumerate(cfg.compared) for c in ([f"_v{j}"] if value_sql(p, "x") else []) + [f"_t{j}"]]


def _fingerprint(cfg: ReconcileConfig) -> str:
    """A hash of a record's compared values: equal for identical copies."""
    return "hash(" + ", ".join(f"_t{j}" for j in range(len(cfg.compared))) + ")"


def _side_groups_sql(cfg: ReconcileConfig, keys: list[str], source: str, side: str) -> str:
    """One side's records with a complete key, by key: count, balance sum, registration and values
    (``_v0`` → ``_lv0`` or ``_rv0``); ``any_value`` skips NULLs, so a side with one record holds its
    values. Where a side has several records the values matter only when they are identical copies
    (``_lcopies``, debt side)."""
    s = side.lower()
    aggregates = [f"count(*) AS _n{s}", f"sum(_v0) AS _b{s}", f"bool_or(_reg) AS _{s}reg"]
    if side == "L":
        aggregates.append(f"min({_fingerprint(cfg)}) = max({_fingerprint(cfg)}) AS _lcopies")
    aggregates += [f"any_value({c}) AS _{s}{c[1:]}" for c in _typed(cfg)]
    return (f"SELECT {', '.join(keys)}, {', '.join(aggregates)} FROM {source} "
            f"WHERE _complete AND _side = '{side}' GROUP BY ALL")


def _pair_groups_sql(cfg: ReconcileConfig, keys: list[str], source: str) -> str:
    """Both sides' groups side by side (a full join on the key): each side is aggregated on its own,
    half the width each (one aggregation of both sides, a struct of values per side, measured
    several times slower at 10⁶ groups: its hash table outgrew the memory limit)."""
    on = " AND ".join(f"l.{k} = r.{k}" for k in keys)
    values = [f"_{s}{c[1:]}" for c in _typed(cfg) for s in "lr"]  # _lv0, _rv0, _lt0, _rt0 …
    columns = [*[f"coalesce(l.{k}, r.{k}) AS {k}" for k in keys], "coalesce(_nl, 0) AS _nl", "coalesce(_nr, 0) AS _nr",
               "_bl", "_br", "coalesce(_lreg OR _rreg, _lreg, _rreg) AS _greg", "_lcopies", *values]
    return (f"SELECT {', '.join(columns)} FROM ({_side_groups_sql(cfg, keys, source, 'L')}) l "
            f"FULL JOIN ({_side_groups_sql(cfg, keys, source, 'R')}) r ON {on}")


def _groups_sql(cfg: ReconcileConfig, keys: list[str], source: str) -> str:
    """One row per complete key: counts and balance sums per side, comparisons and the class."""
    groups = _pair_groups_sql(cfg, keys, source)
    diffs = [f"{_diff_sql(p, j)} AS _d{j}" for j, p in enumerate(cfg.compared)]
    scaled = f"SELECT *, CASE WHEN _scale IS NOT NULL THEN _lv0 * _scale - _rv0 END AS _resid FROM (" \
             f"SELECT *, {', '.join(diffs)}, {_scale_sql(cfg)} AS _scale FROM ({groups}))"
    names = ", ".join(f"CASE WHEN _d{j} THEN {sql_quote(p.left.code)} END" for j, p in enumerate(cfg.compared))
    diff_list = (f"CASE WHEN _nl = 1 AND _nr = 1 OR _class = 'duplicate' AND _nr = 1 "
                 f"THEN list_filter([{names}], lambda x: x IS NOT NULL) ELSE []::VARCHAR[] END")
    return f"SELECT *, {diff_list} AS _diffs FROM (SELECT *, {_class_sql(cfg)} AS _class FROM ({scaled}))"


def _record_columns(cfg: ReconcileConfig, keys: list[str]) -> list[str]:
    """A record (u) with its group (g); a record with an incomplete key is judged alone."""
    group_cols = [f"_{side}{c[1:]}" for c in _typed(cfg) for side in ("l", "r")]  # _v0 → _lv0, _rv0
    group_cols += [f"_d{j}" for j in range(len(cfg.compared))]
    alone = (f"CASE WHEN u._side = 'L' THEN 'debt_only' WHEN {_conceal_sql(cfg, 'u._reg', 'u._v0')} "
             f"THEN 'concealed' ELSE 'omitted' END")
    own = ["_side", "_file", "_line", "_key", *keys, "_complete", "_debtor", "_reg"]
    return [
        *[f"u.{c}" for c in own],
        "CASE WHEN u._complete THEN u._k0 ELSE chr(0) || u._side || u._file || chr(0) || CAST(u._line AS VARCHAR) END AS _g",
        "coalesce(g._nl, CASE WHEN u._side = 'L' THEN 1 ELSE 0 END) AS _nl",
        "coalesce(g._nr, CASE WHEN u._side = 'R' THEN 1 ELSE 0 END) AS _nr",
        "CASE WHEN u._complete THEN g._bl WHEN u._side = 'L' THEN u._v0 END AS _bl",
        "CASE WHEN u._complete THEN g._br WHEN u._side = 'R' THEN u._v0 END AS _br",
        *[f"g.{c}" for c in group_cols], "g._scale", "g._resid",
        f"CASE WHEN u._complete THEN g._class ELSE {alone} END AS _class",
        "coalesce(g._diffs, []::VARCHAR[]) AS _diffs",
        "NULL::VARCHAR AS _pair", "NULL::INTEGER AS _stage", "FALSE AS _outside", "NULL::VARCHAR AS _note",
    ]


def output_columns(cfg: ReconcileConfig) -> list[str]:
    """The columns of a classified record, in order (primary classification and second match alike)."""
    keys = [f"_k{i}" for i in range(len(cfg.keys))]
    group_cols = [f"_{side}{c[1:]}" for c in _typed(cfg) for side in ("l", "r")]
    return ["_side", "_file", "_line", "_key", *keys, "_complete", "_debtor", "_reg", "_g", "_nl", "_nr", "_bl", "_br",
            *group_cols, *[f"_d{j}" for j in range(len(cfg.compared))], "_scale", "_resid", "_class", "_diffs",
            "_pair", "_stage", "_outside", "_note"]


# ---------------------------------------------------------------- the second match

LEFTOVER = ("(_side = 'L' AND _class = 'debt_only') "
            "OR (_side = 'R' AND _class IN ('omitted', 'concealed') AND _nr = 1)")


def _fallback_part(cfg: ReconcileConfig, part: tuple[str, int]) -> str:
    kind, i = part
    if kind == "k":
        return f"_k{i}"
    pair = cfg.compared[i]
    return f"CAST(_v{i} AS VARCHAR)" if value_sql(pair, "x") else f"_t{i}"


def fallback_sql(cfg: ReconcileConfig, classified: str, records: str, pool: str | None = None) -> str:
    """The classified records with the second match applied to what the keys left unpaired: the
    records paired replace their unpaired rows; the rest are returned as they were."""
    keep = ", ".join(output_columns(cfg))
    if cfg.fallback is None:
        return f"SELECT {keep} FROM {classified}"
    return (f"WITH _fb_pairs_all AS MATERIALIZED ({fallback_pairs_sql(cfg, classified, records, pool)}) "
            f"SELECT {keep} FROM {classified} c WHERE NOT EXISTS (SELECT 1 FROM _fb_pairs_all d "
            f"WHERE d._side = c._side AND d._file = c._file AND d._line = c._line) "
            f"UNION ALL SELECT {keep} FROM _fb_pairs_all")


def fallback_pairs_sql(cfg: ReconcileConfig, classified: str, records: str, pool: str | None = None) -> str:
    """The records the second match pairs, classified as pairs (``output_columns``, both sides).

    ``classified`` holds classified records (``output_columns``), ``records`` their normalised
    values (``records_sql``); ``pool`` (the reconcile command) holds further debt-side records
    outside the rule's scope that no rule paired, with the same columns as ``records``."""
    cols = output_columns(cfg)
    if cfg.fallback is None:
        return f"SELECT {', '.join(cols)} FROM {classified} WHERE FALSE"
    rec_cols = ["_side", "_file", "_line", "_key", *[f"_k{i}" for i in range(len(cfg.keys))],
                *_typed(cfg), "_debtor", "_reg", "_complete"]
    rc = ", ".join(rec_cols)
    ctes = [f"_fb_left AS (SELECT _side, _file, _line FROM {classified} WHERE {LEFTOVER})",
            f"_fb_cand0 AS MATERIALIZED (SELECT r.{rc.replace(', ', ', r.')}, FALSE AS _outside FROM {records} r "
            f"JOIN _fb_left c ON c._side = r._side AND c._file = r._file AND c._line = r._line"
            + (f" UNION ALL SELECT {rc}, TRUE AS _outside FROM {pool}" if pool else "") + ")"]
    stages = []
    for n, key in enumerate(cfg.fallback.keys):
        parts = [_fallback_part(cfg, p) for p in key.parts]
        filled = " AND ".join(f"{x} IS NOT NULL" for x in parts)
        ctes += [
            f"_fb_k{n} AS (SELECT _side, _file, _line, concat_ws(chr(31), {', '.join(parts)}) AS _fk "
            f"FROM _fb_cand{n} WHERE {filled})",
            f"_fb_g{n} AS (SELECT _fk FROM _fb_k{n} GROUP BY _fk "
            f"HAVING count(*) FILTER (WHERE _side = 'L') = 1 AND count(*) FILTER (WHERE _side = 'R') = 1)",
            f"_fb_m{n} AS MATERIALIZED (SELECT k._side, k._file, k._line, k._fk, {n + 1} AS _stage FROM _fb_k{n} k "
            f"JOIN _fb_g{n} g ON g._fk = k._fk)",
            f"_fb_cand{n + 1} AS (SELECT c.* FROM _fb_cand{n} c ANTI JOIN _fb_m{n} m "
            f"ON m._side = c._side AND m._file = c._file AND m._line = c._line)"]
        stages.append(f"SELECT * FROM _fb_m{n}")
    ctes.append(f"_fb_m AS ({' UNION ALL '.join(stages)})")
    ctes.append("_fb_rec AS (SELECT m._stage, m._fk, c.* FROM _fb_m m JOIN _fb_cand0 c "
                "ON c._side = m._side AND c._file = m._file AND c._line = m._line)")
    side_cols = ["_file", "_line", "_key", *[f"_k{i}" for i in range(len(cfg.keys))], *_typed(cfg), "_debtor", "_reg",
                 "_complete"]
    picks = [f"l.{c} AS _l{c[1:]}" for c in side_cols] + [f"r.{c} AS _r{c[1:]}" for c in side_cols]
    ctes.append(f"_fb_pairs AS (SELECT l._stage, l._outside, {', '.join(picks)} FROM _fb_rec l JOIN _fb_rec r "
                f"ON l._side = 'L' AND r._side = 'R' AND l._stage = r._stage AND l._fk = r._fk)")
    diffs = [f"{_diff_sql(p, j)} AS _d{j}" for j, p in enumerate(cfg.compared)]
    # an empty key component is a difference too (the key is incomplete: the field must be filled)
    key_diffs = [f"(_lk{i} IS DISTINCT FROM _rk{i} OR _lk{i} IS NULL) AS _kd{i}" for i in range(len(cfg.keys))]
    judged = (f"SELECT *, CASE WHEN _scale IS NOT NULL THEN _lv0 * _scale - _rv0 END AS _resid FROM ("
              f"SELECT *, {', '.join(diffs + key_diffs)}, {_scale_sql(cfg)} AS _scale FROM _fb_pairs)")
    others = " OR ".join([f"_d{j}" for j in range(1, len(cfg.compared))] + [f"_kd{i}" for i in range(len(cfg.keys))]
                         + ["_outside"])
    scope = [f"CASE WHEN _outside THEN {sql_quote(code)} END" for code in cfg.fallback.scope_fields]
    names = scope + [f"CASE WHEN _kd{i} THEN {sql_quote(k.left.code)} END" for i, k in enumerate(cfg.keys)]
    names += [f"CASE WHEN _d{j} THEN {sql_quote(p.left.code)} END" for j, p in enumerate(cfg.compared)]
    labels = "[" + ", ".join(sql_quote("、".join(k.names)) for k in cfg.fallback.keys) + "]"
    key_text = ", ".join(f"CASE WHEN _kd{i} THEN {sql_quote(k.name + ' ')} || coalesce(_lk{i}, '∅') || ' ≠ ' || "
                         f"coalesce(_rk{i}, '∅') END" for i, k in enumerate(cfg.keys))
    note = (f"'第二次匹配（' || {labels}[_stage] || '）' || CASE WHEN _outside THEN '，债务方记录在本规则范围外' "
            f"ELSE '' END || ': ' || array_to_string(list_filter([{key_text}], lambda x: x IS NOT NULL), '; ')")
    ctes.append(f"_fb_judged AS (SELECT *, {_pair_class_sql(cfg, others)} AS _class, "
                f"list_filter([{', '.join(names)}], lambda x: x IS NOT NULL) AS _diffs, "
                f"chr(1) || _rfile || chr(0) || CAST(_rline AS VARCHAR) AS _pair, {note} AS _note FROM ({judged}))")

    def row(side: str) -> str:
        s = side.lower()
        own = {"_side": f"'{side}'", "_file": f"_{s}file", "_line": f"_{s}line", "_key": f"_{s}key",
               **{f"_k{i}": f"_{s}k{i}" for i in range(len(cfg.keys))}, "_complete": f"_{s}complete",
               "_debtor": f"_{s}debtor", "_reg": f"_{s}reg", "_g": "_pair", "_nl": "1", "_nr": "1",
               "_bl": "_lv0", "_br": "_rv0"}
        return "SELECT " + ", ".join(f"{own.get(c, c)} AS {c}" for c in cols) + " FROM _fb_judged"

    return f"WITH {', '.join(ctes)} {row('L')} UNION ALL {row('R')}"


def _amount(expr: str) -> str:
    return f"coalesce(CAST(CAST(round({expr}, 2) AS DECIMAL(38, 2)) AS VARCHAR), '∅')"


def value_text_sql(cfg: ReconcileConfig) -> str:
    """The one-line evidence of a non-matched record: the class and what differs."""
    label = "CASE _class " + " ".join(
        f"WHEN '{c.code}' THEN {sql_quote(c.label_zh + ' ' + c.code)}" for c in CLASSES.values()) + " END"
    fields = ", ".join(
        f"CASE WHEN _d{j} THEN {sql_quote(p.name + ' ')} || coalesce(_lt{j}, '∅') || ' ≠ ' || coalesce(_rt{j}, '∅') END"
        for j, p in enumerate(cfg.compared))
    pair = f"array_to_string(list_filter([{fields}], lambda x: x IS NOT NULL), '; ')"
    threshold = sql_quote(format(cfg.conceal_min_balance, "f")) if cfg.conceal_min_balance is not None else "'∅'"
    unit = (f"CASE WHEN _d0 AND _scale IS NOT NULL THEN '单位错误 unit factor ×' || "
            f"CAST(CAST(_scale AS DOUBLE) AS VARCHAR) || CASE WHEN _class <> 'misreported' THEN "
            f"'，换算后仍差 ' || {_amount('_resid')} ELSE '' END || '; ' ELSE '' END")
    detail = (
        "CASE "
        f"WHEN _class IN ('misreported', 'under_reported', 'over_reported') THEN "
        f"coalesce(_note || '; ', '') || {unit} || {pair} "
        f"WHEN _class = 'concealed' THEN '债权方余额合计 ' || {_amount('_br')} || ' ≥ ' || {threshold} || '，单位已登记' "
        "WHEN _class = 'omitted' THEN '债务方无对应记录' || CASE WHEN NOT _complete THEN '（匹配键不完整）' ELSE '' END "
        "WHEN _class = 'debt_only' THEN '债权方无对应记录' || CASE WHEN NOT _complete THEN '（匹配键不完整）' ELSE '' END "
        "WHEN _class = 'duplicate' AND _nr = 0 THEN '债务方 ' || _nl || ' 条记录匹配键相同' "
        f"WHEN _class = 'duplicate' THEN '债务方 ' || _nl || ' 条相同记录对应债权方 1 条（重复填报）' "
        f"|| CASE WHEN len(_diffs) > 0 THEN '; ' || {pair} ELSE '' END "
        f"ELSE '债务方 ' || _nl || ' 条 / 债权方 ' || _nr || ' 条，余额合计 ' || {_amount('_bl')} || ' / ' || {_amount('_br')} "
        "END")
    return f"{label} || ': ' || {detail}"


def failures_sql(cfg: ReconcileConfig, rel: Relations, record_keys: tuple[str, str]) -> str:
    """What ``jianhe validate`` reports: every record of a non-matched group, both sides (the second
    match within the rule's scope; pairing across product types needs every rule: ``jianhe reconcile``)."""
    records = records_sql(cfg, rel, record_keys)
    classified = classified_sql(cfg, rel, record_keys, None, "_vr")
    return (f"WITH _vr AS MATERIALIZED ({records}), _vc AS MATERIALIZED ({classified}) "
            f"SELECT _file, _line, _key, {value_text_sql(cfg)} AS _value "
            f"FROM ({fallback_sql(cfg, '_vc', '_vr')}) WHERE _class <> 'matched'")
