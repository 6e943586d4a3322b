"""The reconciliation as one DuckDB query: every in-scope record of both sides, classified.

1. Each side is read once: match keys and compared values are normalised by the same SQL
   (``normalise.py``); a record with an empty key component is *incomplete* and forms a group
   of its own.
2. One hash aggregation over the union, by normalised key, gives each group its record counts
   and balance sums per side and — for 1:1 groups — both records' values (one struct per side);
   each record is joined back to its group. (A window over the union computes the same; it
   measured several times slower here.)
3. A CASE turns counts and comparisons into the group's class (``classes.py``): group shape
   first (creditor only, debt only, 1:n, n:1, n:m), then for 1:1 pairs the unit-factor test,
   the balance test (少报 / 多报) and the other compared fields (错报).

The query yields one row per record (``_side`` 'L' = debt side, 'R' = creditor side). The
``validate`` rule keeps the non-matched rows with a one-line ``_value``; ``jianhe reconcile``
materialises all of them and builds the detailed report.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..formats import sql_quote
from ..rules.base import quote_ident
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


def side_sql(cfg: ReconcileConfig, side: str, relation: str, units: str | None, record_key: str) -> str:
    """One side's in-scope records with normalised keys and values.

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
    when = cfg.left_when if left else cfg.right_when
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


def _scale_sql(cfg: ReconcileConfig) -> str:
    """TRUE when the balances differ by one of the unit factors (元 vs 万元 …)."""
    if not cfg.scale_factors:
        return "FALSE"
    st = lit(cfg.scale_tolerance)
    tests = []
    for f in cfg.scale_factors:
        tests.append(f"abs(_lv0 - {lit(f)} * _rv0) <= {st} * abs({lit(f)} * _rv0)")
        tests.append(f"abs({lit(f)} * _lv0 - _rv0) <= {st} * abs(_rv0)")
    return f"(_lv0 <> 0 AND _rv0 <> 0 AND ({' OR '.join(tests)}))"


def _conceal_sql(cfg: ReconcileConfig, registered: str, balance: str) -> str:
    """瞒报 rather than 漏报: the debtor is registered and the creditor balance reaches the threshold."""
    if cfg.conceal_min_balance is None or not cfg.units:
        return "FALSE"
    return f"(coalesce({registered}, FALSE) AND {balance} >= {lit(cfg.conceal_min_balance)})"


def _class_sql(cfg: ReconcileConfig) -> str:
    conceal = _conceal_sql(cfg, "_greg", "_br")
    others = " OR ".join(f"_d{j}" for j in range(1, len(cfg.compared))) or "FALSE"
    pair = (f"CASE WHEN _d0 AND coalesce(_scale, FALSE) THEN 'misreported' "
            f"WHEN _d0 AND _lv0 > _rv0 THEN 'over_reported' "
            f"WHEN _d0 AND _lv0 < _rv0 THEN 'under_reported' "
            f"WHEN _d0 OR {others} THEN 'misreported' ELSE 'matched' END")
    return (f"CASE WHEN _nl = 0 THEN CASE WHEN {conceal} THEN 'concealed' ELSE 'omitted' END "
            f"WHEN _nr = 0 THEN CASE WHEN _nl = 1 THEN 'debt_only' ELSE 'duplicate' END "
            f"WHEN _nl = 1 AND _nr = 1 THEN {pair} "
            f"WHEN _nl = 1 THEN 'one_to_many' WHEN _nr = 1 THEN 'many_to_one' ELSE 'many_to_many' END")


def records_sql(cfg: ReconcileConfig, rel: Relations, record_keys: tuple[str, str]) -> str:
    """Both sides' in-scope records, normalised, with ``_complete`` (no key component empty)."""
    complete = " AND ".join(f"_k{i} IS NOT NULL" for i in range(len(cfg.keys)))
    return (f"SELECT *, {complete} AS _complete FROM ({side_sql(cfg, 'L', rel.left, rel.units, record_keys[0])} "
            f"UNION ALL {side_sql(cfg, 'R', rel.right, rel.units, record_keys[1])})")


def classified_sql(cfg: ReconcileConfig, rel: Relations, record_keys: tuple[str, str],
                   key_filter: str | None = None, records: str | None = None) -> str:
    """Every in-scope record of both sides with its group's counts, sums, comparisons and class.

    Groups come from one hash aggregation over the records with a complete key (a 1:1 group's
    values travel as one struct per side); each record is then joined to its group. A record
    with an incomplete key is a group of its own. ``key_filter`` (monthly mode) names a relation
    of normalised keys ``_k0 … _kn``: only records with those keys (and records with incomplete
    keys) are reconciled. ``records`` names a relation already holding ``records_sql`` (the
    command materialises it once, for counts and totals as well).
    """
    keys = [f"_k{i}" for i in range(len(cfg.keys))]
    on = " AND ".join(f"g.{k} = u.{k}" for k in keys)
    select = ", ".join(_record_columns(cfg, keys))
    if records and not key_filter:  # already materialised: read it where it is
        return f"SELECT {select} FROM {records} u LEFT JOIN ({_groups_sql(cfg, keys, records)}) g ON {on}"
    scoped = f"SELECT * FROM {records or '(' + records_sql(cfg, rel, record_keys) + ')'} u"
    if key_filter:
        match = " AND ".join(f"c.{k} = u.{k}" for k in keys)
        scoped += f" WHERE NOT u._complete OR EXISTS (SELECT 1 FROM {key_filter} c WHERE {match})"
    return (f"WITH _rc_records AS MATERIALIZED ({scoped}), _rc_groups AS ({_groups_sql(cfg, keys, '_rc_records')}) "
            f"SELECT {select} FROM _rc_records u LEFT JOIN _rc_groups g ON {on}")


def _typed(cfg: ReconcileConfig) -> list[str]:
    """The value columns of a record: the typed value (numbers, dates) and the normalised text."""
    return [c for j, p in enumerate(cfg.compared) for c in ([f"_v{j}"] if value_sql(p, "x") else []) + [f"_t{j}"]]


def _groups_sql(cfg: ReconcileConfig, keys: list[str], source: str) -> str:
    """One row per complete key: counts and balance sums per side, comparisons and the class."""
    aggregates = ["count(*) FILTER (WHERE _side = 'L') AS _nl", "count(*) FILTER (WHERE _side = 'R') AS _nr",
                  "sum(_v0) FILTER (WHERE _side = 'L') AS _bl", "sum(_v0) FILTER (WHERE _side = 'R') AS _br",
                  "bool_or(_reg) AS _greg"]
    values = _typed(cfg)
    packed = "{" + ", ".join(f"'{c}': {c}" for c in values) + "}"
    aggregates += [f"any_value({packed}) FILTER (WHERE _side = '{side}') AS _{side}" for side in ("L", "R")]
    unpack = ", ".join(f"_{side}.{c} AS _{side.lower()}{c[1:]}" for c in values for side in ("L", "R"))  # _L._v0 → _lv0
    groups = f"SELECT {', '.join(keys)}, {', '.join(aggregates)} FROM {source} WHERE _complete GROUP BY ALL"
    diffs = [f"{_diff_sql(p, j)} AS _d{j}" for j, p in enumerate(cfg.compared)]
    compared = (f"SELECT *, {', '.join(diffs)}, {_scale_sql(cfg)} AS _scale "
                f"FROM (SELECT * EXCLUDE (_L, _R), {unpack} FROM ({groups}))")
    names = ", ".join(f"CASE WHEN _d{j} THEN {sql_quote(p.left.code)} END" for j, p in enumerate(cfg.compared))
    diff_list = (f"CASE WHEN _nl = 1 AND _nr = 1 THEN list_filter([{names}], lambda x: x IS NOT NULL) "
                 f"ELSE []::VARCHAR[] END")
    return f"SELECT *, {_class_sql(cfg)} AS _class, {diff_list} AS _diffs FROM ({compared})"


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
        *[f"g.{c}" for c in group_cols], "g._scale",
        f"CASE WHEN u._complete THEN g._class ELSE {alone} END AS _class",
        "coalesce(g._diffs, []::VARCHAR[]) AS _diffs",
    ]


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
    detail = (
        "CASE "
        f"WHEN _class IN ('misreported', 'under_reported', 'over_reported') THEN "
        f"CASE WHEN coalesce(_scale, FALSE) THEN '单位错误 unit factor; ' ELSE '' END || {pair} "
        f"WHEN _class = 'concealed' THEN '债权方余额合计 ' || {_amount('_br')} || ' ≥ ' || {threshold} || '，单位已登记' "
        "WHEN _class = 'omitted' THEN '债务方无对应记录' || CASE WHEN NOT _complete THEN '（匹配键不完整）' ELSE '' END "
        "WHEN _class = 'debt_only' THEN '债权方无对应记录' || CASE WHEN NOT _complete THEN '（匹配键不完整）' ELSE '' END "
        "WHEN _class = 'duplicate' THEN '债务方 ' || _nl || ' 条记录匹配键相同' "
        f"ELSE '债务方 ' || _nl || ' 条 / 债权方 ' || _nr || ' 条，余额合计 ' || {_amount('_bl')} || ' / ' || {_amount('_br')} "
        "END")
    return f"{label} || ': ' || {detail}"


def failures_sql(cfg: ReconcileConfig, rel: Relations, record_keys: tuple[str, str]) -> str:
    """What ``jianhe validate`` reports: every record of a non-matched group, both sides."""
    return (f"SELECT _file, _line, _key, {value_text_sql(cfg)} AS _value "
            f"FROM ({classified_sql(cfg, rel, record_keys)}) WHERE _class <> 'matched'")
