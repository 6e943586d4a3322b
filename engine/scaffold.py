"""`jianhe init`: scaffold a spec and a rule pack for a new table by profiling a sample file.

Input: a CSV or Parquet file with a header (column = field code, or a Chinese name), or an EAST
text file (0x01-separated, no header) with ``--fields A,B,C``. The sample is loaded by the
engine's own loader (so values are the text the rules will see) and profiled in DuckDB:

* formats — ``YYYYMMDD`` / ``YYYYMM`` / ``hhmmss`` when every value is one; ``I..n`` for integers
  (digits rounded up); ``D20.2`` for decimals with at most 2 decimals (``Dw.d`` beyond); else
  ``C..n`` with the longest value's UTF-8 bytes rounded up;
* ``required`` for columns never empty;
* code lists for low-cardinality columns (few distinct values, each repeated);
* the key: the first column (else pair of columns) unique and never empty; other candidates are
  listed in a comment.

Output under ``--out`` (default ``jianhe-<code>``): ``specs/<spec>/tables/<CODE>.yaml``,
``specs/<spec>/codelists.yaml``, ``rulesets/<pack>/pack.yaml`` (every derived rule on) and
``rulesets/<pack>/rules/<CODE>.yaml`` (for written rules). A second table can be added to the
same folder: codelists.yaml is extended as text (comments and layout kept), pack.yaml and rule
files are kept, a table spec is never overwritten; a refusal comes before any file is written.
The result is checked before returning: it loads, and the sample passes it.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field as dc_field
from datetime import date
from pathlib import Path

import duckdb
import yaml

from .errors import RuleFileError, UsageError
from .formats import parse_format
from .dialects.quoting import quote_ident
from .sources.discover import EAST_NAME, SourceFile
from .sources.load import create_relation, load_table
from .spec import Field, TableSpec
from .yamlio import load_yaml, load_yaml_text

LADDER = (1, 2, 4, 6, 8, 10, 12, 16, 20, 24, 30, 32, 40, 50, 60, 64, 80, 100, 120, 128, 150, 200, 256, 300, 400,
          500, 600, 800, 1000, 1200, 1500, 2000, 3000, 4000)
EMPTY_WIDTH = 100  # a column with no value in the sample
MAX_CODES = 20  # at most this many distinct values make a code list …
MIN_REPEAT = 2  # … when the sample holds each value this many times on average
MAX_CODE_BYTES = 60
KEY_PAIR_COLUMNS = 30
CODE_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
SPEC_NAME = "local"


@dataclass
class Column:
    code: str
    name: str
    position: int
    rows: int = 0
    filled: int = 0
    distinct: int = 0
    max_bytes: int = 0
    format: str = "C..1"
    values: list[str] = dc_field(default_factory=list)  # by frequency, when low-cardinality
    codelist: str | None = None
    top: str | None = None  # the most frequent value

    @property
    def required(self) -> bool:
        return self.rows > 0 and self.filled == self.rows


@dataclass
class Profile:
    table: str
    rows: int
    columns: list[Column]
    key: list[str]
    candidates: list[list[str]]
    rejected: int = 0


def round_up(n: int) -> int:
    return next((step for step in LADDER if step >= n), -(-n // 1000) * 1000)


# ----------------------------------------------------------------------------- reading the sample

def _source_kind(sample: Path, fields: list[str] | None) -> str:
    suffix = sample.suffix.lower()
    if fields:
        return "east"
    if suffix in (".csv", ".parquet"):
        return suffix[1:]
    raise UsageError(f"{sample}: give --fields A,B,C for an EAST text file (no header), or a .csv/.parquet with a header")


def _column_names(con, sample: Path, kind: str, fields: list[str] | None) -> list[str]:
    if kind == "east":
        return list(fields)
    relation = (f"read_csv('{_path_sql(sample)}', header=true, all_varchar=true)" if kind == "csv"
                else f"read_parquet('{_path_sql(sample)}')")
    return [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]


def _path_sql(path: Path) -> str:
    return str(path).replace("'", "''")


def _codes(names: list[str]) -> list[tuple[str, str]]:
    """(code, name) per column: code-like headers become codes, others keep their name with F01…"""
    out, seen = [], set()
    for i, name in enumerate(names, start=1):
        code = name.strip().upper() if CODE_LIKE.fullmatch(name.strip()) else f"F{i:02d}"
        if code in seen:
            code = f"{code}_{i}"
        seen.add(code)
        out.append((code, name.strip() or code))
    return out


def _load(con, sample: Path, table: str, kind: str, columns: list[tuple[str, str]], workdir: Path) -> tuple[str, int, int]:
    """Load with the engine's loader into a text-only table; returns (relation, rows, rejected)."""
    wide = parse_format("C..1000000")
    spec = TableSpec(table, table, "状态类", [Field(c, n, wide, i) for i, (c, n) in enumerate(columns, start=1)])
    create_relation(con, spec)
    info, findings = load_table(con, SourceFile(sample, table, kind), spec, workdir)
    missing = [f for f in findings if f.rule_id == "FILE.FIELD_COUNT" and f.line is None]
    if missing:
        raise UsageError(f"{sample}: {missing[0].value}")
    return quote_ident("t_" + table), info.rows_read, info.rows_rejected


# ----------------------------------------------------------------------------- profiling

_CHECKS = {
    "date": r"(?:[0-9]{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]))",
    "yearmonth": r"(?:(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])|999912)",
    "time": r"(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]",
    "int": r"-?(?:0|[1-9][0-9]*)",
    "decimal": r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?",
}


def _profile_column(con, relation: str, col: Column) -> None:
    c = quote_ident(col.code)
    filled = f"{c} IS NOT NULL AND {c} <> ''"
    checks = ", ".join(f"bool_and(regexp_full_match({c}, '{rx}')) FILTER (WHERE {filled})" for rx in _CHECKS.values())
    row = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {filled}), count(DISTINCT {c}) FILTER (WHERE {filled}), "
        f"coalesce(max(strlen({c})), 0), {checks}, "
        f"bool_and({c} = '99991231' OR try_strptime({c}, '%Y%m%d') IS NOT NULL) FILTER (WHERE {filled}), "
        f"coalesce(max(length(split_part({c}, '.', 2))) FILTER (WHERE {filled}), 0), "
        f"coalesce(max(length(ltrim(split_part({c}, '.', 1), '-'))) FILTER (WHERE {filled}), 0), "
        f"bool_or(contains({c}, '.')) FILTER (WHERE {filled}), mode({c}) FILTER (WHERE {filled}) "
        f"FROM {relation}").fetchone()
    col.rows, col.filled, col.distinct, col.max_bytes, col.top = row[0], row[1], row[2], row[3], row[13]
    is_date, is_ym, is_time, is_int, is_dec, real_date, scale, int_digits, has_dot = row[4:13]
    col.format = _format(col, bool(is_date and real_date), bool(is_ym), bool(is_time), bool(is_int),
                         bool(is_dec and has_dot), scale or 0, int_digits or 0)
    kind = parse_format(col.format).kind
    if (kind in ("char", "int") and 0 < col.distinct <= MAX_CODES and col.filled >= MIN_REPEAT * col.distinct
            and col.max_bytes <= MAX_CODE_BYTES):
        col.values = [v for v, in con.execute(
            f"SELECT {c} FROM {relation} WHERE {filled} GROUP BY 1 ORDER BY count(*) DESC, 1").fetchall()]


def _format(col: Column, is_date: bool, is_ym: bool, is_time: bool, is_int: bool, is_dec: bool,
            scale: int, int_digits: int) -> str:
    if col.filled == 0:
        return f"C..{EMPTY_WIDTH}"
    if is_date and col.max_bytes == 8:
        return "YYYYMMDD"
    if is_ym and col.max_bytes == 6:
        return "YYYYMM"
    if is_time and col.max_bytes == 6:
        return "hhmmss"
    if is_int:
        return f"I..{round_up(int_digits)}"
    if is_dec:
        width = max(20, round_up(col.max_bytes))
        return "D20.2" if scale <= 2 and col.max_bytes <= 20 else f"D{max(width, scale + 2)}.{scale}"
    return f"C..{round_up(col.max_bytes)}"


def _keys(con, relation: str, columns: list[Column], rows: int) -> list[list[str]]:
    """Columns, else pairs of columns, that are unique and never empty (candidate keys)."""
    if rows < 2:
        return []
    usable = [c for c in columns if c.required and parse_format(c.format).kind not in ("decimal", "float")]
    singles = [[c.code] for c in usable if c.distinct == rows]
    if singles:
        return singles
    pairs = []
    pool = usable[:KEY_PAIR_COLUMNS]
    for i, a in enumerate(pool):
        for b in pool[i + 1:]:
            n = con.execute(f"SELECT count(DISTINCT ({quote_ident(a.code)}, {quote_ident(b.code)})) "
                            f"FROM {relation}").fetchone()[0]
            if n == rows:
                pairs.append([a.code, b.code])
    return pairs


def profile(sample: Path, table: str, fields: list[str] | None = None) -> Profile:
    sample = Path(sample)
    if not sample.is_file():
        raise UsageError(f"sample not found: {sample}")
    kind = _source_kind(sample, fields)
    workdir = Path(tempfile.mkdtemp(prefix="jianhe-init-"))
    con = duckdb.connect()
    try:
        columns = _codes(_column_names(con, sample, kind, fields))
        relation, rows, rejected = _load(con, sample, table, kind, columns, workdir)
        cols = [Column(code, name, i) for i, (code, name) in enumerate(columns, start=1)]
        for col in cols:
            _profile_column(con, relation, col)
        candidates = _keys(con, relation, cols, rows - rejected)
    finally:
        con.close()
        shutil.rmtree(workdir, ignore_errors=True)
    key_codes = {c for cand in candidates for c in cand}
    for col in cols:
        if col.values and col.code not in key_codes:
            col.codelist = f"{table}.{col.code}" if col.name == col.code else col.name
        else:
            col.values = []
    return Profile(table, rows, cols, candidates[0] if candidates else [], candidates, rejected)


# ----------------------------------------------------------------------------- writing the pack

def _flow(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, default_flow_style=True, sort_keys=False, width=100000).strip()


def table_yaml(p: Profile, name: str, sample: Path) -> str:
    lines = [f"# Scaffolded by `jianhe init` from {sample.name} ({p.rows} rows) on {date.today().isoformat()}.",
             "# Formats, required flags, code lists and the key are inferred from the sample: review each one.",
             "# Candidate keys (unique, never empty): "
             + ("; ".join("[" + ", ".join(c) + "]" for c in p.candidates[:10]) if p.candidates else "none found"),
             f"table: {p.table}", f"name: {_flow({'n': name})[4:-1]}", "kind: 状态类"]
    if p.key:
        lines.append(f"key: [{', '.join(p.key)}]")
    lines.append("fields:")
    for c in p.columns:
        item = {"code": c.code, "name": c.name, "format": c.format}
        if c.required:
            item["required"] = True
        if c.codelist:
            item["codelist"] = c.codelist
        lines.append(f"  - {_flow(item)}  # {c.filled}/{c.rows} filled, {c.distinct} distinct, "
                     f"longest {c.max_bytes} bytes")
    return "\n".join(lines) + "\n"


CODELISTS_HEADER = "# Code lists (码值); scaffolded lists hold the values seen in the sample.\n"


def _codelist_line(name: str, values: list[str], indent: str = "  ") -> str:
    return f"{indent}{_flow({'n': name})[4:-1]}: {_flow({'values': values})}\n"


def _existing_codelists(path: Path) -> tuple[str, dict]:
    """The text and parsed lists of an existing codelists.yaml ('' and {} when there is none)."""
    if not path.exists():
        return "", {}
    doc = load_yaml(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("codelists") or {}, dict):
        raise UsageError(f"{path}: not a code-list file (a mapping with 'codelists:'); fix or remove it")
    return path.read_text(encoding="utf-8"), doc


def _resolve_codelists(p: Profile, lists: dict, path: Path) -> dict[str, list[str]]:
    """The lists to add. A list of the same name with other values (a Chinese column name another
    table uses) makes this table's list ``TABLE.CODE``; if that is taken too, refuse."""
    new: dict[str, list[str]] = {}
    for c in p.columns:
        if not c.codelist:
            continue
        for name in (c.codelist, f"{p.table}.{c.code}"):
            entry = lists.get(name)
            seen = (entry.get("values") or [] if isinstance(entry, dict) else []) if name in lists else new.get(name)
            if seen is None or list(map(str, seen)) == c.values:
                break
        else:
            raise UsageError(f"{path}: code lists '{c.codelist}' and '{p.table}.{c.code}' already exist with other values")
        c.codelist = name
        if seen is None:
            new[name] = c.values
    return new


def _extended_codelists(path: Path, text: str, doc: dict, new: dict[str, list[str]]) -> str | None:
    """The file's text with ``new`` lists added as text (comments and layout kept), or None when
    an existing file needs nothing. The result is parsed back; if it is not exactly old + new, refuse."""
    if not text:  # a new file (also when empty: a later table may add lists to it)
        body = "".join(_codelist_line(n, v) for n, v in new.items())
        return CODELISTS_HEADER + ("codelists:\n" + body if body else "codelists: {}\n")
    if not new:
        return None
    lists = doc.get("codelists") or {}
    lines = text.splitlines(keepends=True)
    if lists:
        first = lists.line_of(next(iter(lists))) - 1
        indent = lines[first][: len(lines[first]) - len(lines[first].lstrip(" "))]
        added = "".join(_codelist_line(n, v, indent or "  ") for n, v in new.items())
        candidate = text + ("" if text.endswith("\n") else "\n") + added
    else:  # `codelists: {}`: open the mapping on its own line, entries right below it
        at = doc.line_of("codelists") - 1
        head = re.match(r"codelists:\s*(\{\s*\})?\s*(#.*)?$", lines[at].rstrip("\n"))
        comment = f"  {head.group(2)}" if head and head.group(2) else ""
        lines[at] = f"codelists:{comment}\n" + "".join(_codelist_line(n, v) for n, v in new.items())
        candidate = "".join(lines)
    _check_extension(path, candidate, doc, new)
    return candidate


def _check_extension(path: Path, candidate: str, doc: dict, new: dict[str, list[str]]) -> None:
    """The extended text must parse to the old document plus exactly the new lists."""
    try:
        got = load_yaml_text(candidate, str(path))
    except RuleFileError:
        got = None
    want = {**doc, "codelists": {**(doc.get("codelists") or {}), **{n: {"values": v} for n, v in new.items()}}}
    if got != want:
        raise UsageError(f"{path}: cannot add code lists {', '.join(new)} without rewriting the file "
                         "(its layout is not a plain 'codelists:' block at the end); add them by hand and "
                         "run `jianhe init` again without them, or move the file away")


def _write_new(path: Path, text: str) -> None:
    """Create a file that must not exist yet (never overwrite what a user may have edited)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as fh:
        fh.write(text)


def _replace(path: Path, text: str) -> None:
    """Write a whole file atomically (a crash leaves the old or the new file, never half of one)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Scaffold:
    root: Path
    spec_dir: Path
    pack_dir: Path
    table_file: Path
    profile: Profile
    actions: list[str] = dc_field(default_factory=list)  # "wrote X", "extended X", "kept X"


def pack_yaml(pack: str) -> str:
    return (f"# Scaffolded by `jianhe init`: every rule the spec implies, plus the written rules in rules/.\n"
            f"pack: {pack}\nversion: \"1\"\nspec: ../../specs/{SPEC_NAME}\n"
            "derive: {required: true, format: true, codelist: true, key: true, links: true}\n")


def rules_yaml(table: str, name: str | None) -> str:
    return (f"# Written rules for {table} {name or ''}: what the spec cannot say (cross-field checks, ranges …).\n"
            f"# e.g.\n#  - id: {table}.R001\n#    kind: compare\n#    field: <field>\n#    op: \">=\"\n"
            f"#    other: <field>\n#    type: number\n#    message: {{zh: …, en: …}}\n"
            f"table: {table}\nrules: []\n")


def scaffold(sample: Path, table: str, name: str | None = None, out: Path | None = None,
             fields: list[str] | None = None, pack_name: str | None = None) -> Scaffold:
    """Profile the sample and write spec + pack. Into an existing --out, files a user may have
    edited are only ever extended as text (codelists.yaml) or kept; everything is checked before
    the first file is written, so a refusal (exit 2) leaves the folder as it was."""
    table = table.strip()
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", table):
        raise UsageError(f"--table must be a table code in capitals (e.g. DKXXB), not {table!r}")
    root = Path(out or f"jianhe-{table.lower()}")
    spec_dir = root / "specs" / SPEC_NAME
    pack_dir = root / "rulesets" / (pack_name or SPEC_NAME)
    table_file = spec_dir / "tables" / f"{table}.yaml"
    if table_file.exists():
        raise UsageError(f"{table_file} exists already: choose another --out or remove it")
    codelists_file = spec_dir / "codelists.yaml"
    text, doc = _existing_codelists(codelists_file)
    p = profile(Path(sample), table, fields)
    extended = _extended_codelists(codelists_file, text, doc, _resolve_codelists(p, doc.get("codelists") or {}, codelists_file))
    result = Scaffold(root, spec_dir, pack_dir, table_file, p)
    _write_new(table_file, table_yaml(p, name or table, Path(sample)))
    result.actions.append(f"wrote {table_file}")
    if extended is not None:
        _replace(codelists_file, extended)
    result.actions.append(f"{'kept' if extended is None else 'extended' if text else 'wrote'} {codelists_file}")
    for path, body in ((pack_dir / "pack.yaml", pack_yaml(pack_name or SPEC_NAME)),
                       (pack_dir / "rules" / f"{table}.yaml", rules_yaml(table, name))):
        result.actions.append(f"kept {path}" if path.exists() else f"wrote {path}")
        if not path.exists():
            _write_new(path, body)
    return result


def sample_submission(sample: Path, table: str, folder: Path, fields: list[str] | None, collection_date: str | None) -> Path:
    """A copy of the sample named as a submission file of the table (for the self-check)."""
    sample = Path(sample)
    folder.mkdir(parents=True, exist_ok=True)
    if fields:
        m = EAST_NAME.match(sample.name)
        name = sample.name if m and m["code"] == table else \
            f"A0000H000000000-{table}-{collection_date or '20000101'}.txt"
    else:
        name = f"{table}{sample.suffix.lower()}"
    target = folder / name
    shutil.copyfile(sample, target)
    return target


def self_check(result: Scaffold, sample: Path, fields: list[str] | None):
    """Load the new pack and validate the sample with it: a scaffold must accept its own sample."""
    from .ruleset import load_pack
    from .backends.duckdb import validate_submission

    pack = load_pack(result.pack_dir)
    cjrq = next((c for c in result.profile.columns if c.code == "CJRQ"), None)
    work = Path(tempfile.mkdtemp(prefix="jianhe-init-check-"))
    try:
        sample_submission(sample, result.profile.table, work, fields, cjrq.top if cjrq else None)
        run = validate_submission(work, pack)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return pack, [r for r in run.rules if r.table == result.profile.table and r.status == "failed"]


def summary(result: Scaffold) -> list[str]:
    p = result.profile
    kinds = Counter(parse_format(c.format).kind for c in p.columns)
    return [*result.actions,
            f"{p.table}: {len(p.columns)} fields from {p.rows} rows ("
            + ", ".join(f"{n} {k}" for k, n in kinds.most_common()) + f"); "
            f"{sum(c.required for c in p.columns)} required, {sum(bool(c.codelist) for c in p.columns)} code lists, "
            f"key {p.key or 'none'}"]
