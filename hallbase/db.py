"""Database engine and sessions: SQLite (WAL, synchronous=FULL, immediate writers) or PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
READ_ONLY = "hk_read_only"


def _sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so that writers can BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A transaction that reads then writes fails at once with SQLITE_BUSY under a deferred
        # BEGIN, whatever busy_timeout says; so every transaction is a writer unless marked.
        if conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


_DATABASE_KEYS: dict[int, tuple[URL, str]] = {}


def database_key(engine: Engine) -> str:
    """``str(engine.url)``, the key of per-database caches in this process; kept per URL
    object, since rendering a URL costs more than the lookups it keys (several a request)."""
    url = engine.url
    found = _DATABASE_KEYS.get(id(url))
    if found is None or found[0] is not url:  # (the URL held in the entry keeps its id unique)
        found = _DATABASE_KEYS[id(url)] = (url, str(url))
    return found[1]


def make_engine(url: str) -> Engine:
    """Create the engine for ``url``; SQLite files get their directory and pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        )
        _sqlite_hooks(engine)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def write_session(engine: Engine | Connection) -> Iterator[Session]:
    """A session whose transaction commits on success and rolls back on error (on a pooled
    connection of ``engine``, or on the given connection)."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads only (no write lock on SQLite)."""
    with Session(engine.execution_options(**{READ_ONLY: True})) as session:
        yield session


class _Plan:
    """A Core statement compiled once for SQLite: its SQL, and per positional parameter its
    name, the value bound in the statement itself and SQLAlchemy's own bind processor; per
    result column its key and result processor. Running it is what SQLAlchemy does, minus
    its per-execution bookkeeping (execution context, result wrapping)."""

    __slots__ = ("binds", "keys", "processed", "sql", "statement")

    def __init__(
        self, statement: sa.Executable, dialect: sa.Dialect, keys: tuple[str, ...] | None
    ) -> None:
        compiled: Any = statement.compile(  # type: ignore[attr-defined]
            dialect=dialect, column_keys=list(keys) if keys is not None else None
        )
        names = compiled.positiontup
        if names is None or compiled.insert_prefetch or compiled.post_compile_params:
            raise ValueError("statement not suited to the compiled fast path")
        defaults = compiled.construct_params(_check=False)
        processors = compiled._bind_processors
        required = {name for name, bind in compiled.binds.items() if bind.required}
        self.statement = statement  # held so that its id is not reused while cached
        self.sql: str = compiled.string
        self.binds = tuple(
            (name, name in required, defaults.get(name), processors.get(name)) for name in names
        )
        columns = compiled._result_columns
        self.keys = tuple(entry[0] for entry in columns)
        self.processed = tuple(
            (i, processor)
            for i, entry in enumerate(columns)
            if (processor := entry[3]._cached_result_processor(dialect, None)) is not None
        )

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, required, default, processor in self.binds:
            if name in params:
                value = params[name]
            elif required:
                raise sa.exc.ArgumentError(f"a value is required for bind parameter {name!r}")
            else:
                value = default
            out.append(value if processor is None or value is None else processor(value))
        return out


_PLANS: dict[tuple[int, tuple[str, ...] | None], _Plan] = {}


def _plan(conn: sa.Connection, statement: sa.Executable, keys: tuple[str, ...] | None) -> _Plan:
    plan = _PLANS.get((id(statement), keys))
    if plan is None:
        plan = _PLANS[(id(statement), keys)] = _Plan(statement, conn.dialect, keys)
    return plan


def compiled_rows(
    conn: sa.Connection,
    statement: sa.Executable,
    params: Mapping[str, Any],
    keys: tuple[str, ...] | None = None,
) -> list[tuple[Any, ...]]:
    """The rows of a Core statement, with values as SQLAlchemy would return them.

    For the queue's per-request statements: on SQLite the statement is compiled once (so it
    must be built once too: plans are kept per statement object) and run on the driver's
    connection, a fraction of what `Connection.execute` costs around a one-row statement; on
    PostgreSQL it goes through SQLAlchemy. ``keys`` names the columns an INSERT or UPDATE
    sets when the statement itself does not.
    """
    if conn.dialect.name != "sqlite":
        result = conn.execute(statement, dict(params))
        return [tuple(row) for row in result] if result.returns_rows else []
    plan = _plan(conn, statement, keys)
    args = plan.args(params)
    raw: Any = conn.connection.dbapi_connection
    try:
        cursor = raw.execute(plan.sql, args)
        found: list[Any] = cursor.fetchall() if cursor.description is not None else []
    except raw.Error as exc:  # raised as SQLAlchemy would (IntegrityError ...)
        raise sa.exc.DBAPIError.instance(plan.sql, args, exc, raw.Error) from exc
    if not plan.processed or not found:
        return found
    out = []
    for row in found:
        values = list(row)
        for i, processor in plan.processed:
            values[i] = processor(values[i])
        out.append(tuple(values))
    return out


def compiled_mappings(
    conn: sa.Connection, statement: sa.Executable, params: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """`compiled_rows` as dictionaries by column key."""
    if conn.dialect.name != "sqlite":
        return [dict(row) for row in conn.execute(statement, dict(params)).mappings()]
    keys = _plan(conn, statement, None).keys
    return [dict(zip(keys, row, strict=True)) for row in compiled_rows(conn, statement, params)]
