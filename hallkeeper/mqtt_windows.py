"""Each window's state and the number it called, as retained state topics.

For every window of the hall, whatever boards or devices the hall has, `WindowTopics` puts
``{"window", "state", "number", "at"}`` on ``<prefix>/<hall>/window/<n>/state``:

- ``calling`` with ``number`` the ticket called (and not yet served), ``at`` when it was called;
- ``serving`` with ``number`` the ticket served, ``at`` when service started;
- else the window's own state (``idle``, ``paused``, ``away`` ...), ``number`` null, ``at``
  when the window took that state (null for a window never used).

The payload is read from the database, not from the event that caused it, so every instance
of the service derives the same message from the same rows; the relay's retained topics
(`hallkeeper.mqtt_state`) publish a payload only when it changed, so instances on one broker
agree and do not repeat each other. The queue's event bus (which on PostgreSQL carries every
instance's events) wakes the reading at once; a reading every ``interval`` seconds catches
what a dropped event missed. With discovery on, each window's config goes out before its state.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from hallbase.background import BackgroundLoop
from hallbase.db import read_session
from hallbase.models import Window
from hallkeeper.mqtt import MqttRelay
from hallkeeper.mqtt_discovery import Discovery
from kiosk.events import EventBus
from kiosk.models import Ticket, WindowLive

log = logging.getLogger(__name__)
EVENT_QUEUE = 1024  # events waiting for the reading; one that falls behind resubscribes
STOP_CHECK = 0.5  # seconds between looks whether the loop is asked to stop


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def window_states(engine: Engine) -> dict[int, dict[str, Any]]:
    """Every window's state message, by window number, as the database has it now."""
    with read_session(engine) as session:
        numbers = session.exec(select(Window.number)).all()
        rows = session.exec(
            select(WindowLive, Ticket).join(
                Ticket, col(Ticket.id) == col(WindowLive.ticket_id), isouter=True
            )
        ).all()
    states: dict[int, dict[str, Any]] = {
        n: {"window": n, "state": "idle", "number": None, "at": None} for n in numbers
    }
    for live, ticket in rows:
        state, number, at = live.state, None, live.since
        if ticket is not None and ticket.status == "called":
            state, number, at = "calling", ticket.code, ticket.called_at or live.since
        elif ticket is not None and ticket.status == "serving":
            state, number, at = "serving", ticket.code, ticket.started_at or live.since
        n = live.window_number
        states[n] = {"window": n, "state": state, "number": number, "at": _iso(at)}
    return states


class WindowTopics:
    """Background part: every window's state to its retained topic."""

    def __init__(
        self,
        relay: MqttRelay,
        engine: Engine,
        bus: EventBus,
        *,
        discovery: Discovery | None = None,
        interval: float = 5.0,
    ) -> None:
        self.relay = relay
        self.engine = engine
        self.bus = bus
        self.discovery = discovery
        self.interval = interval
        self._background = BackgroundLoop("mqtt-windows", self._run)

    def topic(self, window: int) -> str:
        """The retained topic of window ``window``'s state."""
        return f"{self.relay.base}/window/{window}/state"

    def publish(self) -> None:
        """Read every window's state and put it on its topic (sent if it changed)."""
        for window, state in sorted(window_states(self.engine).items()):
            topic = self.topic(window)
            if self.discovery is not None:
                self.discovery.window(window, topic)
            self.relay.retained.put(topic, json.dumps(state, ensure_ascii=False))

    def _run(self, stop: threading.Event) -> None:
        sub = self.bus.subscribe(maxsize=EVENT_QUEUE)
        due = 0.0  # the next reading without an event (monotonic seconds)
        try:
            while not stop.is_set():
                if sub.dropped:
                    self.bus.unsubscribe(sub)
                    sub = self.bus.subscribe(maxsize=EVENT_QUEUE)
                    due = 0.0
                woken = sub.get(timeout=STOP_CHECK) is not None
                if not woken and time.monotonic() < due:
                    continue
                while sub.get(timeout=0) is not None:  # one reading for a burst of events
                    pass
                due = time.monotonic() + self.interval
                try:
                    self.publish()
                except Exception:  # the database is away: the next event or reading retries
                    log.exception("window state topics failed")
        finally:
            self.bus.unsubscribe(sub)

    def start(self) -> None:
        self._background.start()

    def stop(self) -> None:
        self._background.stop()
