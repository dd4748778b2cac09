"""Time limits are judged on the clock, not only when someone takes a ticket or a window calls:
maximum wait, maximum service time, and a committed item past its promised date (限时办结)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers.queue import Clock, act, take
from tests.kiosk.snapshot import queue_alerts


def _alert_ids(app: FastAPI) -> list[str]:
    return sorted(a.message_id for a in queue_alerts(app.state.engine))


def test_limits_fire_on_the_clock_once_each(app: FastAPI, client: TestClient, clock: Clock) -> None:
    waiting = take(client, "social_security")  # max wait 20 minutes
    served = take(client, "license_change")  # max service 15 minutes, window 1
    take(client, "household")  # committed: promised 5 working days later (Mon 30th)
    act(client, 1, "call-next")
    act(client, 1, "start")
    act(client, 4, "call-next")
    act(client, 4, "start")
    act(client, 4, "finish")
    [item] = client.get("/api/v1/committed-items").json()["data"]
    assert item["promised_date"] == "2026-11-30"
    watch = app.state.limit_watch
    clock.advance(minutes=16)
    # Nothing else happens in the hall: only the clock moves on.
    assert watch.check() == 1
    assert _alert_ids(app) == [f"queue_service_time:{served['id']}"]
    clock.advance(minutes=5)
    assert watch.check() == 1
    assert _alert_ids(app) == [
        f"queue_service_time:{served['id']}",
        f"queue_wait:{waiting['id']}",
    ]
    assert watch.check() == 0  # stable ids: checking again repeats nothing
    [wait_alert] = [a for a in queue_alerts(app.state.engine) if a.kind == "queue_wait"]
    assert wait_alert.payload["waited_minutes"] == 21.0
    assert "社保业务" in wait_alert.payload["message"]
    clock.now = clock.now.replace(day=30, hour=17)
    assert watch.check() == 0  # still the promised day
    clock.now = clock.now.replace(month=12, day=1, hour=9)
    assert watch.check() == 1
    overdue = [a for a in queue_alerts(app.state.engine) if a.kind == "committed_overdue"]
    assert [a.message_id for a in overdue] == [f"committed_overdue:{item['id']}"]
    assert overdue[0].payload["promised_date"] == "2026-11-30"
    assert "承诺" in overdue[0].payload["message"]
