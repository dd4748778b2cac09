"""`alert.raised` on the event bus: after the commit that queued an alert, never before, never
for a rollback, and no more once the app has stopped."""

from __future__ import annotations

import contextlib

from sqlalchemy import Engine

from hallbase.alerts import raise_alert
from hallbase.db import write_session
from hallbase.settings import Settings
from hallkeeper.alert_events import AlertEvents
from hallkeeper.app import create_app
from kiosk.events import ALERT_RAISED, EventBus
from tests.helpers.queue import MONDAY_9AM


def _raise(engine: Engine, key: str) -> None:
    with write_session(engine) as session:
        raise_alert(session, kind="attendance.late", key=key, payload={}, now=MONDAY_9AM)


def test_alert_raised_follows_the_commit_only(any_engine: Engine, settings: Settings) -> None:
    create_app(settings, engine=any_engine)  # migrated; no lifespan: nothing else publishes
    bus = EventBus()
    events = AlertEvents(bus)
    sub = bus.subscribe()
    events.start()
    try:
        with write_session(any_engine) as session:
            assert raise_alert(session, kind="attendance.late", key="a", payload={}, now=MONDAY_9AM)
            assert sub.get(0) is None  # queued, not committed: nothing yet
        event = sub.get(0)  # published by the committing thread itself
        assert event is not None and event.kind == ALERT_RAISED and event.data == {}
        with contextlib.suppress(RuntimeError), write_session(any_engine) as session:
            raise_alert(session, kind="attendance.late", key="b", payload={}, now=MONDAY_9AM)
            raise RuntimeError("rolled back")
        _raise(any_engine, "a")  # already queued: nothing new, nothing published
        assert sub.get(0) is None
        _raise(any_engine, "c")
        assert [e.kind for e in (sub.get(0), sub.get(0)) if e is not None] == [ALERT_RAISED]
    finally:
        events.stop()
    _raise(any_engine, "d")
    assert sub.get(0) is None  # stopped: the hook is gone
