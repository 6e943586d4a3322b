"""Tables in a database, reached through a SQLAlchemy URL (``postgresql://user@host/db``).

Each spec table is found by its EAST code or Chinese name (case-insensitive) among the tables
and views of ``--schema`` — or where ``--table-map`` says — and each field by its code or Chinese
name, as the CSV/Parquet loader does. Values are read as text as the database writes them;
typed dates and timestamps are written in the field's format (YYYYMMDD, YYYYMM, hhmmss), so a
DATE column holds the same text a bank's EAST file would. A record is pointed at by its
table, its ordinal in the table sorted by the spec's key (then the other columns), and its key.

Two ways to run a table's rules, chosen per table (``--source-mode``):

- ``stream``: the rows travel in batches through the driver's server-side cursor into DuckDB
  (bounded memory: one batch in Python at a time; DuckDB spills to disk) and every rule runs
  there exactly as on files. Works with any dialect.
- ``pushdown``: the table's fused row checks and its set rules are lowered to the warehouse's
  dialect (engine/sources/lowering.py, PostgreSQL) and run there; only failing rows travel. A
  rule with no faithful lowering, or a value that needs DuckDB's lenient reading, sends the
  table back to ``stream`` (the manifest says so and why).
- ``auto`` (default): pushdown where every rule of the table lowers, else stream.

The connection is read-only (PostgreSQL: ``SET SESSION CHARACTERISTICS AS TRANSACTION READ
ONLY``; MySQL/MariaDB: ``SET SESSION TRANSACTION READ ONLY``; Oracle: ``SET TRANSACTION READ
ONLY`` at each transaction start) and the whole run reads one snapshot (one REPEATABLE READ
transaction where the dialect has it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field as dc_field
from pathlib import Path

import duckdb
import pyarrow as pa

from ..errors import DataReadError, UsageError
from ..excuses import REMARK_FIELD
from ..formats import sql_quote
from ..results import FileInfo, TableResult
from ..rules import REGISTRY
from ..rules.base import quote_ident
from ..rules.forbidden_chars import CHARSETS, char_class
from ..spec import Field, TableSpec
from ..yamlio import LocDict, load_yaml
from .findings import FileFinding
from .lowering import MARKER, Lowering, NotPushable, lowering_for
from .source import TableSource, empty_tables, insert_rows, missing_columns, record
from .typed_text import TIME_FORMATS  # the text of a typed date/time value, by the field's format

MODES = ("stream", "pushdown", "auto")
BATCH_ROWS = 10_000
AUTO_PUSHDOWN_ROWS = 1_000_000  # auto: tables from this many rows run in the warehouse when they can
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


def mask_url(url: str) -> str:
    """The URL with its password hidden, for reports and messages."""
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy reads: hide anything between ':' and '@'
        return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


# --- where each table lives ----------------------------------------------------------------------

@dataclass
class TableMapEntry:
    table: str
    schema: str | None = None
    where: str | None = None
    columns: dict[str, str] = dc_field(default_factory=dict)  # field code → column


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
        out.tables[table.code] = TableMapEntry(spec["table"], spec.get("schema"), spec.get("where"), columns)
    return out


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
                 mode: str = "stream", batch_rows: int = BATCH_ROWS, pushdown_rows: int = AUTO_PUSHDOWN_ROWS):
        if mode not in MODES:
            raise UsageError(f"source mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.url, self.schema, self.table_map_ref, self.mode = url, schema, table_map, mode
        self.batch_rows, self.pushdown_rows = batch_rows, pushdown_rows
        self.label = mask_url(url)
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
            raise UsageError(f"no driver for {self.label}: {exc} (pip install 'jianhe[warehouse]' or the "
                             "dialect's driver)") from None
        except sa.exc.ArgumentError as exc:
            raise UsageError(f"not a database URL: {self.label} ({exc})") from None
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
            raise DataReadError(f"cannot connect to {self.label}: {_first_line(exc)}") from None
        self.engine, self.conn, self.snapshot = engine, conn, bool(isolation)
        self.lowering = lowering_for(self.dialect)
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
        default_schema = self.schema or table_map.schema
        inspector = sa.inspect(self.conn)
        listed: dict[str | None, list[str]] = {}

        def names_in(schema: str | None) -> list[str]:
            if schema not in listed:
                try:
                    listed[schema] = inspector.get_table_names(schema=schema) + inspector.get_view_names(schema=schema)
                except sa.exc.SQLAlchemyError as exc:
                    raise DataReadError(f"cannot list the tables of schema {schema or '(default)'} in "
                                        f"{self.label}: {_first_line(exc)}") from None
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
                                          entry.where if entry else None)

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
        from sqlglot import exp
        return exp.to_identifier(name, quoted=True).sql(self.glot)

    def _from(self, b: Binding) -> str:
        from sqlglot import exp
        table = exp.table_(b.name, db=b.schema, quoted=True).sql(self.glot)
        return f"{table}{f' WHERE ({b.where})' if b.where else ''}"

    def _text(self, f: Field, column: str, sa_type) -> str:
        """The column as text in the warehouse's SQL: as written, typed dates in the field's format."""
        import sqlalchemy as sa
        from sqlglot import exp
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
            raise DataReadError(f"cannot read {b.label} from {self.label}: {_first_line(error)}") from None
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
                      if MARKER in message else f"the warehouse refused the pushed SQL: {_first_line(exc)}")
            self.source.fall_back(con, self.binding.code, reason)
            return False

    def fused_sql(self, tp) -> str:
        """All row checks of the table in one scan: a boolean per check, then one row per failure.
        ``OFFSET 0`` keeps PostgreSQL from inlining the flags into every place that reads them
        (each predicate is evaluated once per row)."""
        low: Lowering = self.source.lowering
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


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


__all__ = ["MODES", "TableMap", "TableMapEntry", "WarehouseSource", "is_url", "load_table_map", "mask_url"]
