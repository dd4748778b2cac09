"""What the queue's routes share: the queue state on the app, and running an operation in a
transaction whose events are published only after it committed."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from hallkeeper.db import read_session, write_session
from hallkeeper.settings import Settings
from kiosk.config import QueueConfig
from kiosk.context import Ctx
from kiosk.events import EventBus
from kiosk.pgrelay import notify

T = TypeVar("T")
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Queue:
    """The queue's parts for one request: storage, settings, bus and the current time."""

    engine: Engine
    settings: Settings
    config: QueueConfig
    bus: EventBus
    clock: Clock

    def write(self, operation: Callable[[Ctx], T]) -> T:
        """Run ``operation`` in a write transaction; publish its events after commit."""
        with writer_turn(self.engine), write_session(self.engine) as session:
            ctx = Ctx(session, self.clock(), self.settings.zone, self.config)
            result = operation(ctx)
            if self.bus.remote and self.engine.dialect.name == "postgresql":
                # Delivered by PostgreSQL on commit to every instance's relay, this one's too.
                ctx.events = notify(session, ctx.events)
        self.bus.publish_all(ctx.events)
        return result

    async def awrite(self, operation: Callable[[Ctx], T]) -> T:
        """`write` off the event loop: on SQLite in the database's one writer thread."""
        if self.engine.dialect.name == "sqlite":
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(writer_thread(self.engine), self.write, operation)
        return await anyio.to_thread.run_sync(self.write, operation)

    async def write_json(
        self, operation: Callable[[Ctx], dict[str, Any]], status: int = 200
    ) -> JSONResponse:
        """`awrite` answered as JSON directly (the data is JSON-ready: no re-encoding)."""
        return JSONResponse(await self.awrite(operation), status_code=status)

    async def read_json(self, operation: Callable[[Ctx], dict[str, Any]]) -> JSONResponse:
        """`aread` answered as JSON directly."""
        return JSONResponse(await self.aread(operation))

    async def aread(self, operation: Callable[[Ctx], T]) -> T:
        """`read` off the event loop."""
        return await anyio.to_thread.run_sync(self.read, operation)

    def read(self, operation: Callable[[Ctx], T]) -> T:
        """Run ``operation`` in a read-only session."""
        with read_session(self.engine) as session:
            return operation(Ctx(session, self.clock(), self.settings.zone, self.config))


_SQLITE_WRITERS: dict[str, threading.Lock] = {}
_REGISTRY = threading.Lock()


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
    key = str(engine.url)
    with _REGISTRY:
        lock = _SQLITE_WRITERS.setdefault(key, threading.Lock())
    with lock:
        yield


_WRITER_THREADS: dict[str, ThreadPoolExecutor] = {}


def writer_thread(engine: Engine) -> ThreadPoolExecutor:
    """The one thread that runs this process's writes to a SQLite database.

    SQLite takes one writer at a time; handing every write to one thread (instead of having
    forty request threads queue on a lock and fight over the GIL) keeps throughput and tail
    latency steady.
    """
    key = str(engine.url)
    with _REGISTRY:
        executor = _WRITER_THREADS.get(key)
        if executor is None:
            executor = ThreadPoolExecutor(1, thread_name_prefix="queue-writer")
            _WRITER_THREADS[key] = executor
    return executor


def get_queue(request: Request) -> Queue:
    """The queue's parts from ``app.state`` (the clock is read per request so tests can set it)."""
    state = request.app.state
    return Queue(state.engine, state.settings, state.queue_config, state.bus, state.clock)


QueueDep = Annotated[Queue, Depends(get_queue)]
