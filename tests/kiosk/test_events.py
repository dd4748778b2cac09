"""The event bus and the SSE stream: ids, resume, heartbeat, slow subscribers dropped."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from hallbase.alerts import raise_alert
from hallbase.auth import ANONYMOUS
from hallbase.db import write_session
from hallbase.settings import Settings
from hallkeeper.app import create_app
from kiosk.api.events import events
from kiosk.config import QueueConfig
from kiosk.events import ALERT_EVENT_PREFIX, EventBus, Published, Subscription
from kiosk.words import announcement
from tests.helpers.auth import add_account, api_token, machine_key
from tests.helpers.queue import MONDAY_9AM, Clock, as_admin


def test_bus_delivers_keeps_ring_and_drops_slow_subscriber() -> None:
    bus = EventBus(ring=5, subscriber_queue=3)
    fast = bus.subscribe()
    slow = bus.subscribe(maxsize=2)
    started = time.monotonic()
    for i in range(10):
        bus.publish("tick", {"i": i})
        got = fast.get(timeout=1)
        assert got is not None and got.data["i"] == i
    assert time.monotonic() - started < 1  # nobody waited for the slow one
    assert slow.dropped and bus.subscribers == 1
    assert [e.id for e in (slow.get(0), slow.get(0))] == [1, 2] and slow.get(0) is None
    missed, complete = bus.since(7)
    assert [e.id for e in missed] == [8, 9, 10] and complete
    _, complete_old = bus.since(2)
    assert not complete_old  # events 3..5 have left the ring
    assert "id: 10\nevent: tick\n" in missed[-1].sse()


def test_a_stream_takes_what_piled_up_at_once_in_order() -> None:
    """Events published while a stream was writing are taken together (one write, not one
    per event), in order, none lost; a drop's wake-up is not taken for an event."""

    async def scenario() -> tuple[list[int], list[int], list[int], bool]:
        bus = EventBus(subscriber_queue=8)
        sub = bus.subscribe(asyncio.get_running_loop())
        bus.publish("tick", {"i": 0})
        first = await sub.aget(1)
        assert first is not None
        for i in range(1, 5):
            bus.publish("tick", {"i": i})  # as the writer thread does, between two writes
        await asyncio.sleep(0)  # the loop runs the hand-overs
        piled = [e.data["i"] for e in sub.ready()]
        empty = [e.data["i"] for e in sub.ready()]
        for i in range(5, 20):  # more than the queue holds: the subscriber is dropped
            bus.publish("tick", {"i": i})
        await asyncio.sleep(0)
        kept = [e.data["i"] for e in sub.ready()]
        return [first.data["i"]], piled, empty + kept, sub.dropped

    first, piled, rest, dropped = asyncio.run(scenario())
    assert (first, piled) == ([0], [1, 2, 3, 4])
    assert rest == list(range(5, 13)) and dropped  # the 8 it had room for, then no wake-up


@pytest.fixture
def server(settings: Settings) -> Iterator[tuple[str, FastAPI]]:
    app = create_app(settings, clock=Clock(MONDAY_9AM))
    app.state.queue_config = replace(app.state.queue_config, heartbeat_seconds=0.2)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        srv.should_exit = True
        thread.join(10)
        sock.close()
        assert not thread.is_alive()


def _events(
    lines: Iterator[str], want: str, limit: int = 200
) -> tuple[list[str], dict[str, object]]:
    """Read SSE lines until an event of kind ``want``; return the lines and its data."""
    seen: list[str] = []
    event_id = kind = None
    for _ in range(limit):
        line = next(lines)
        seen.append(line)
        if line.startswith("id: "):
            event_id = line[4:]
        elif line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind == want:
            data: dict[str, object] = json.loads(line[6:])
            data["_id"] = event_id
            return seen, data
    raise AssertionError(f"no {want} event in {seen}")


def test_a_new_stream_sends_what_was_published_while_it_started() -> None:
    """A new stream starts from the events the bus had when its request came: one published
    after that, while the answer's headers go out and before the stream subscribes, is sent,
    not lost (a page that saw its stream open and then an event must get that event)."""

    async def scenario() -> list[str]:
        app = FastAPI()
        app.state.bus = bus = EventBus()
        app.state.queue_config = QueueConfig()
        bus.publish("ticket.called", {"code": "A001", "window": 3})  # before the request
        request = Request({"type": "http", "app": app, "headers": [], "query_string": b""})
        response = await events(request, ANONYMOUS, None, None)
        bus.publish("ticket.called", {"code": "A002", "window": 5})  # while it starts
        body = response.body_iterator
        frames = [str(await anext(body)), str(await anext(body))]
        await body.aclose()  # type: ignore[attr-defined]
        return frames

    retry, frame = asyncio.run(scenario())
    assert retry == "retry: 2000\n\n"
    assert frame.startswith("id: 2\nevent: ticket.called\n") and '"A002"' in frame


def test_sse_stream_delivers_call_and_resumes(server: tuple[str, FastAPI]) -> None:
    base, app = server
    timeout = httpx.Timeout(10.0)
    add_account(app, "admin", "admin")
    admin = {"Authorization": f"Bearer {api_token(app, 'admin')}"}
    with (
        httpx.Client(base_url=base, timeout=timeout, headers=admin) as api,
        api.stream("GET", "/api/v1/events") as stream,
    ):
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines).startswith("retry:")
        issued = api.post("/api/v1/tickets", json={"service": "social_security"})
        assert issued.status_code == 201
        called = api.post("/api/v1/windows/3/call-next")
        assert called.status_code == 200
        _, issued_event = _events(lines, "ticket.issued")
        _, call_event = _events(lines, "ticket.called")
        assert call_event["code"] == "C001" and call_event["window"] == 3
        assert call_event["staff_no"] == "RS001"  # the hall's people hear every field
        assert call_event["text"] == announcement("C001", 3)
        assert call_event["text"]["zh"] == "请C001号到3号窗口办理"  # type: ignore[index]
        assert int(str(call_event["_id"])) > int(str(issued_event["_id"]))
        beat = [next(lines) for _ in range(8)]  # after the call's voice.ready (4 lines)
        assert ": heartbeat" in beat, beat

    headers = {"Last-Event-ID": str(issued_event["_id"])}
    with (
        httpx.Client(base_url=base, timeout=timeout) as api,  # the public: the board's view
        api.stream("GET", "/api/v1/events", headers=headers) as stream,
    ):
        _, again = _events(stream.iter_lines(), "ticket.called")
        assert again["_id"] == call_event["_id"]
        assert again["text"] == call_event["text"] and "staff_no" not in again


def _queue_event(sub: Subscription, timeout: float) -> Published | None:
    """The next event that is not about alerts (the app's scheduler may raise some)."""
    deadline = time.monotonic() + timeout
    while (event := sub.get(max(0.0, deadline - time.monotonic()))) is not None:
        if not event.kind.startswith(ALERT_EVENT_PREFIX):
            return event
    return None


def test_events_only_after_commit(settings: Settings) -> None:
    from fastapi.testclient import TestClient

    app = create_app(settings, clock=Clock(MONDAY_9AM))
    sub = app.state.bus.subscribe()
    with TestClient(app) as client:
        as_admin(app, client)
        assert client.post("/api/v1/windows/3/call-next").status_code == 409
        assert _queue_event(sub, 0.05) is None  # the refused call published nothing
        client.post("/api/v1/windows/3/pause", json={"staff_no": "RS002"})
        event = _queue_event(sub, 1)
        assert event is not None and event.kind == "window.state"
        assert event.data["state"] == "paused" and event.data["staff_no"] == "RS002"
    app.state.bus.unsubscribe(sub)


def _raise_alert(app: FastAPI, key: str) -> None:
    with write_session(app.state.engine) as session:
        raise_alert(
            session,
            kind="attendance.late",
            key=key,
            payload={"staff_no": "SC001", "message": "王芳 迟到"},
            now=MONDAY_9AM,
        )


def test_an_alert_reaches_the_supervisors_stream_only_after_commit(
    server: tuple[str, FastAPI],
) -> None:
    base, app = server
    add_account(app, "sup", "supervisor")
    add_account(app, "hu", "staff", staff_no="ZW004")
    add_account(app, "lead", "window_lead:unit:ZWB")
    bearer = {u: {"Authorization": f"Bearer {api_token(app, u)}"} for u in ("sup", "hu", "lead")}
    listeners = {
        "supervisor": bearer["sup"],
        "staff": bearer["hu"],
        "window lead": bearer["lead"],
        "kiosk": {"X-Hall-Key": machine_key(app, "kiosk")},
        "public": {},
    }
    timeout = httpx.Timeout(10.0)
    with contextlib.ExitStack() as stack:
        lines = {}
        for who, headers in listeners.items():
            client = stack.enter_context(httpx.Client(base_url=base, timeout=timeout))
            stream = stack.enter_context(client.stream("GET", "/api/v1/events", headers=headers))
            lines[who] = stream.iter_lines()
            assert next(lines[who]).startswith("retry:")
        _raise_alert(app, "SC001:2026-03-09:am_in:late")
        _, event = _events(lines["supervisor"], "alert.raised")
        assert set(event) == {"kind", "at", "_id"}  # no data: the page asks GET /alerts
        # The others: a queue event published after the alert arrives without it before.
        issued = httpx.post(
            f"{base}/api/v1/tickets", json={"service": "consult"}, headers=listeners["kiosk"]
        )
        assert issued.status_code == 201, issued.text
        for who in ("staff", "window lead", "kiosk", "public"):
            seen, _ = _events(lines[who], "ticket.issued")
            assert not [line for line in seen if "alert" in line], (who, seen)
        # A resuming supervisor gets it from the ring; a resuming window lead does not.
        after = {"Last-Event-ID": str(int(str(event["_id"])) - 1)}
        for who, want in (("supervisor", True), ("window lead", False)):
            headers = {**listeners[who], **after}
            with (
                httpx.Client(base_url=base, timeout=timeout) as client,
                client.stream("GET", "/api/v1/events", headers=headers) as stream,
            ):
                seen, _ = _events(stream.iter_lines(), "ticket.issued")
            assert ("event: alert.raised" in seen) is want, (who, seen)
