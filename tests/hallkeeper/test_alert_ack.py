"""Alerts listed and acknowledged through the API; repeats and escalation of critical ones."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from hallbase.alert_followup import follow_up
from hallbase.alerts import raise_alert
from hallbase.auth.models import AuditEntry
from hallbase.clock import utcnow
from hallbase.db import read_session, write_session
from hallbase.hallconfig.alerts import AlertsSection
from hallbase.models import AlertOutbox
from hallbase.settings import Settings
from hallkeeper.app import create_app
from tests.helpers.auth import add_account, login

KIND = "test.absent"  # the app's own scheduler raises alerts of the shipped hall's kinds


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def _raise(
    client: TestClient, key: str, severity: str = "warning", at: datetime | None = None
) -> int:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with write_session(engine) as session:
        raise_alert(
            session,
            kind=KIND,
            key=key,
            payload={"staff_no": "SC001", "message": f"旷工 {key}"},
            now=at or utcnow(),
            severity=severity,
        )
    with read_session(engine) as session:
        row = session.exec(select(AlertOutbox).where(col(AlertOutbox.message_id).endswith(key)))
        found = row.one().id
    assert found is not None
    return found


def _audit(client: TestClient) -> list[AuditEntry]:
    with read_session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == "alert.ack")))


def test_list_and_acknowledge_through_the_api(client: TestClient) -> None:
    first = _raise(client, "SC001:a", "critical")
    _raise(client, "SC001:b")
    assert client.get("/api/v1/alerts").status_code == 401
    add_account(client.app, "clerk", "staff", staff_no="SC001")
    login(client, "clerk")
    assert client.get("/api/v1/alerts").status_code == 403
    add_account(client.app, "sup", "supervisor")
    login(client, "sup")
    listed = client.get("/api/v1/alerts", params={"kind": KIND}).json()
    assert listed["count"] == 2 and [a["acknowledged"] for a in listed["data"]] == [False, False]
    assert listed["data"][1]["subject"] == {"staff_no": "SC001"}
    assert listed["data"][1]["message"] == "旷工 SC001:a"
    critical = client.get("/api/v1/alerts", params={"kind": KIND, "severity": "critical"}).json()
    assert [a["id"] for a in critical["data"]] == [first]
    assert client.post("/api/v1/alerts/999999/ack").status_code == 404
    done = client.post(f"/api/v1/alerts/{first}/ack", json={"note": "已电话联系"})
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["new"] and body["ack"]["by"] == "sup" and body["ack"]["note"] == "已电话联系"
    assert body["ack"]["name"] == "sup"  # the account's display name
    assert body["ack"]["via"] == "api"
    again = client.post(f"/api/v1/alerts/{first}/ack").json()
    assert not again["new"] and again["ack"]["note"] == "已电话联系"  # the first one stays
    (entry,) = _audit(client)  # audited once
    assert entry.actor_name == "sup" and entry.target == f"alert:{first}"
    open_ = client.get("/api/v1/alerts", params={"kind": KIND, "acknowledged": False}).json()
    assert open_["count"] == 1 and open_["data"][0]["id"] != first
    paged = client.get("/api/v1/alerts", params={"kind": KIND, "limit": 1, "offset": 1}).json()
    assert paged["count"] == 2 and [a["id"] for a in paged["data"]] == [first]
    yesterday = (utcnow() - timedelta(days=2)).date().isoformat()
    assert client.get("/api/v1/alerts", params={"day": yesterday}).json()["count"] == 0


def test_a_cookie_acknowledgement_needs_the_csrf_token(client: TestClient) -> None:
    alert = _raise(client, "SC001:c")
    add_account(client.app, "chief", "duty_chief")
    login(client, "chief")
    del client.headers["X-CSRF-Token"]
    refused = client.post(f"/api/v1/alerts/{alert}/ack")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"


def test_unacknowledged_critical_alerts_repeat_then_escalate(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    start = utcnow() - timedelta(hours=1)
    loud = _raise(client, "SC001:d", "critical", at=start)
    _raise(client, "SC001:e", "warning", at=start)  # never followed up
    cfg = AlertsSection(repeat_minutes=10, repeat_max=2, escalate_minutes=30)

    def step(minutes: int) -> list[AlertOutbox]:
        with write_session(engine) as session:  # (the app's own alerts are followed up too)
            follow_up(session, cfg, start + timedelta(minutes=minutes))
        with read_session(engine) as session:
            kinds = ["alert.repeat", "alert.escalation"]
            rows = session.exec(select(AlertOutbox).where(col(AlertOutbox.kind).in_(kinds)))
            return [r for r in rows if r.payload["origin_id"] == loud]

    assert step(9) == []
    (repeat,) = step(10)
    assert repeat.payload["origin_id"] == loud and repeat.payload["repeat"] == 1
    assert repeat.severity == "critical" and repeat.payload["staff_no"] == "SC001"
    assert repeat.payload["message"] == "【第1次提醒·未确认】旷工 SC001:d"
    assert len(step(15)) == 1  # not due again yet
    assert len(step(29)) == 2  # the second and last repeat
    follow = step(45)
    assert [r.kind for r in follow].count("alert.escalation") == 1 and len(follow) == 3
    assert len(step(60)) == 3  # repeat_max reached, escalated once
    add_account(client.app, "dir", "director")
    login(client, "dir")
    # Acknowledging the repeat acknowledges the original.
    done = client.post(f"/api/v1/alerts/{repeat.id}/ack").json()
    assert done["id"] == loud and done["acknowledged"]
    cfg = AlertsSection(repeat_minutes=10, repeat_max=10, escalate_minutes=30)
    assert len(step(90)) == 3  # acknowledged: no more repeats, though more are allowed now


def test_the_follow_up_loop_waits_between_rounds(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A round that queued nothing must still wait its interval: a loop that took "0 queued"
    for "wait 0 s" spun on BEGIN IMMEDIATE and kept the queue's writer in SQLite's busy wait."""
    import threading
    import time

    from hallbase import alert_followup

    every = 0.05
    monkeypatch.setattr(alert_followup, "CHECK_SECONDS", every)
    engine = create_app(settings).state.engine
    rounds = 0
    tenth = threading.Event()

    class Counting(alert_followup.AlertFollowUp):
        def step(self) -> int:
            nonlocal rounds
            rounds += 1
            if rounds == 10:
                tenth.set()
            return super().step()

    loop = Counting(engine, AlertsSection(repeat_minutes=10), utcnow)
    started = time.monotonic()
    loop.start()
    try:
        assert tenth.wait(30), "the follow-up loop did not run ten rounds"
        elapsed = time.monotonic() - started
    finally:
        loop.stop()
    # Ten rounds take at least ten intervals (the first comes after one).
    assert elapsed >= 10 * every * 0.9, f"ten rounds in {elapsed * 1000:.0f} ms"
