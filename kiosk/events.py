"""The in-process event bus: every call and state change, for boards, devices and SSE.

A publish never blocks: each subscriber has a bounded queue and one that falls behind is
dropped (it may resubscribe and resume from the ring with its last event id). Events are
published by the request after its transaction commits. The bus is per process: with several
service instances, a subscriber sees the changes made through its own instance only.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import queue
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# Events about supervisors' alerts (``alert.raised``: one or more alerts were committed; no
# data, the page reads them through GET /api/v1/alerts). Only those who may read the alerts
# hear them (kiosk.api.events).
ALERT_EVENT_PREFIX = "alert."
ALERT_RAISED = "alert.raised"


@dataclass(frozen=True, slots=True)
class QueueEvent:
    """An event before publication: its kind (``ticket.called``) and JSON-able data."""

    kind: str
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Published:
    """An event as published: a process-unique increasing id and the publication instant."""

    id: int
    kind: str
    data: Mapping[str, Any]
    at: datetime

    def sse(self) -> str:
        """The Server-Sent Events frame for this event."""
        body = json.dumps(
            {"kind": self.kind, "at": self.at.isoformat(), **self.data}, ensure_ascii=False
        )
        return f"id: {self.id}\nevent: {self.kind}\ndata: {body}\n\n"


class Subscription:
    """One listener's bounded queue: `get` for threads, `aget` for asyncio (give ``loop``)."""

    def __init__(self, maxsize: int, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._loop = loop
        self._maxsize = maxsize
        self._sync: queue.Queue[Published] = queue.Queue(maxsize)
        self._async: asyncio.Queue[Published] | None = asyncio.Queue() if loop else None
        self._pending = 0  # events handed to the loop and not yet taken (guarded by _lock)
        self._lock = threading.Lock()
        self.dropped = False

    def offer(self, event: Published) -> bool:
        """Hand over ``event`` without waiting; False (and dropped) when the queue is full."""
        if self.dropped:
            return False
        if self._loop is None:
            try:
                self._sync.put_nowait(event)
            except queue.Full:
                self.dropped = True
                return False
            return True
        with self._lock:
            if self._pending >= self._maxsize:
                self.dropped = True
            else:
                self._pending += 1
        try:
            # On drop, a None-free wake-up lets the reader notice `dropped` at once.
            self._loop.call_soon_threadsafe(self._deliver, None if self.dropped else event)
        except RuntimeError:  # the loop is closed: this listener is gone
            self.dropped = True
        return not self.dropped

    def close(self) -> None:
        """End this subscription: a waiting reader wakes up and sees ``dropped``."""
        self.dropped = True
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody is waiting
                self._loop.call_soon_threadsafe(self._deliver, None)

    def _deliver(self, event: Published | None) -> None:
        assert self._async is not None
        if event is None:
            self._async.put_nowait(_WAKE)
        else:
            self._async.put_nowait(event)

    def get(self, timeout: float | None = None) -> Published | None:
        """The next event (blocking up to ``timeout``), or None on timeout."""
        try:
            return self._sync.get(timeout=timeout)
        except queue.Empty:
            return None

    async def aget(self, timeout: float) -> Published | None:
        """The next event, or None on timeout or when this subscription was dropped."""
        assert self._async is not None, "subscribe with a loop to use aget"
        try:
            # asyncio.timeout, not wait_for: no extra task, so an event reaches the stream one
            # loop iteration sooner (each iteration is long when many requests are in flight).
            async with asyncio.timeout(timeout):
                event = await self._async.get()
        except TimeoutError:
            return None
        if event is _WAKE:
            return None
        with self._lock:
            self._pending -= 1
        return event

    def ready(self) -> list[Published]:
        """The events handed over and not taken yet, taken now without waiting (after `aget`:
        a stream writes what has piled up in one chunk, not a write per event)."""
        assert self._async is not None, "subscribe with a loop to use ready"
        taken: list[Published] = []
        while not self._async.empty():
            event = self._async.get_nowait()
            if event is not _WAKE:  # a wake-up: `dropped` is already set for the reader
                taken.append(event)
        if taken:
            with self._lock:
                self._pending -= len(taken)
        return taken


_WAKE = Published(0, "_wake", {}, datetime(2000, 1, 1, tzinfo=UTC))


class EventBus:
    """Publish events to every subscriber and keep the last ``ring`` for resume."""

    def __init__(self, ring: int = 1000, subscriber_queue: int = 256) -> None:
        self._ids = itertools.count(1)
        self._ring: deque[Published] = deque(maxlen=ring)
        self._subs: list[Subscription] = []
        self._lock = threading.Lock()
        self._queue_size = subscriber_queue
        # True while a PostgreSQL relay listens: writers then send events through the database.
        self.remote = False
        self.closed = False

    def publish(self, kind: str, data: Mapping[str, Any]) -> Published:
        """Publish one event now; never blocks on a subscriber."""
        with self._lock:
            event = Published(next(self._ids), kind, dict(data), datetime.now(UTC))
            self._ring.append(event)
            subs = list(self._subs)
        lost = [sub for sub in subs if not sub.offer(event)]
        if lost:
            with self._lock:
                self._subs = [s for s in self._subs if s not in lost]
        return event

    def publish_all(self, events: Iterable[QueueEvent]) -> list[Published]:
        """Publish events in order (call after the transaction that caused them committed)."""
        return [self.publish(e.kind, e.data) for e in events]

    def subscribe(
        self, loop: asyncio.AbstractEventLoop | None = None, maxsize: int | None = None
    ) -> Subscription:
        """A new subscription; pass the running loop to consume with ``await sub.aget()``.

        Once the bus is closed, a new subscription starts dropped (its stream ends at once).
        """
        sub = Subscription(maxsize or self._queue_size, loop)
        with self._lock:
            if self.closed:
                sub.dropped = True
            else:
                self._subs.append(sub)
        return sub

    def close(self) -> None:
        """The service is stopping: end every subscription (event streams finish their
        responses, so the server is not kept waiting for them)."""
        with self._lock:
            self.closed = True
            subs, self._subs = self._subs, []
        for sub in subs:
            sub.close()

    def unsubscribe(self, sub: Subscription) -> None:
        """Stop delivering to ``sub``."""
        with self._lock:
            self._subs = [s for s in self._subs if s is not sub]

    def since(self, last_id: int) -> tuple[list[Published], bool]:
        """Events after ``last_id`` still in the ring, and whether none were lost in between."""
        with self._lock:
            events = [e for e in self._ring if e.id > last_id]
            oldest = self._ring[0].id if self._ring else None
        complete = oldest is None or oldest <= last_id + 1
        return events, complete

    @property
    def last_id(self) -> int:
        """The id of the newest event, 0 when none."""
        with self._lock:
            return self._ring[-1].id if self._ring else 0

    @property
    def subscribers(self) -> int:
        """How many subscriptions are live."""
        with self._lock:
            return len(self._subs)
