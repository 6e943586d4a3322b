"""Tables in a database, reached through a SQLAlchemy URL (``postgresql://user@host/db``).

Each spec table is found by its EAST code or Chinese name (case-insensitive) among the tables
and views of ``--schema`` — or where ``--table-map`` says — and each field by its code or Chinese
name, as the CSV/Parquet loader does. A table map's ``where`` reaches the warehouse only as one
condition parsed in its dialect, checked against an allow-list and written again (``where_sql``).
Values are read as text as the database writes them; typed dates and timestamps are written in
the field's format (YYYYMMDD, YYYYMM, hhmmss), so a DATE column holds the same text a bank's EAST
file would. A record is pointed at by its table, its ordinal in the table sorted by the spec's
key (then the other columns), and its key.

Two ways to run a table's rules, chosen per table (``--source-mode``):

- ``stream``: the rows travel in batches through the driver's server-side cursor into DuckDB
  (bounded memory: one batch in Python at a time; DuckDB spills to disk) and every rule runs
  there exactly as on files. Works with any dialect.
- ``pushdown``: the table's fused row checks and its set rules are lowered to the warehouse's
  dialect (engine/dialects/postgres.py) and run there; only failing rows travel. A
  rule with no faithful lowering, or a value that needs DuckDB's lenient reading, sends the
  table back to ``stream`` (the manifest says so and why).
- ``auto``: stream, as measured faster (AUTO_PUSHDOWN_ROWS); with ``--pushdown-rows N``, pushdown for
  tables of at least N rows whose rules all lower, else stream.

The connection is read-only (PostgreSQL: ``SET SESSION CHARACTERISTICS AS TRANSACTION READ
ONLY``; MySQL/MariaDB: ``SET SESSION TRANSACTION READ ONLY``; Oracle: ``SET TRANSACTION READ
ONLY`` at each transaction start) and the whole run reads one snapshot (one REPEATABLE READ
transaction where the dialect has it). The URL's secrets (its password, and the values of
secret-looking query parameters such as ``?password=`` or ``?token=``) never reach a report or a
message: ``mask_url`` hides them, ``scrub`` takes them out of what drivers say.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from pathlib import Path
from urllib.parse import quote_plus, unquote, unquote_plus

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError
from sqlglot.tokens import TokenType

from ..errors import DataReadError, UsageError
from ..excuses import REMARK_FIELD
from ..dialects.quoting import quote_ident, sql_quote
from ..results import FileInfo, TableResult
from ..rules import REGISTRY, refusals
from ..rules.forbidden_chars import CHARSETS, char_class
from ..spec import Field, TableSpec
from ..yamlio import LocDict, load_yaml
from .findings import FileFinding
from ..dialects import dialect_for
from ..dialects.base import Dialect
from ..dialects.postgres import MARKER, NotPushable
from .source import TableSource, empty_tables, insert_rows, missing_columns, record
from .typed_text import TIME_FORMATS  # the text of a typed date/time value, by the field's format

MODES = ("stream", "pushdown", "auto")
BATCH_ROWS = 10_000
# auto: tables from this many rows run in the warehouse when they can. None: none does, because
# streaming into DuckDB was faster at every size measured (benchmarks/results/warehouse_modes.json:
# on a local PostgreSQL push-down took 0.91×, 1.39× and 2.00× the time of streaming at 10,000,
# 100,000 and 1,000,000 rows); --pushdown-rows N sets a threshold where the link is slow.
AUTO_PUSHDOWN_ROWS: int | None = None
AUTO_NOTE = ("auto: streamed — faster than push-down at every size measured "
             "(benchmarks/results/warehouse_modes.json); --pushdown-rows N pushes down tables from N rows")
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
# SQLAlchemy dialect → sqlglot dialect (for quoting and type rendering)
SQLGLOT_DIALECT = {"postgresql": "postgres", "mysql": "mysql", "mariadb": "mysql", "oracle": "oracle",
                   "mssql": "tsql", "hive": "hive", "sqlite": "sqlite", "duckdb": "duckdb",
                   "snowflake": "snowflake", "bigquery": "bigquery", "trino": "trino", "clickhouse": "clickhouse"}
# statements making a session read-only: ("connect", sql) once per connection, ("begin", sql) per transaction
READ_ONLY = {
    "postgresql": ("connect", "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"),  # = default_transaction_read_only
    "mysql": ("connect", "SET SESSION TRANSACTION READ ONLY"),
    "mariadb": ("connect", "SET SESSION TRANSACTION READ ONLY"),
    "oracle": ("begin", "SET TRANSACTION READ ONLY"),
}
SNAPSHOT = {"postgresql": "REPEATABLE READ", "mysql": "REPEATABLE READ", "mariadb": "REPEATABLE READ"}
# more session settings: PostgreSQL plans cursors for their first 10% of rows unless told we read them all
SESSION = {"postgresql": "SET cursor_tuple_fraction = 1"}
CONTROL_CLASS = char_class(CHARSETS["control"])


def is_url(text: str | Path) -> bool:
    """True for a SQLAlchemy URL (``dialect[+driver]://...``), False for a path."""
    return isinstance(text, str) and bool(URL.match(text))


# query parameters whose value is a secret: password, pwd, passwd, sslpassword, token, secret,
# access_key, secret_key, api_key, credentials, auth... (matched anywhere in the name, any case)
SECRET_NAME = re.compile(r"pass|pwd|token|secret|key|credential|auth|signature", re.IGNORECASE)
MASK = "***"


def mask_url(url: str) -> str:
    """The URL with every secret hidden, for reports and messages: the password and the value of
    each secret-looking query parameter (``?password=``, ``?token=`` ...). A URL SQLAlchemy cannot
    read, or one whose parts are ambiguous (two '@'), is masked by its text, conservatively."""
    try:
        from sqlalchemy.engine import make_url
        masked = _mask_query(make_url(url).render_as_string(hide_password=True))
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads (or no SQLAlchemy)
        return _mask_loosely(url)
    if url.count("@") > 1 or any(s in masked for s in url_secrets(url)):
        return _mask_loosely(url)
    return masked


def url_secrets(url: str) -> list[str]:
    """Every text of the URL that is or may be a secret (as written and decoded), longest first:
    for scrubbing messages that a driver or SQLAlchemy builds from it."""
    found: set[str] = set()
    _, sep, rest = url.partition("://")
    userinfo = rest[:rest.rindex("@")] if sep and "@" in rest else ""
    if ":" in userinfo:
        found.add(userinfo.split(":", 1)[1])
    for pair in re.split(r"[&;]", url.partition("?")[2]):
        key, eq, value = pair.partition("=")
        if eq and SECRET_NAME.search(unquote_plus(key)):
            found.add(value)
    try:
        from sqlalchemy.engine import make_url
        parsed = make_url(url)
        found.add(parsed.password or "")
        for key, value in parsed.query.items():
            if SECRET_NAME.search(key):
                found.update([value] if isinstance(value, str) else value)
    except Exception:  # noqa: BLE001 - the text-based candidates above stand
        pass
    variants = {v for s in found if s and s != MASK for v in (s, unquote(s), unquote_plus(s), quote_plus(s))}
    return sorted(variants, key=len, reverse=True)


def scrub(text: str, secrets: list[str]) -> str:
    """``text`` with every secret of ``secrets`` (see ``url_secrets``) replaced by ***; one of
    less than four characters only where it stands alone (not the 'p' of every word)."""
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, MASK)
        else:
            text = re.sub(rf"(?<!\w){re.escape(secret)}(?!\w)", MASK, text)
    return text


def _mask_loosely(url: str) -> str:
    """Mask by the text: everything between '://' and the last '@', a port that is not a number
    when there is no '@' (``user:password`` without a host), and secret query values."""
    head, sep, rest = url.partition("://")
    if sep and "@" in rest:
        rest = MASK + rest[rest.rindex("@"):]
    elif sep and not rest.startswith("["):
        rest = re.sub(r"^([^/?#]*?):(?!\d*(?:[/?#]|$))[^/?#]*", rf"\1:{MASK}", rest)
    return _mask_query(head + sep + rest)


def _mask_query(url: str) -> str:
    """The URL with the value of each secret-looking query parameter replaced by ***."""
    base, sep, query = url.partition("?")
    if not sep:
        return url
    parts = re.split(r"([&;])", query)
    for i, pair in enumerate(parts):
        key, eq, _ = pair.partition("=")
        if eq and SECRET_NAME.search(unquote_plus(key)):
            parts[i] = f"{key}={MASK}"
    return base + sep + "".join(parts)


# --- where each table lives ----------------------------------------------------------------------

@dataclass
class TableMapEntry:
    table: str
    schema: str | None = None
    where: str | None = None
    columns: dict[str, str] = dc_field(default_factory=dict)  # field code → column
    where_at: str = "--table-map"  # file:line of the where, for messages


@dataclass
class TableMap:
    schema: str | None = None
    tables: dict[str, TableMapEntry] = dc_field(default_factory=dict)  # table code → entry


def load_table_map(path: Path, catalog) -> TableMap:
    """Read ``--table-map``: table code or Chinese name → ``table`` / ``schema.table`` or a mapping
    ``{table, schema, where, columns: {field: column}}``; errors name file and line."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"table map not found: {path}")
    doc = load_yaml(path)

    def fail(message: str, node: LocDict | None = None, key: str | None = None):
        line = node.line_of(key) if isinstance(node, LocDict) and key else getattr(node, "line", None)
        raise UsageError(f"{path}{':' + str(line) if line else ''}: {message}")
    if not isinstance(doc, dict) or not isinstance(doc.get("tables", {}), dict):
        fail("a table map is a mapping with 'tables:' (and optionally 'schema:')", doc)
    unknown = sorted(set(doc) - {"schema", "tables"})
    if unknown:
        fail(f"unknown key(s) {', '.join(unknown)} (expected schema, tables)", doc, unknown[0])
    out = TableMap(schema=doc.get("schema"))
    for ref, spec in (doc.get("tables") or {}).items():
        table = catalog.table(str(ref)) or catalog.table(str(ref).upper())
        if table is None:
            fail(f"unknown table '{ref}'", doc["tables"], ref)
        if isinstance(spec, str):
            schema, _, name = spec.rpartition(".")
            out.tables[table.code] = TableMapEntry(name, schema or None)
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("table"), str):
            fail(f"table '{ref}': give a table name or a mapping with 'table:'", doc["tables"], ref)
        extra = sorted(set(spec) - {"table", "schema", "where", "columns"})
        if extra:
            fail(f"table '{ref}': unknown key(s) {', '.join(extra)} (expected table, schema, where, columns)", spec, extra[0])
        columns = {}
        for field_ref, column in (spec.get("columns") or {}).items():
            f = table.field(str(field_ref)) or table.field(str(field_ref).upper())
            if f is None or not isinstance(column, str):
                fail(f"table '{ref}': unknown field '{field_ref}' or column not a name", spec.get("columns"), field_ref)
            columns[f.code] = column
        where = spec.get("where")
        if where is not None and not isinstance(where, str):
            fail(f"table '{ref}': where must be text (one condition), not {type(where).__name__}", spec, "where")
        where_at = f"{path}:{spec.line_of('where')}" if isinstance(spec, LocDict) else str(path)
        out.tables[table.code] = TableMapEntry(spec["table"], spec.get("schema"), where, columns, where_at)
    return out


# --- a table map's where: one condition, parsed and written again --------------------------------

WHERE_MAX = 20_000  # characters; a long IN list fits, a pasted script does not
# what a where may contain: columns and constants, comparisons, AND/OR/NOT, IN, BETWEEN, LIKE,
# IS [NOT] NULL, CASE, casts to plain types, arithmetic, and functions without side effects
WHERE_NODES: tuple[type, ...] = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.And, exp.Or, exp.Not,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ, exp.Is, exp.In,
    exp.Between, exp.Like, exp.ILike, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg, exp.Case, exp.If,
    exp.Cast, exp.DataType, exp.DataTypeParam, exp.Lower, exp.Upper, exp.Trim, exp.Substring, exp.Coalesce,
    exp.Length, exp.Left, exp.Right, exp.Concat, exp.DPipe, exp.Abs, exp.Round, exp.CurrentDate,
    exp.CurrentTimestamp, exp.Extract, exp.Interval, exp.Var, exp.DateTrunc, exp.TimestampTrunc,
)
_T = exp.DataType.Type
WHERE_TYPES = {_T.CHAR, _T.NCHAR, _T.VARCHAR, _T.NVARCHAR, _T.TEXT, _T.TINYINT, _T.SMALLINT, _T.INT, _T.BIGINT,
               _T.DECIMAL, _T.FLOAT, _T.DOUBLE, _T.DATE, _T.TIME, _T.TIMESTAMP, _T.TIMESTAMPTZ, _T.DATETIME,
               _T.BOOLEAN}
WHERE_UNIT_OF = (exp.Extract, exp.Interval, exp.DateTrunc, exp.TimestampTrunc)  # where a bare word (a unit) may stand
BARE_NAME = re.compile(r"[^\W\d][\w$]*")  # an unquoted column name: nothing a database could read as more
WHERE_HELP = ("a where is one condition on the table's own columns: comparisons, AND/OR/NOT, IN, BETWEEN, "
              "LIKE, IS NULL, CAST, arithmetic and lower/upper/trim/substring/coalesce/length/date functions")


class UnsafeWhere(ValueError):
    """A table map's ``where`` is not exactly one harmless condition."""


def where_sql(text: str, dialect: str) -> str:
    """The ``where`` condition written again from its sqlglot tree in ``dialect`` (sqlglot's name).

    The text goes into the warehouse's SQL, so it must be exactly one condition: no ';', no
    comments, no subqueries, no functions outside the allow-list (pg_sleep, set_config, dblink,
    LOAD_FILE ...). Writing it again from the tree means nothing the user typed reaches the
    database unparsed."""
    if not isinstance(text, str) or not text.strip():
        raise UnsafeWhere("is empty")
    if len(text) > WHERE_MAX:
        raise UnsafeWhere(f"is longer than {WHERE_MAX} characters")
    try:
        return _rewritten_where(text, dialect)
    except RecursionError:
        raise UnsafeWhere("is nested too deeply") from None


def _rewritten_where(text: str, dialect: str) -> str:
    """Parse, check, write; then parse the written SQL again: it must be the tree that was checked."""
    tree = _parse_where(text, dialect)
    _check_where(tree, dialect)
    try:
        sql = tree.sql(dialect=dialect, comments=False, unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as exc:
        raise UnsafeWhere(f"cannot be written in {dialect} SQL: {str(exc).splitlines()[0]}") from None
    if _parse_where(sql, dialect) != tree:  # what the database will read is what was checked
        raise UnsafeWhere(f"cannot be written back in {dialect} SQL with the same meaning")
    return sql


def _parse_where(text: str, dialect: str) -> exp.Expression:
    """Exactly one expression: tokens without comments or ';', one parsed statement."""
    try:
        reader = sqlglot.Dialect.get_or_raise(dialect)
    except ValueError as exc:  # sqlglot knows no such dialect
        raise UnsafeWhere(f"cannot be checked: {exc}") from None
    try:
        tokens = reader.tokenize(text)
        if any(t.token_type == TokenType.SEMICOLON for t in tokens):
            raise UnsafeWhere("contains ';'")
        if any(t.comments for t in tokens):
            raise UnsafeWhere("contains a comment")
        statements = [s for s in reader.parser().parse(tokens, text) if s is not None]
    except SqlglotError as exc:
        raise UnsafeWhere(f"does not parse as {dialect} SQL: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise UnsafeWhere("is not exactly one condition")
    return statements[0]


def _check_where(tree: exp.Expression, dialect: str) -> None:
    """Only allow-listed nodes, unqualified plain column names, plain casts, no backslashes."""
    if not isinstance(tree.unnest(), (exp.Predicate, exp.Connector, exp.Not, exp.Boolean)):
        raise UnsafeWhere(f"'{_shown(tree, dialect)}' is not a condition")
    for node in tree.walk():
        if node.comments:
            raise UnsafeWhere("contains a comment")
        if not isinstance(node, WHERE_NODES):
            raise UnsafeWhere(f"'{_shown(node, dialect)}' is not allowed ({type(node).__name__})")
        missing = [k for k, required in node.arg_types.items() if required and node.args.get(k) is None]
        if missing and not isinstance(node, (exp.Column, exp.Identifier, exp.Literal, exp.Var)):
            raise UnsafeWhere(f"is incomplete near '{_shown(node, dialect)}'")
        _check_where_node(node, dialect)


def _check_where_node(node: exp.Expression, dialect: str) -> None:
    """One node's own limits: what a qualifier, an odd name or a cast to any type could reach."""
    if isinstance(node, exp.Column) and (node.args.get("table") or node.args.get("db") or node.args.get("catalog")):
        raise UnsafeWhere(f"'{_shown(node, dialect)}': name a column of the table without a qualifier")
    if isinstance(node, exp.Identifier) and not node.quoted and not BARE_NAME.fullmatch(node.name):
        raise UnsafeWhere(f"column name '{node.name[:60]}' must be quoted")
    if isinstance(node, (exp.Identifier, exp.Literal)) and ("\\" in node.name or "\x00" in node.name):
        raise UnsafeWhere("contains a backslash or NUL (databases disagree on what it means)")
    if isinstance(node, exp.DataType) and node.this not in WHERE_TYPES:
        raise UnsafeWhere(f"casts to {_shown(node, dialect)} (only text, number, date, time and boolean types)")
    if isinstance(node, exp.Var) and (not isinstance(node.parent, WHERE_UNIT_OF) or not node.name.isalpha()):
        raise UnsafeWhere(f"'{_shown(node, dialect)}' is not allowed (a bare word is only a date unit)")


def _shown(node: exp.Expression, dialect: str) -> str:
    """A node as SQL for a message (best effort: the node may be what the dialect cannot write)."""
    try:
        return node.sql(dialect=dialect, comments=False)[:60]
    except Exception:  # noqa: BLE001 - only a message
        return type(node).__name__


@dataclass
class Binding:
    """One spec table bound to a warehouse table: its columns, how its rules run, what was read."""

    code: str
    spec: TableSpec
    schema: str | None
    name: str
    columns: dict[str, tuple[str, object]]  # field code → (column name, SQLAlchemy type)
    where: str | None = None
    mode: str = "stream"
    note: str | None = None
    rows: int = 0
    loaded: str = "none"  # none | remarks | full

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    @property
    def complete(self) -> bool:
        return all(f.code in self.columns for f in self.spec.fields)


def _match(names: list[str], wanted: list[str], what: str) -> str | None:
    """The one name equal to any wanted name, exactly or else ignoring case; None if none."""
    exact = [n for n in names if n in wanted]
    if len(exact) == 1:
        return exact[0]
    folded = {w.casefold() for w in wanted}
    loose = [n for n in names if n.casefold() in folded]
    if len(loose) > 1:
        raise UsageError(f"{what} is ambiguous: {', '.join(sorted(loose))} (name one in --table-map)")
    return loose[0] if loose else None


# --- the source ----------------------------------------------------------------------------------

class WarehouseSource(TableSource):
    """Validate tables of a database: ``with WarehouseSource(url, ...) as src: validate_submission(src, pack)``."""

    def __init__(self, url: str, *, schema: str | None = None, table_map: Path | TableMap | None = None,
                 mode: str = "stream", batch_rows: int = BATCH_ROWS, pushdown_rows: int | None = AUTO_PUSHDOWN_ROWS):
        if mode not in MODES:
            raise UsageError(f"source mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.url, self.schema, self.table_map_ref, self.mode = url, schema, table_map, mode
        self.batch_rows, self.pushdown_rows = batch_rows, pushdown_rows
        self.label = mask_url(url)
        self.secrets = url_secrets(url)  # scrubbed from every message built from a driver's error
        self.engine = self.conn = self.lowering = None
        self.dialect = self.glot = ""
        self.read_only = self.snapshot = False
        self.encoding_note: str | None = None
        self.bindings: dict[str, Binding] = {}
        self._projections: dict[tuple[str, bool], str] = {}
        self.plan = None

    # connection ----------------------------------------------------------------------------------

    def __enter__(self) -> "WarehouseSource":
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self) -> None:
        if self.conn is not None:
            return
        try:
            import sqlalchemy as sa
            from sqlalchemy import event
        except ImportError:
            raise UsageError("warehouse sources need SQLAlchemy and a driver: pip install 'jianhe[warehouse]'") from None
        try:
            engine = sa.create_engine(_with_available_driver(sa.engine.make_url(self.url)))
        except (ImportError, sa.exc.NoSuchModuleError) as exc:
            raise UsageError(f"no driver for {self.label}: {self._why(exc)} (pip install 'jianhe[warehouse]' or the "
                             "dialect's driver)") from None
        except (sa.exc.ArgumentError, ValueError, TypeError) as exc:  # SQLAlchemy reads the port with int()
            raise UsageError(f"the submission argument is not a database URL: {self.label} "
                             f"({_url_problem(self.url, exc, self.secrets)})") from None
        self.dialect = engine.dialect.name
        self.glot = SQLGLOT_DIALECT.get(self.dialect, self.dialect)
        when, statement = READ_ONLY.get(self.dialect, (None, None))
        on_connect = [s for s in (statement if when == "connect" else None, SESSION.get(self.dialect)) if s]
        if on_connect:
            event.listen(engine, "connect", lambda dbapi_conn, _record: _run_on_dbapi(dbapi_conn, on_connect))
        if when == "begin":
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(statement))
        self.read_only = when is not None
        isolation = SNAPSHOT.get(self.dialect)
        try:
            conn = engine.connect()
            if isolation:
                conn = conn.execution_options(isolation_level=isolation)
            conn.begin()  # one transaction for the whole run: every table is read from one snapshot
        except sa.exc.SQLAlchemyError as exc:
            engine.dispose()
            raise DataReadError(f"cannot connect to {self.label}: {self._why(exc)}") from None
        self.engine, self.conn, self.snapshot = engine, conn, bool(isolation)
        self.lowering = dialect_for(self.dialect)
        if self.dialect == "postgresql":  # byte lengths are UTF-8 lengths only in a UTF-8 database
            encoding = conn.exec_driver_sql("SHOW server_encoding").scalar()
            if str(encoding).upper() not in ("UTF8", "UTF-8"):
                self.lowering = None
                self.encoding_note = f"server_encoding {encoding}"

    def close(self) -> None:
        if self.conn is not None:
            import sqlalchemy as sa
            try:
                self.conn.rollback()  # nothing was written: ending the read-only transaction
                self.conn.close()
            except sa.exc.SQLAlchemyError:
                pass  # a broken connection must not hide the run's own error
            finally:
                self.engine.dispose()
                self.conn = self.engine = None

    def _why(self, exc: BaseException) -> str:
        """The first line of an error, without any secret of the URL (drivers may quote it)."""
        return scrub(_first_line(exc), self.secrets)

    def connection(self):
        """The run's read-only connection (for tests and callers that want to look)."""
        self.open()
        return self.conn

    def _execute(self, sql: str, stream: bool = False):
        options = {"no_parameters": True}
        if stream:
            options.update(stream_results=True, max_row_buffer=self.batch_rows)
        return self.conn.exec_driver_sql(sql, execution_options=options)  # per statement, not the connection

    # finding the tables ------------------------------------------------------------------------

    def _bind(self, plan) -> None:
        import sqlalchemy as sa
        table_map = self.table_map_ref
        if table_map is not None and not isinstance(table_map, TableMap):
            table_map = load_table_map(table_map, plan.pack.catalog)
        table_map = table_map or TableMap()
        wheres = {code: self._where(plan.pack.catalog.table(code), e) for code, e in table_map.tables.items()}
        default_schema = self.schema or table_map.schema
        inspector = sa.inspect(self.conn)
        listed: dict[str | None, list[str]] = {}

        def names_in(schema: str | None) -> list[str]:
            if schema not in listed:
                try:
                    listed[schema] = inspector.get_table_names(schema=schema) + inspector.get_view_names(schema=schema)
                except sa.exc.SQLAlchemyError as exc:
                    raise DataReadError(f"cannot list the tables of schema {schema or '(default)'} in "
                                        f"{self.label}: {self._why(exc)}") from None
            return listed[schema]
        for code, tp in plan.tables.items():
            spec = tp.table
            entry = table_map.tables.get(code)
            schema = (entry.schema if entry and entry.schema else default_schema)
            wanted = [entry.table] if entry else [spec.code, spec.name]
            what = f"table {code} {spec.name} in schema {schema or '(default)'}"
            name = _match(names_in(schema), wanted, what)
            if name is None:
                if entry:
                    raise UsageError(f"--table-map names {schema + '.' if schema else ''}{entry.table} for {code}, "
                                     f"which is not in {self.label}")
                continue
            columns = inspector.get_columns(name, schema=schema)
            self.bindings[code] = Binding(code, spec, schema, name, self._columns(spec, columns, entry, what),
                                          wheres.get(code))

    def _where(self, table: TableSpec, entry: TableMapEntry) -> str | None:
        """The entry's where written again in the warehouse's dialect (see ``where_sql``); a where
        that is not one harmless condition stops the run before any SQL carries it."""
        if entry.where is None:
            return None
        try:
            return where_sql(entry.where, self.glot)
        except UnsafeWhere as exc:
            raise UsageError(f"{entry.where_at}: table {table.code} {table.name}: where {exc} ({WHERE_HELP})") from None

    @staticmethod
    def _columns(spec: TableSpec, columns: list[dict], entry: TableMapEntry | None, what: str) -> dict:
        by_name = {c["name"]: c["type"] for c in columns}
        names = list(by_name)
        out: dict[str, tuple[str, object]] = {}
        for f in spec.fields:
            wanted = [entry.columns[f.code]] if entry and f.code in entry.columns else [f.code, f.name]
            name = _match(names, wanted, f"column for {f.code} {f.name} of {what}")
            if name is None and entry and f.code in entry.columns:
                raise UsageError(f"--table-map names column {entry.columns[f.code]} for {spec.code}.{f.code}, "
                                 f"which is not in the table")
            if name is not None:
                out[f.code] = (name, by_name[name])
        return out

    # reading the rows --------------------------------------------------------------------------

    def _ident(self, name: str) -> str:
        return exp.to_identifier(name, quoted=True).sql(self.glot)

    def _from(self, b: Binding) -> str:
        table = exp.table_(b.name, db=b.schema, quoted=True).sql(self.glot)
        return f"{table}{f' WHERE ({b.where})' if b.where else ''}"

    def _text(self, f: Field, column: str, sa_type) -> str:
        """The column as text in the warehouse's SQL: as written, typed dates in the field's format."""
        import sqlalchemy as sa
        col = exp.column(column, quoted=True)
        if isinstance(sa_type, (sa.String, sa.Enum)):
            return col.sql(self.glot)
        if isinstance(sa_type, (sa.Date, sa.DateTime, sa.Time)):
            fmt = TIME_FORMATS.get(f.format.kind)
            if fmt is None:
                fmt = "%H%M%S" if isinstance(sa_type, sa.Time) else "%Y%m%d" if not isinstance(sa_type, sa.DateTime) \
                    else "%Y%m%d%H%M%S"
            return exp.TimeToStr(this=col, format=exp.Literal.string(fmt)).sql(self.glot)
        return exp.cast(col, "VARCHAR").sql(self.glot)

    def _order(self, b: Binding) -> str:
        """Rows sorted by the spec's key, then every other column: a stable ordinal for each record."""
        import sqlalchemy as sa
        sortable = {c for c, (_, t) in b.columns.items() if not isinstance(t, (sa.JSON, sa.ARRAY))}
        key = [k for k in b.spec.key if k in sortable]
        rest = [f.code for f in b.spec.fields if f.code in sortable and f.code not in key]
        return ", ".join(self._ident(b.columns[c][0]) for c in key + rest)

    def _stream(self, con: duckdb.DuckDBPyConnection, b: Binding) -> int:
        """Read the table into ``t_<CODE>``: the server-side cursor's batches feed one DuckDB INSERT
        through an Arrow stream (one batch in Python at a time); returns the rows read."""
        fields = b.spec.fields
        select = ", ".join(self._text(f, *b.columns[f.code]) for f in fields)
        sql = f"SELECT {select} FROM {self._from(b)} ORDER BY {self._order(b)}"
        schema = pa.schema([(f"c{i}", pa.string()) for i in range(len(fields))] + [("_n", pa.int64())])
        state: dict = {"rows": 0, "error": None}

        def batches():
            try:
                for part in self._execute(sql, stream=True).partitions(self.batch_rows):
                    yield _text_batch(part, len(fields), state["rows"] + 1, schema)
                    state["rows"] += len(part)
            except _sa_error() as exc:
                state["error"] = exc
                raise
        con.register("_warehouse_rows", pa.RecordBatchReader.from_batches(schema, batches()))
        try:
            insert_rows(con, b.spec, "_warehouse_rows", {f.code: f"c{i}" for i, f in enumerate(fields)}, "_n", b.label)
        except (duckdb.Error, _sa_error()) as exc:
            error = state["error"] or exc
            raise DataReadError(f"cannot read {b.label} from {self.label}: {self._why(error)}") from None
        finally:
            con.unregister("_warehouse_rows")
        b.loaded = "full"
        return state["rows"]

    def load(self, con: duckdb.DuckDBPyConnection, plan, findings: list[FileFinding], workdir: Path) -> dict[str, TableResult]:
        self.open()
        self.plan = plan
        tables = empty_tables(con, plan)
        self._bind(plan)
        if not self.bindings:
            schema = self.schema or "the default schema"
            raise DataReadError(f"no table of pack {plan.pack.name} in {schema} of {self.label} (tables are found by "
                                "code or Chinese name; see --schema and --table-map)")
        self._choose_modes(plan)
        for code, b in sorted(self.bindings.items()):
            missing = missing_columns(b.spec, set(b.columns), code, b.label)
            if missing:
                findings += missing
                b.rows = self._execute(f"SELECT count(*) FROM {self._from(b)}").scalar()
                record(tables, code, FileInfo(b.label, 0, b.rows, b.rows))
                if b.rows == 0:
                    findings.append(FileFinding("FILE.EMPTY", code, b.label))
                continue
            if b.mode == "stream":
                b.rows = self._stream(con, b)
            else:
                b.rows = self._execute(f"SELECT count(*) FROM {self._from(b)}").scalar()
                self._load_remarks(con, plan, b)
            record(tables, code, FileInfo(b.label, 0, b.rows, 0))
            if b.rows == 0:
                findings.append(FileFinding("FILE.EMPTY", code, b.label))
        return tables

    # choosing stream or pushdown ---------------------------------------------------------------

    def _choose_modes(self, plan) -> None:
        """stream: every table; pushdown: every table whose rules all lower; auto: those of them with
        at least ``pushdown_rows`` rows. Tables whose set rules run in DuckDB pull their targets in."""
        if self.mode == "pushdown" and self.lowering is None:
            reason = self.encoding_note or f"no pushdown lowering for {self.dialect}"
            raise UsageError(f"--source-mode pushdown: {reason} (use stream)")
        for code, b in self.bindings.items():
            if self.mode == "stream" or not b.complete:
                b.mode = "stream"
                continue
            if self.lowering is None:
                b.mode, b.note = "stream", self.encoding_note or f"no pushdown lowering for {self.dialect}"
                continue
            if self.mode == "auto" and self.pushdown_rows is None:
                b.mode, b.note = "stream", AUTO_NOTE
                continue
            if self.mode == "auto":
                b.rows = self._execute(f"SELECT count(*) FROM {self._from(b)}").scalar()
                if b.rows < self.pushdown_rows:
                    b.mode, b.note = "stream", f"auto: {b.rows} rows, pushdown from {self.pushdown_rows}"
                    continue
            problem = self._unpushable(plan, code)
            b.mode, b.note = ("stream", f"not pushed down: {problem}") if problem else ("pushdown", None)
        # a streamed table's set rules run in DuckDB: every table they read must be there in full
        changed = True
        while changed:
            changed = False
            for code, b in self.bindings.items():
                if b.mode != "stream":
                    continue
                for other in self._needed(plan, code):
                    ob = self.bindings.get(other)
                    if ob is not None and ob.mode == "pushdown":
                        ob.mode, ob.note, changed = "stream", f"read in full: rules of {code} use it in DuckDB", True

    def _needed(self, plan, code: str) -> set[str]:
        catalog = plan.pack.catalog
        return {catalog.table(n).code for e in plan.tables[code].set_rules if e.index not in plan.not_run
                for n in REGISTRY[e.rule.kind].tables_needed(e.rule)} - {code}

    def _unpushable(self, plan, code: str) -> str | None:
        """Why this table's rules cannot all run in the warehouse (None when they can)."""
        tp = plan.tables[code]
        for index, reason in refusals(tp.row_rules + tp.set_rules, "pushdown", plan.not_run).items():
            return f"rule {plan.entries[index].rule.id}: {reason}"
        low = self.lowering
        pieces = [("the key", lambda: low.expression(tp.key_sql))]
        for index, pred, evidence in tp.checks:
            pieces.append((plan.entries[index].rule.id, lambda p=pred, e=evidence: (
                low.expression(p), low.expression(f"CAST({e} AS VARCHAR)"))))
        for entry in tp.set_rules:
            if entry.index not in plan.not_run:
                pieces.append((entry.rule.id, lambda e=entry: low.query(_set_sql(plan, e))))
        for rule_id, lower in pieces:
            try:
                lower()
            except NotPushable as exc:
                return f"rule {rule_id}: {exc}"
        return None

    def runner(self, code: str):
        b = self.bindings.get(code)
        return _Pushdown(self, b) if b is not None and b.mode == "pushdown" else None

    # pushdown ------------------------------------------------------------------------------------

    def _projection(self, code: str, with_line: bool) -> str:
        """``"t_<CODE>" AS (...)``: the warehouse table shaped as the DuckDB relation, in its dialect."""
        key = (code, with_line)
        if key not in self._projections:
            self._projections[key] = self._build_projection(code, with_line)
        return self._projections[key]

    def _build_projection(self, code: str, with_line: bool) -> str:
        b = self.bindings[code]
        spec = b.spec
        texts = ", ".join(f"{self._text(f, *b.columns[f.code])} AS {self._ident(f.code)}" if f.code in b.columns
                          else f"CAST(NULL AS VARCHAR) AS {self._ident(f.code)}" for f in spec.fields)
        line = f"row_number() OVER (ORDER BY {self._order(b)})" if with_line else "CAST(NULL AS BIGINT)"
        source = self._from(b) if b.complete else f"{self._from(b)}{' AND' if b.where else ' WHERE'} 1 = 0"
        cols = [quote_ident(f.code) for f in spec.fields]
        marks = ", ".join(self.lowering.expression(_mark_sql(cols, [f.code for f in spec.fields], cls)) + f" AS {m}"
                          for cls, m in ((CONTROL_CLASS, "_ctrl"), ('["]', "_quote")))
        return (f"{quote_ident('t_' + code)} AS (SELECT {sql_quote(b.label)} AS _file, _line, "
                f"CAST(NULL AS VARCHAR) AS _file_date, {marks}, {', '.join(cols)} "
                f"FROM (SELECT {line} AS _line, {texts} FROM {source}) _rows)")

    def _load_remarks(self, con: duckdb.DuckDBPyConnection, plan, b: Binding) -> None:
        """For 备注 excuses in DuckDB: the ordinal and 备注 of each row whose 备注 is filled."""
        excuses = plan.pack.options.get("excuses") or {}
        if not b.spec.field(REMARK_FIELD) or not any(e.rule.id in excuses for e in plan.entries
                                                      if e.rule.table == b.code):
            return
        remark = quote_ident(REMARK_FIELD)
        sql = (f"WITH {self._projection(b.code, True)} SELECT _line, {remark} FROM {quote_ident('t_' + b.code)} "
               f"WHERE {remark} IS NOT NULL AND {remark} <> ''")
        for part in self._execute(sql, stream=True).partitions(self.batch_rows):
            con.register("_warehouse_batch", _row_batch(part, 2))
            try:
                con.execute(f"INSERT INTO {quote_ident('t_' + b.code)} (_file, _line, {remark}) "
                            "SELECT ?, CAST(c0 AS BIGINT), c1 FROM _warehouse_batch", [b.label])
            finally:
                con.unregister("_warehouse_batch")
        b.loaded = "remarks"

    def ensure_local(self, con: duckdb.DuckDBPyConnection, codes: set[str]) -> None:
        """Make these tables' rows available in DuckDB in full (a rule falls back to DuckDB)."""
        for code in sorted(codes):
            b = self.bindings.get(code)
            if b is None or b.loaded == "full" or not b.complete:
                continue
            con.execute(f"DELETE FROM {quote_ident('t_' + code)}")
            self._stream(con, b)

    def fall_back(self, con: duckdb.DuckDBPyConnection, code: str, reason: str) -> None:
        """A pushed query could not run: read the table (and what its rules need) into DuckDB."""
        b = self.bindings[code]
        b.mode, b.note = "stream", f"pushdown failed, streamed: {reason}"
        self.ensure_local(con, {code} | self._needed(self.plan, code))

    def run_remote(self, con: duckdb.DuckDBPyConnection, sql: str) -> None:
        """Run one pushed query; its failure rows go to ``_failures`` only if it completes."""
        con.execute("CREATE OR REPLACE TEMP TABLE _remote_failures (_rule INTEGER, _file VARCHAR, _line BIGINT, "
                    "_key VARCHAR, _value VARCHAR)")
        nested = self.conn.begin_nested()  # a failed query must not abort the run's transaction
        try:
            for part in self._execute(sql, stream=True).partitions(self.batch_rows):
                con.register("_warehouse_batch", _row_batch(part, 5))
                try:
                    con.execute("INSERT INTO _remote_failures SELECT CAST(c0 AS INTEGER), c1, CAST(c2 AS BIGINT), c3, c4 "
                                "FROM _warehouse_batch")
                finally:
                    con.unregister("_warehouse_batch")
            nested.commit()
        except BaseException:
            nested.rollback()
            raise
        con.execute("INSERT INTO _failures (_rule, _file, _line, _key, _value) SELECT * FROM _remote_failures")
        con.execute("DROP TABLE _remote_failures")

    # the manifest ------------------------------------------------------------------------------

    def inputs(self, tables: dict[str, TableResult]) -> list[dict]:
        out = []
        for code, b in sorted(self.bindings.items()):
            t = tables[code]
            out.append({"file": b.label, "table": code, "bytes": None, "sha256": None, "rows_read": t.rows_read,
                        "rows_rejected": t.rows_rejected, "source": self.label, "mode": b.mode, "note": b.note,
                        "read_only": self.read_only, "snapshot": self.snapshot})
        return out


class _Pushdown:
    """Runs one table's rules in the warehouse (see TableSource.runner)."""

    def __init__(self, source: WarehouseSource, binding: Binding):
        self.source, self.binding = source, binding

    def row_rules(self, con: duckdb.DuckDBPyConnection, tp, not_run: dict[int, str]) -> bool:
        if self.binding.mode != "pushdown":
            return False
        if not tp.checks:
            return True
        return self._try(con, self.fused_sql(tp))

    def set_rule(self, con: duckdb.DuckDBPyConnection, plan, entry, not_run: dict[int, str]) -> bool:
        if self.binding.mode != "pushdown":
            self.source.ensure_local(con, {self.binding.code} | self.source._needed(plan, self.binding.code))
            return False
        return self._try(con, self.set_sql(plan, entry))

    def _try(self, con: duckdb.DuckDBPyConnection, sql: str) -> bool:
        try:
            self.source.run_remote(con, sql)
            return True
        except _sa_error() as exc:
            message = str(exc)
            reason = ("a value needs DuckDB's lenient reading (blanks, an exponent or a short date)"
                      if MARKER in message else f"the warehouse refused the pushed SQL: {self.source._why(exc)}")
            self.source.fall_back(con, self.binding.code, reason)
            return False

    def fused_sql(self, tp) -> str:
        """All row checks of the table in one scan: a boolean per check, then one row per failure.
        ``OFFSET 0`` keeps PostgreSQL from inlining the flags into every place that reads them
        (each predicate is evaluated once per row)."""
        low: Dialect = self.source.lowering
        flags = ", ".join(f"coalesce({low.expression(pred)}, FALSE) AS _b{i}" for i, (_, pred, _) in enumerate(tp.checks))
        values = ", ".join(f"({index}, s._b{i}, CASE WHEN s._b{i} THEN {low.expression(f'CAST({ev} AS VARCHAR)')} END)"
                           for i, (index, _, ev) in enumerate(tp.checks))
        any_hit = " OR ".join(f"s._b{i}" for i in range(len(tp.checks)))
        relation = quote_ident("t_" + tp.table.code)
        return (f"WITH {self.source._projection(tp.table.code, True)} "
                f"SELECT _v.r, s._file, s._line, s._key, _v.v FROM (SELECT t.*, {low.expression(tp.key_sql)} AS _key, "
                f"{flags} FROM {relation} t OFFSET 0) s CROSS JOIN LATERAL (VALUES {values}) AS _v(r, b, v) "
                f"WHERE ({any_hit}) AND _v.b")

    def set_sql(self, plan, entry) -> str:
        sql = _set_sql(plan, entry)
        used = sorted(set(re.findall(r'"t_([A-Z0-9_]+)"', sql)))
        ctes = ", ".join(self.source._projection(code, code == entry.rule.table) for code in used)
        return f"WITH {ctes} {self.source.lowering.query(sql)}"


def _set_sql(plan, entry) -> str:
    from ..compile import set_rule_sql
    return set_rule_sql(plan, entry)


def _mark_sql(cols: list[str], codes: list[str], cls: str) -> str:
    """DuckDB SQL of the fields holding a character of ``cls`` (what the file loader computes)."""
    raw = "concat_ws(chr(1), " + ", ".join(f"coalesce({c}, '')" for c in cols) + ")"
    names = ", ".join(f"CASE WHEN regexp_matches({c}, {sql_quote(cls)}) THEN {sql_quote(code)} END"
                      for c, code in zip(cols, codes))
    return f"CASE WHEN regexp_matches({raw}, {sql_quote(cls)}) THEN concat_ws(',', {names}) END"


def _text_batch(rows, width: int, first: int, schema: pa.Schema) -> pa.RecordBatch:
    """Rows of text (or None) as an Arrow batch: columns c0..c<width-1> and the ordinal ``_n``."""
    columns = list(zip(*rows)) if rows else [()] * width
    arrays = [_text_array(col) for col in columns] + [pa.array(range(first, first + len(rows)), pa.int64())]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _row_batch(rows, width: int) -> pa.Table:
    """Rows of any scalar values as an Arrow table with columns c0..c<width-1> (types inferred)."""
    columns = list(zip(*rows)) if rows else [()] * width
    return pa.table({f"c{i}": pa.array(list(col)) for i, col in enumerate(columns)})


def _text_array(values) -> pa.Array:
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return pa.array([None if v is None else v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values],
                        pa.string())


def _run_on_dbapi(dbapi_conn, statements: list[str]) -> None:
    """Session settings on a new connection, committed (a rolled-back SET would be undone)."""
    cursor = dbapi_conn.cursor()
    try:
        for statement in statements:
            cursor.execute(statement)
    finally:
        cursor.close()
    dbapi_conn.commit()


def _with_available_driver(url):
    """``postgresql://`` means psycopg (SQLAlchemy 2.1) or psycopg2 (2.0): use whichever is installed."""
    if url.get_backend_name() != "postgresql" or "+" in url.drivername:
        return url
    import importlib.util
    for driver in ("psycopg", "psycopg2"):
        if importlib.util.find_spec(driver):
            return url.set(drivername=f"postgresql+{driver}")
    return url


def _sa_error():
    import sqlalchemy as sa
    return sa.exc.SQLAlchemyError


def _url_problem(url: str, exc: BaseException, secrets: list[str]) -> str:
    """Why SQLAlchemy could not read the URL, in the user's terms (its own words say int())."""
    authority = url.partition("://")[2].split("/", 1)[0]
    if "[" in authority and "]" not in authority:
        return "an IPv6 host in [ ] is not closed"
    if isinstance(exc, ValueError) and "int()" in str(exc):
        return "the port is not a number"
    return scrub(_first_line(exc), secrets)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


__all__ = ["MODES", "TableMap", "TableMapEntry", "WarehouseSource", "is_url", "load_table_map", "mask_url"]
