"""What the queue's routes share: the queue state on the app, and running an operation in a
transaction whose events are published only after it committed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlmodel import Session

from hallbase.clock import Clock
from hallbase.db import read_session, write_session
from hallbase.settings import Settings
from kiosk.api.writer import group_writer, writer_turn
from kiosk.config import QueueConfig
from kiosk.context import Ctx, WindowWatcher
from kiosk.events import EventBus
from kiosk.pgrelay import notify

T = TypeVar("T")


@dataclass(frozen=True)
class Queue:
    """The queue's parts for one request: storage, settings, bus and the current time."""

    engine: Engine
    settings: Settings
    config: QueueConfig
    bus: EventBus
    clock: Clock
    window_watchers: Sequence[WindowWatcher] = ()

    def write(self, operation: Callable[[Ctx], T]) -> T:
        """Run ``operation`` in a write transaction; publish its events after commit."""
        with writer_turn(self.engine), write_session(self.engine) as session:
            result, publish = self._in(session, operation)
        publish()
        return result

    def _in(self, session: Session, operation: Callable[[Ctx], T]) -> tuple[T, Callable[[], None]]:
        """Run ``operation`` in ``session``; also return what publishes its events."""
        ctx = Ctx(session, self.clock(), self.settings.zone, self.config)
        ctx.window_watchers = self.window_watchers
        result = operation(ctx)
        if self.bus.remote and self.engine.dialect.name == "postgresql":
            # Delivered by PostgreSQL on commit to every instance's relay, this one's too.
            ctx.events = notify(session, ctx.events)
        events = ctx.events

        def publish() -> None:
            self.bus.publish_all(events)

        return result, publish

    async def awrite(self, operation: Callable[[Ctx], T]) -> T:
        """`write` off the event loop: on SQLite in the database's group-committing writer."""
        if self.engine.dialect.name == "sqlite":
            return await group_writer(self.engine).run(lambda s: self._in(s, operation))
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


async def get_queue(request: Request) -> Queue:
    """The queue's parts from ``app.state`` (the clock is read per request so tests can set it).

    A coroutine although it never awaits: FastAPI runs a plain function dependency in a worker
    thread, a thread hop per request that cost more than the rest of the dependency handling.
    """
    return queue_of(request.app.state)


def queue_of(state: Any) -> Queue:
    """The queue's parts from an app's ``state``."""
    return Queue(
        state.engine,
        state.settings,
        state.queue_config,
        state.bus,
        state.clock,
        state.window_watchers,
    )


QueueDep = Annotated[Queue, Depends(get_queue)]
