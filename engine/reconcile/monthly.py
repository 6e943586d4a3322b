"""Monthly mode: compare each side with last month's agreed data and reconcile only what changed.

Last month's data were agreed (both sides matched), so a difference this month can only come
from a change on at least one side. Per side and normalised match key:

* new — the key is not in last month's data;
* settled — the key is in both months and its balance is now 0 (it was not);
* changed — the key is in both months and a compared value, or its number of records, changed;
* vanished — the key was in last month's data and is not reported now;
* unchanged — everything compared is as last month (values compared after normalisation).

A key that changed on either side is reconciled; a key unchanged on both sides keeps last
month's agreement. Records with an incomplete key cannot be followed from month to month and
are always reconciled.
"""
from __future__ import annotations

from ..dialects.quoting import sql_quote
from ..rules.reconcile.config import ReconcileConfig
from ..rules.reconcile.sql import side_sql, value_sql


def _fingerprints(cfg: ReconcileConfig) -> list[str]:
    """Per compared field, the value compared month to month (numbers and dates as parsed)."""
    out = []
    for j, p in enumerate(cfg.compared):
        out.append(f"coalesce(CAST(_v{j} AS VARCHAR), _t{j}, '')" if value_sql(p, "x") else f"coalesce(_t{j}, '')")
    return out


def _per_key(cfg: ReconcileConfig, side: str, relation: str) -> str:
    """One row per complete key of one side and month: records, balance, fingerprint, first record."""
    n = len(cfg.keys)
    keys = ", ".join(f"_k{i}" for i in range(n))
    complete = " AND ".join(f"_k{i} IS NOT NULL" for i in range(n))
    fps = _fingerprints(cfg)
    record = "concat_ws(chr(31), " + ", ".join(fps) + ")"
    fields = ", ".join(f"min({fp}) AS _min{j}, max({fp}) AS _max{j}" for j, fp in enumerate(fps))
    return (f"SELECT {keys}, count(*) AS _n, sum(_v0) AS _bal, string_agg({record}, chr(30) ORDER BY {record}) AS _fp, "
            f"min(_file) AS _file, min(_line) AS _line, {fields} "
            f"FROM ({side_sql(cfg, side, relation, None, 'NULL')}) WHERE {complete} GROUP BY {keys}")


def changes_sql(cfg: ReconcileConfig, side: str, current: str, previous: str) -> str:
    """Every key of one side in either month with its change class and the fields that changed."""
    n = len(cfg.keys)
    on = " AND ".join(f"c._k{i} = p._k{i}" for i in range(n))
    keys = ", ".join(f"coalesce(c._k{i}, p._k{i}) AS _k{i}" for i in range(n))
    changed = ", ".join(
        f"CASE WHEN c._min{j} IS DISTINCT FROM p._min{j} OR c._max{j} IS DISTINCT FROM p._max{j} "
        f"THEN {sql_quote(pair.left.code)} END" for j, pair in enumerate(cfg.compared))
    change = ("CASE WHEN p._n IS NULL THEN 'new' WHEN c._n IS NULL THEN 'vanished' "
              "WHEN c._bal = 0 AND coalesce(p._bal, 0) <> 0 THEN 'settled' "
              "WHEN c._n <> p._n OR c._fp IS DISTINCT FROM p._fp THEN 'changed' ELSE 'unchanged' END")
    return (f"SELECT {keys}, '{side}' AS _side, {change} AS _change, c._n AS _n_now, p._n AS _n_before, "
            f"c._bal AS _bal_now, p._bal AS _bal_before, c._file AS _file, c._line AS _line, "
            f"p._file AS _prev_file, p._line AS _prev_line, "
            f"CASE WHEN c._n IS NOT NULL AND p._n IS NOT NULL THEN list_filter([{changed}], lambda x: x IS NOT NULL) "
            f"ELSE []::VARCHAR[] END AS _fields "
            f"FROM ({_per_key(cfg, side, current)}) c FULL JOIN ({_per_key(cfg, side, previous)}) p ON {on}")


def changed_keys_sql(cfg: ReconcileConfig, changes: str) -> str:
    """The keys that changed on either side: the only ones this month's reconciliation looks at."""
    keys = ", ".join(f"_k{i}" for i in range(len(cfg.keys)))
    return f"SELECT DISTINCT {keys} FROM {changes} WHERE _change <> 'unchanged'"
