"""The whole queue flow through the HTTP API, on SQLite and on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from kiosk.api.common import Queue, get_queue, queue_of
from tests.helpers.queue import Clock, act, as_admin, rating_pad, take
from tests.kiosk.snapshot import queue_alerts

RATING = {"attitude": 5, "quality": 4, "efficiency": 4, "integrity": 5, "overall": 5}


def test_issue_call_serve_finish_rate(app: FastAPI, client: TestClient, clock: Clock) -> None:
    first = take(client, "company_setup")
    second = take(client, "company_setup")
    assert (first["code"], second["code"]) == ("A001", "A002")
    assert second["ahead"] == 1 and first["ahead"] == 0
    assert "营业执照申请书" in first["documents"]  # type: ignore[operator]

    clock.advance(minutes=5)
    called = act(client, 1, "call-next")
    assert called["code"] == "A001" and called["status"] == "called"
    assert called["window_number"] == 1 and called["staff_no"] == "SC001"
    assert client.get(f"/api/v1/tickets/{second['id']}").json()["ahead"] == 0

    assert act(client, 1, "recall")["recalls"] == 1
    assert act(client, 1, "start")["status"] == "serving"
    clock.advance(minutes=12)
    done = act(client, 1, "finish", outcome="done")
    assert done["status"] == "finished" and done["outcome"] == "done"

    # company_setup is committed (承诺件, 3 working days): Monday 23rd -> Thursday 26th.
    items = client.get("/api/v1/committed-items").json()["data"]
    assert [(i["ticket_id"], i["promised_date"], i["on_time"]) for i in items] == [
        (first["id"], "2026-11-26", None)
    ]
    pad = rating_pad(app, 1)
    rate = client.post(f"/api/v1/tickets/{first['id']}/rating", json=RATING, headers=pad)
    assert rate.status_code == 201
    again = client.post(f"/api/v1/tickets/{first['id']}/rating", json=RATING, headers=pad)
    assert again.status_code == 409 and "already been rated" in again.json()["detail"]

    live = {w["window"]: w for w in client.get("/api/v1/windows-live").json()["data"]}
    assert live[1]["state"] == "idle" and live[1]["ticket"] is None
    assert live[2]["state"] == "idle"  # never used: shown idle with its A post
    history = client.get("/api/v1/windows/1/history").json()["data"]
    assert [h["state"] for h in reversed(history)] == ["idle", "serving", "idle"]


def test_missing_documents_notice_and_no_show(client: TestClient) -> None:
    a = take(client, "housing_fund")
    b = take(client, "housing_fund")
    act(client, 5, "call-next")
    act(client, 5, "start")
    finished = act(
        client, 5, "finish", outcome="missing_documents", missing_documents=["银行卡", "租房证明"]
    )
    assert finished["missing_documents"] == ["银行卡", "租房证明"]
    notice = finished["notice"]
    assert notice["title"]["zh"] == "一次性告知单"  # type: ignore[index]
    assert "公积金提取" in notice["intro"]["zh"]  # type: ignore[index]
    assert client.get(f"/api/v1/tickets/{a['id']}").json()["notice"]["documents"] == [
        "银行卡",
        "租房证明",
    ]
    assert act(client, 5, "call-next")["id"] == b["id"]
    assert act(client, 5, "no-show")["status"] == "no_show"
    assert client.get("/api/v1/committed-items").json()["count"] == 0  # instant service


def test_recall_limit_suspend_and_call_back(app: FastAPI, client: TestClient) -> None:
    a = take(client, "social_security")
    b = take(client, "social_security")
    act(client, 3, "call-next")
    limit = app.state.queue_config.recall_limit
    for _ in range(limit):
        act(client, 3, "recall")
    over = client.post("/api/v1/windows/3/recall")
    assert over.status_code == 409 and f"recalled {limit} times" in over.json()["detail"]
    assert act(client, 3, "suspend")["status"] == "suspended"
    assert act(client, 3, "call-next")["id"] == b["id"]
    busy = client.post("/api/v1/windows/3/call-back", json={"ticket_id": a["id"]})
    assert busy.status_code == 409 and "window 3 is serving" in busy.json()["detail"]
    act(client, 3, "no-show")
    elsewhere = client.post("/api/v1/windows/7/call-back", json={"ticket_id": a["id"]})
    assert elsewhere.status_code == 409 and "suspended at window 3" in elsewhere.json()["detail"]
    back = act(client, 3, "call-back", ticket_id=a["id"])
    assert back["status"] == "called" and back["id"] == a["id"]
    queue = client.get("/api/v1/windows/3/queue").json()
    assert queue["current"]["id"] == a["id"] and queue["suspended"] == []


def test_call_named_ticket(client: TestClient) -> None:
    take(client, "consult")
    b = take(client, "consult")
    called = act(client, 8, "call", ticket_id=b["id"])
    assert called["code"] == "Z002"
    again = client.post("/api/v1/windows/7/call", json={"ticket_id": b["id"]})
    assert again.status_code == 409 and "ticket Z002 is called" in again.json()["detail"]
    social = take(client, "social_security")
    wrong = client.post("/api/v1/windows/1/call", json={"ticket_id": social["id"]})
    assert wrong.status_code == 409 and "does not serve 社保业务" in wrong.json()["detail"]


def test_priority_channel_first_and_configurable(app: FastAPI, client: TestClient) -> None:
    take(client, "social_security")
    elder = take(client, "social_security", priority_reason="elderly")
    assert elder["channel"] == "priority" and elder["ahead"] == 0
    assert elder["channel_text"] == {"zh": "绿色通道", "en": "Priority"}
    assert act(client, 3, "call-next")["id"] == elder["id"]
    bad = client.post(
        "/api/v1/tickets", json={"service": "social_security", "priority_reason": "vip"}
    )
    assert bad.status_code == 422 and "not a priority channel" in bad.json()["detail"]

    from dataclasses import replace

    app.state.queue_config = replace(app.state.queue_config, priority_first=False)
    act(client, 3, "no-show")
    soldier = take(client, "social_security", priority_reason="military")
    first = act(client, 3, "call-next")
    assert first["code"] == "C001" and soldier["code"] == "C003"


def test_window_states_and_history(client: TestClient) -> None:
    paused = act(client, 3, "pause")
    assert paused["state"] == "paused" and paused["state_text"]["zh"] == "暂停服务"  # type: ignore[index]
    take(client, "social_security")
    refused = client.post("/api/v1/windows/3/call-next")
    assert refused.status_code == 409 and "window 3 is paused" in refused.json()["detail"]
    away = act(client, 3, "away")
    assert away["state"] == "away"
    back = act(client, 3, "back", staff_no="RS002")  # the B post takes over (AB岗)
    assert back["state"] == "idle" and back["staff_no"] == "RS002"
    assert act(client, 3, "call-next")["staff_no"] == "RS002"
    stranger = client.post("/api/v1/windows/3/pause", json={"staff_no": "GA001"})
    assert stranger.status_code == 422 and "not a post of window 3" in stranger.json()["detail"]
    serving = client.post("/api/v1/windows/3/away")
    assert serving.status_code == 409 and "finish its ticket first" in serving.json()["detail"]
    rows = client.get("/api/v1/windows/3/history").json()["data"][::-1]
    assert [(r["state"], r["staff_no"]) for r in rows] == [
        ("idle", "RS001"),
        ("paused", "RS001"),
        ("away", "RS001"),
        ("idle", "RS002"),
        ("serving", "RS002"),
    ]
    assert all(r["end"] is not None for r in rows[:-1]) and rows[-1]["end"] is None


def test_outside_hours_and_daily_quota(client: TestClient, clock: Clock) -> None:
    clock.set_local(8, 0)
    early = client.post("/api/v1/tickets", json={"service": "company_setup"})
    assert early.status_code == 409 and "08:30-17:30" in early.json()["detail"]
    clock.set_local(9, 0)
    patch = client.patch("/api/v1/services/consult", json={"daily_quota": 2})
    assert patch.status_code == 200
    take(client, "consult")
    take(client, "consult")
    full = client.post("/api/v1/tickets", json={"service": "consult"})
    assert full.status_code == 409 and "daily quota of 2" in full.json()["detail"]
    client.patch("/api/v1/services/consult", json={"daily_quota": 3})
    assert take(client, "consult")["code"] == "Z003"  # the refused one took no number


def test_alert_when_waiting_over_max(app: FastAPI, client: TestClient, clock: Clock) -> None:
    old = take(client, "social_security")  # max wait 20 minutes
    clock.advance(minutes=25)
    take(client, "social_security")
    take(client, "social_security")
    rows = [(a.message_id, a.kind) for a in queue_alerts(app.state.engine)]
    assert rows == [(f"queue_wait:{old['id']}", "queue_wait")]
    overview = {s["service"]: s for s in client.get("/api/v1/queue").json()["data"]}
    social = overview["social_security"]
    assert social["waiting"] == 3 and social["over_max_wait"] is True
    assert social["oldest_wait_minutes"] == 25.0 and social["open_windows"] == [3, 7]


def test_committed_item_completion_and_on_time(client: TestClient, clock: Clock) -> None:
    take(client, "household")  # committed, 5 working days
    act(client, 4, "call-next")
    act(client, 4, "start")
    act(client, 4, "finish")
    [item] = client.get("/api/v1/committed-items").json()["data"]
    assert item["promised_date"] == "2026-11-30"  # Mon 23 + 5 working days
    clock.now = clock.now.replace(day=27)
    done = client.post(f"/api/v1/committed-items/{item['id']}/complete")
    assert done.status_code == 200 and done.json()["on_time"] is True
    twice = client.post(f"/api/v1/committed-items/{item['id']}/complete")
    assert twice.status_code == 409
    assert date.fromisoformat(done.json()["promised_date"]).weekday() == 0


def test_queue_length_alert_and_away_periods(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    from dataclasses import replace

    from hallbase.db import read_session
    from kiosk.live import state_periods

    app.state.queue_config = replace(app.state.queue_config, max_waiting=2)
    for _ in range(4):
        take(client, "consult")
    rows = queue_alerts(app.state.engine)
    assert [r.message_id for r in rows] == ["queue_length:consult:20261123T09"]  # once, not twice

    start = clock()
    act(client, 3, "away")
    clock.advance(minutes=12)
    act(client, 3, "back", staff_no="RS002")
    clock.advance(minutes=5)
    act(client, 4, "away")
    clock.advance(minutes=3)
    with read_session(app.state.engine) as session:
        periods = state_periods(session, start, clock())
    minutes = [(w, s, (b - a).total_seconds() / 60) for w, s, a, b in periods]
    assert minutes == [(3, "RS001", 12.0), (4, "GA001", 3.0)]


def test_busiest_routes_go_through_route_dependencies(app: FastAPI, clock: Clock) -> None:
    night = Clock(clock.now.replace(hour=23))

    async def queue_at_night(request: Request) -> Queue:
        return replace(queue_of(request.app.state), clock=night)

    app.dependency_overrides[get_queue] = queue_at_night
    with TestClient(app) as client:
        as_admin(app, client)
        ticket = client.post("/api/v1/tickets", json={"service": "company_setup"})
    assert ticket.status_code == 409, ticket.text
    assert "is closed" in ticket.json()["detail"]


def test_people_ahead_of_a_new_ticket_as_counted_later(client: TestClient, clock: Clock) -> None:
    """A new ticket's count (from the waiting tickets' index when it is a normal ticket issued
    after all the others) is the one its page shows right after, in every channel and order."""
    ahead = []
    for reason, minutes in (
        (None, 1),
        (None, 1),
        ("elderly", 1),
        (None, 1),
        ("elderly", 1),
        (None, 1),
        (None, 0),
    ):  # fmt: skip  (the last: the same instant)
        clock.advance(minutes=minutes)
        ticket = take(client, "social_security", priority_reason=reason)
        shown = client.get(f"/api/v1/tickets/{ticket['id']}").json()
        assert shown["ahead"] == ticket["ahead"], ticket["code"]
        ahead.append(ticket["ahead"])
    assert ahead == [0, 1, 0, 3, 1, 5, 6]
