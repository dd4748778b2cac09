"""Events across service instances on PostgreSQL: LISTEN/NOTIFY.

With several instances on one PostgreSQL, a board connected to one instance must also hear the
calls made through another. On PostgreSQL a write sends its events with ``pg_notify`` inside
its own transaction, so PostgreSQL delivers them only if and when it commits; every instance
runs a `PgEventRelay` that LISTENs and publishes what arrives into its local `EventBus`.
On SQLite (one instance by nature) events are published in-process after commit.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from sqlalchemy import Engine, text
from sqlmodel import Session

from hallbase.background import BackgroundLoop
from hallbase.pg_listen import libpq_url, listen
from kiosk.events import EventBus, QueueEvent

log = logging.getLogger(__name__)
CHANNEL = "hallkeeper_queue"
MAX_PAYLOAD = 7900  # PostgreSQL refuses NOTIFY payloads of 8000 bytes or more


def notify(session: Session, events: list[QueueEvent]) -> list[QueueEvent]:
    """Send ``events`` with the transaction; return those too large to send (publish locally)."""
    too_big: list[QueueEvent] = []
    for event in events:
        payload = json.dumps({"kind": event.kind, "data": dict(event.data)}, ensure_ascii=False)
        if len(payload.encode()) > MAX_PAYLOAD:
            too_big.append(event)
            continue
        session.connection().execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": payload},
        )
    return too_big


class PgEventRelay:
    """LISTENs on PostgreSQL and publishes every queue event into ``bus`` (a component)."""

    def __init__(self, engine: Engine, bus: EventBus, retry_seconds: float = 2.0) -> None:
        self._dsn = libpq_url(engine)
        self._bus = bus
        self._retry = retry_seconds
        self._listening = threading.Event()
        self._background = BackgroundLoop("queue-pg-relay", self._run, stop_seconds=5.0)

    def start(self) -> None:
        """Start listening; events from now on travel through PostgreSQL."""
        self._background.start()
        if not self._listening.wait(10):
            log.warning("queue events: LISTEN not ready after 10 s; publishing locally meanwhile")

    def stop(self) -> None:
        """Stop listening; events are published in-process again."""
        self._background.request_stop()
        self._bus.remote = False
        self._background.stop()

    def _run(self, stop: threading.Event) -> None:
        listen(
            self._dsn,
            CHANNEL,
            stop,
            what="queue events",
            on_up=self._up,
            on_note=self._publish,
            # Until we listen again, writers publish locally (this instance's boards only).
            on_down=self._down,
            retry_seconds=self._retry,
        )

    def _up(self) -> None:
        self._bus.remote = True
        self._listening.set()

    def _down(self) -> None:
        self._bus.remote = False

    def _publish(self, payload: str) -> None:
        try:
            message: dict[str, Any] = json.loads(payload)
            self._bus.publish(str(message["kind"]), dict(message["data"]))
        except (ValueError, KeyError, TypeError):
            log.warning("queue events: ignored a malformed notification %.80r", payload)
