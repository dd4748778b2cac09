"""SQLite writes of one process: a turn lock, and one writer thread that commits in groups.

Theory of operation: SQLite takes one writer at a time and, with ``synchronous=FULL``, every
commit waits for an fsync of the WAL (3-4 ms on this class of disk). One commit per request
caps a hall at a few hundred writes a second however fast the Python is. So the writer thread
takes every operation waiting for it, runs them one after the other inside one
``BEGIN IMMEDIATE`` transaction, and commits once (group commit).

An operation that fails answers with its own error; the others still commit. Most failures are
refusals found before anything was written (nobody waiting, a wrong state): the connection's
change counter shows that, and the group simply goes on. When a failing operation had already
written, the transaction is rolled back and the group runs again with every operation in its
own SAVEPOINT, so that the failure rolls back alone (SAVEPOINTs cost two statements per
operation, so they are kept for that case). Nobody is answered, and no event is published,
before the commit that made their write durable returned.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine
from sqlmodel import Session

from hallbase.db import database_key, write_session

log = logging.getLogger(__name__)
T = TypeVar("T")
# An operation returns its result and what to do once it is durable (publish its events).
Job = Callable[[Session], tuple[T, Callable[[], None]]]
MAX_GROUP = 64  # bounds the wait of the first operation of a group behind the others

_REGISTRY = threading.Lock()
_TURNS: dict[str, threading.Lock] = {}
_WRITERS: dict[str, GroupWriter] = {}


@contextmanager
def writer_turn(engine: Engine) -> Iterator[None]:
    """On SQLite, queue this process's writers on a lock before BEGIN IMMEDIATE.

    SQLite serialises writers anyway, but a writer that finds the database locked sleeps in
    SQLite's busy handler (1, 2, 5 ... 100 ms steps) instead of being woken when the lock is
    free; waiting on a Python lock instead keeps the queue's latency flat under load.
    PostgreSQL needs no such turn: it uses row locks.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    key = database_key(engine)
    with _REGISTRY:
        lock = _TURNS.setdefault(key, threading.Lock())
    with lock:
        yield


class GroupWriter:
    """The one thread that runs a SQLite database's writes for this process, in groups.

    A caller awaits an asyncio future of its own event loop; the writer settles a group's
    futures with one call into each caller's loop (one wake-up per group, not per write)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None  # the writer's own, kept between groups
        self._jobs: list[tuple[Job[Any], asyncio.Future[Any]]] = []
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="queue-writer", daemon=True)
        self._thread.start()

    async def run(self, job: Job[T]) -> T:
        """Queue ``job`` and wait for the commit that included it."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        with self._ready:
            self._jobs.append((job, future))
            if len(self._jobs) == 1:
                self._ready.notify()  # the writer waits only when it found nothing to take
        return await future

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._jobs:
                    self._ready.wait()
                taken, self._jobs = self._jobs[:MAX_GROUP], self._jobs[MAX_GROUP:]
            # A caller that gave up (its request was cancelled) is skipped; one that gives up
            # while its write runs finds it committed all the same, as with an executor.
            group = [(job, future) for job, future in taken if not future.cancelled()]
            if group:
                self._commit(group)

    def _commit(self, group: list[tuple[Job[Any], asyncio.Future[Any]]]) -> None:
        try:
            try:
                outcomes = self._group(group, isolated=False)
            except _PartialWrite:
                outcomes = self._group(group, isolated=True)
        except BaseException as exc:  # the commit itself failed: nothing of the group stands
            outcomes = [(future, None, None, exc) for _job, future in group]
        settled: dict[asyncio.AbstractEventLoop, list[_Settled]] = {}
        for future, result, after, error in outcomes:
            if error is None and after is not None:
                try:
                    after()
                except Exception:  # a subscriber's problem must not hide a durable write
                    log.exception("publishing after commit failed")
            settled.setdefault(future.get_loop(), []).append((future, result, error))
        for loop, items in settled.items():
            with contextlib.suppress(RuntimeError):  # that caller's loop closed: nobody waits
                loop.call_soon_threadsafe(_settle, items)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        """`write_session` on the writer's own connection, kept open between groups: taking
        a connection from the pool and returning it (with its reset) for every group cost
        about as much as a small write. A group that fails leaves with the connection."""
        if self._conn is None:
            self._conn = self._engine.connect()
        try:
            with write_session(self._conn) as session:
                yield session
        except _PartialWrite:
            raise  # rolled back cleanly: the group runs again on the same connection
        except BaseException:
            conn, self._conn = self._conn, None
            conn.close()
            raise

    def _group(
        self, group: list[tuple[Job[Any], asyncio.Future[Any]]], *, isolated: bool
    ) -> list[_Outcome]:
        """Run the group in one transaction and commit it: each operation in a SAVEPOINT when
        ``isolated``; otherwise `_PartialWrite` (after rollback) if a failing one had written."""
        outcomes: list[_Outcome] = []
        with writer_turn(self._engine), self._session() as session:
            # sqlite3's change counter: rows inserted, updated or deleted on it so far.
            raw: Any = session.connection().connection.dbapi_connection
            for job, future in group:
                try:
                    if isolated:
                        with session.begin_nested():
                            result, publish = job(session)
                    else:
                        before = raw.total_changes
                        try:
                            result, publish = job(session)
                            session.flush()
                        except Exception as exc:
                            if not session.is_active or raw.total_changes != before:
                                raise _PartialWrite from exc
                            raise
                except _PartialWrite:
                    raise
                except Exception as exc:
                    outcomes.append((future, None, None, exc))
                else:
                    outcomes.append((future, result, publish, None))
                # Each operation sees the database, not the objects an earlier one loaded
                # (and a refused operation's unwritten changes go with them).
                session.expunge_all()
        return outcomes


class _PartialWrite(Exception):
    """An operation failed after writing: the group is rolled back and run in savepoints."""


_Outcome = tuple[asyncio.Future[Any], Any, Callable[[], None] | None, BaseException | None]
_Settled = tuple[asyncio.Future[Any], Any, BaseException | None]


def _settle(items: list[_Settled]) -> None:
    """In the caller's event loop: answer each waiting write (one that gave up is skipped)."""
    for future, result, error in items:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


def group_writer(engine: Engine) -> GroupWriter:
    """The group writer of the SQLite database behind ``engine`` (started on first use)."""
    key = database_key(engine)
    with _REGISTRY:
        writer = _WRITERS.get(key)
        if writer is None:
            writer = _WRITERS[key] = GroupWriter(engine)
    return writer
