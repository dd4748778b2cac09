"""Database engine and sessions: SQLite (WAL, synchronous=FULL, immediate writers) or PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, Executable, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from hallbase.settings import Settings

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
BRIEF_WAIT_MS = 200  # the longest a write that may be skipped waits for SQLite's lock
READ_ONLY = "hk_read_only"
# SQLite's page cache per connection and its memory map of the database file, in MiB
# (HALLKEEPER_SQLITE_CACHE_MIB, HALLKEEPER_SQLITE_MMAP_MIB). With SQLite's own defaults, a 2 MiB
# cache and no map, a city's month read each page through a system call; the map (shared by
# every connection, the system's file cache) removes that. The cache stays at SQLite's size:
# each pooled connection's cache is the process's own memory, and at 16 MiB it grew the
# service's RSS by ~80 MiB over 100 month reports. Chosen by measurement: README "Benchmarks",
# bench/attendance_month.py --staff 30000 and bench/month_rss.py.
SQLITE_CACHE_MIB = 2
SQLITE_MMAP_MIB = 1024


def _sqlite_hooks(engine: Engine, cache_mib: int, mmap_mib: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from the sqlite3 module so that writers can BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA cache_size={-cache_mib * 1024}")  # negative: KiB, not pages
        cur.execute(f"PRAGMA mmap_size={mmap_mib * 1024 * 1024}")
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


def engine_of(session: OrmSession) -> Engine:
    """The engine behind ``session``, whether it is bound to an engine or to a connection."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def database_key(engine: Engine) -> str:
    """``str(engine.url)``, the key of per-database caches in this process; kept per URL
    object, since rendering a URL costs more than the lookups it keys (several a request)."""
    url = engine.url
    found = _DATABASE_KEYS.get(id(url))
    if found is None or found[0] is not url:  # (the URL held in the entry keeps its id unique)
        found = _DATABASE_KEYS[id(url)] = (url, str(url))
    return found[1]


def make_engine(
    url: str, *, sqlite_cache_mib: int = SQLITE_CACHE_MIB, sqlite_mmap_mib: int = SQLITE_MMAP_MIB
) -> Engine:
    """Create the engine for ``url``; SQLite files get their directory and pragmas (a page
    cache of ``sqlite_cache_mib`` per connection, a memory map of ``sqlite_mmap_mib``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        )
        _sqlite_hooks(engine, sqlite_cache_mib, sqlite_mmap_mib)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False))
    return create_engine(url, pool_pre_ping=True)


def settings_engine(settings: Settings) -> Engine:
    """The engine of ``settings``' database, with its SQLite cache and memory map sizes."""
    return make_engine(
        settings.effective_database_url,
        sqlite_cache_mib=settings.sqlite_cache_mib,
        sqlite_mmap_mib=settings.sqlite_mmap_mib,
    )


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


def brief_write(engine: Engine, statement: Executable, wait_ms: int = BRIEF_WAIT_MS) -> bool:
    """Run ``statement`` (a small write that may be left for later, such as a last-use stamp)
    in its own transaction; on SQLite wait at most ``wait_ms`` for the write lock and give up
    (False) rather than hold up the request behind a busy writer. SQLite's busy handler polls
    in growing sleeps, so a waiter can lose every race against a writer that commits and
    begins again all the time (the queue's group writer under load), up to the full
    busy_timeout: a request that only wanted to note a key's last use waited 10 s."""
    if engine.dialect.name != "sqlite":
        with write_session(engine) as session:
            session.execute(statement)
        return True
    with engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        raw.execute(f"PRAGMA busy_timeout={wait_ms}")
        try:
            with write_session(conn) as session:
                session.execute(statement)
            return True
        except OperationalError as exc:
            if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
                raise
            log.info("left for later, the database being busy: %s", statement)
            return False
        finally:
            raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads only (no write lock on SQLite)."""
    with Session(engine.execution_options(**{READ_ONLY: True})) as session:
        yield session
