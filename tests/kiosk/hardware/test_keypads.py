"""Window keypads and evaluators against the queue, over a real pty to the keypad simulator:
the reference frames do what the console does, service time is measured from the call, the
keypad's display follows the queue, and a refused press gets no acknowledgement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from fastapi import FastAPI
from sqlmodel import Session, col, select

from devices.keypad.keys import KeyPress, Score
from kiosk import tickets as kiosk_tickets
from kiosk.models import Rating, Ticket, WindowLive
from tests.helpers.queue import rating_pad
from tests.helpers.queue_devices import Hall, post
from tests.helpers.waiting import wait_until

# The reference frames of keypad 3 (FUNC 0x01, the key in the last DATA byte) and of its
# evaluator at address 103 (FUNC 0x11, the score in the last DATA byte).
CALL = "ff 68 03 03 68 03 01 0c 10 16"
RECALL = "ff 68 03 03 68 03 01 0d 11 16"
EVALUATE = "ff 68 03 03 68 03 01 0b 0f 16"
PAUSE = "ff 68 03 03 68 03 01 12 16 16"
SUSPEND = "ff 68 04 04 68 03 01 00 0f 13 16"  # 0 + OK
CALL_BACK = "ff 68 04 04 68 03 01 03 0f 16 16"  # 3 + OK
NO_SHOW = "ff 68 04 04 68 03 01 06 0f 19 16"  # 6 + OK
TRANSFER_TO_7 = "ff 68 04 04 68 03 01 07 13 1e 16"  # 7, then transfer
SCORE_SATISFIED = "ff 68 03 03 68 67 11 01 79 16"  # the four-key evaluator's "satisfied": 4


class BusClock:
    """The keypad bus's clock, moved on by a second per press: no press is a repeat."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def press(hall: Hall, clock: BusClock, wire: str) -> None:
    clock.now += 1.0
    assert hall.sims.keypads.send_frame(bytes.fromhex(wire)), f"not acknowledged: {wire}"


def legs(hall: Hall, prefix: str) -> list[tuple[Any, ...]]:
    with Session(hall.engine) as session:
        rows = session.exec(
            select(Ticket).where(col(Ticket.code).startswith(prefix)).order_by(col(Ticket.id))
        ).all()
        return [(t.number, t.leg, t.status, t.outcome, t.recalls, t.target_window) for t in rows]


def window_state(hall: Hall, number: int) -> str:
    with Session(hall.engine) as session:
        live = session.exec(select(WindowLive).where(WindowLive.window_number == number)).first()
        return live.state if live is not None else "idle"


def ratings(hall: Hall) -> list[tuple[str, int]]:
    with Session(hall.engine) as session:
        rows = session.exec(select(Rating, Ticket).join(Ticket)).all()
        return sorted((t.code, r.overall) for r, t in rows)


def test_reference_frames_do_what_the_console_does(hall: Hall) -> None:
    keypads = hall.devices.keypads
    assert keypads is not None
    bus_clock = BusClock()
    keypads.clock = bus_clock
    client = hall.client
    for _ in range(3):
        post(client, "/tickets", {"service": "social_security"})  # C001-C003, window 3
        post(client, "/tickets", {"service": "housing_fund"})  # E001-E003, window 5

    # Window 3 by its keypad, window 5 by its console, step by step.
    press(hall, bus_clock, CALL)
    post(client, "/windows/5/call-next")
    press(hall, bus_clock, RECALL)
    post(client, "/windows/5/recall")
    press(hall, bus_clock, SUSPEND)
    post(client, "/windows/5/suspend")
    press(hall, bus_clock, CALL_BACK)
    suspended = legs(hall, "E")[0]
    assert suspended[2] == "suspended"
    post(client, "/windows/5/call-back", {"ticket_id": 2})  # E001 is ticket 2
    press(hall, bus_clock, EVALUATE)
    post(client, "/windows/5/start")
    post(client, "/windows/5/finish", {"outcome": "done"})
    press(hall, bus_clock, SCORE_SATISFIED)
    scores = dict.fromkeys(("attitude", "quality", "efficiency", "integrity", "overall"), 4)
    pad = rating_pad(cast(FastAPI, client.app), 5)  # window 5's rating pad
    rated = client.post("/api/v1/tickets/2/rating", json=scores, headers=pad)
    assert rated.status_code in (200, 201), rated.text
    press(hall, bus_clock, CALL)
    post(client, "/windows/5/call-next")
    press(hall, bus_clock, NO_SHOW)
    post(client, "/windows/5/no-show")
    press(hall, bus_clock, CALL)
    post(client, "/windows/5/call-next")
    press(hall, bus_clock, TRANSFER_TO_7)
    post(client, "/windows/5/start")
    post(client, "/windows/5/transfer", {"to_window": 7})
    press(hall, bus_clock, PAUSE)
    post(client, "/windows/5/pause")

    keypad_side = legs(hall, "C")
    console_side = legs(hall, "E")
    assert keypad_side == console_side
    assert keypad_side == [
        (1, 0, "finished", "done", 1, None),
        (2, 0, "no_show", None, 0, None),
        (3, 0, "finished", "transferred", 0, None),
        (3, 1, "waiting", None, 0, 7),
    ]
    assert window_state(hall, 3) == window_state(hall, 5) == "paused"
    assert ratings(hall) == [("C001", 4), ("E001", 4)]
    assert keypads.acks == 11 and hall.sims.keypads.resends == 0

    # The pause key again resumes the window (hall keypads have no resume key).
    press(hall, bus_clock, PAUSE)
    assert window_state(hall, 3) == "idle"


def test_call_then_finish_by_keypad_has_a_real_service_time(hall: Hall) -> None:
    keypads = hall.devices.keypads
    assert keypads is not None
    bus_clock = BusClock()
    keypads.clock = bus_clock
    for _ in range(3):
        post(hall.client, "/tickets", {"service": "social_security"})
    press(hall, bus_clock, CALL)  # C001 called at 09:00
    hall.clock.advance(minutes=6)
    press(hall, bus_clock, CALL)  # C001 finished at 09:06, C002 called
    with Session(hall.engine) as session:
        first = session.exec(select(Ticket).where(Ticket.code == "C001")).one()
        assert first.started_at == first.called_at  # service began at the call
        assert first.finished_at is not None and first.started_at is not None
        assert first.finished_at - first.started_at == timedelta(minutes=6)
    stats = hall.client.get("/api/v1/stats?by=service").json()["data"]
    social = next(r for r in stats if r["key"] == "social_security")
    assert social["service_mean_min"] == 6.0
    # The kiosk's promise comes from that service time, not 0 minutes: C003 waits, and a
    # new ticket has one person ahead of it (two windows serve social security).
    kiosk_tickets._ESTIMATES.clear()
    fourth = post(hall.client, "/tickets", {"service": "social_security"})
    assert fourth["ahead"] == 1
    assert fourth["estimated_wait_minutes"] == 3  # 1 ahead x 6 min / 2 windows


def test_keypad_display_follows_the_queue(hall: Hall) -> None:
    keypads = hall.devices.keypads
    assert keypads is not None
    bus_clock = BusClock()
    keypads.clock = bus_clock
    sim = hall.sims.keypads
    for _ in range(3):
        post(hall.client, "/tickets", {"service": "social_security"})
    press(hall, bus_clock, CALL)
    assert sim.wait_display(3, None, "001")  # the called number, as hall hosts show it
    press(hall, bus_clock, EVALUATE)
    assert sim.wait_display(3, "002", None)  # the citizen left: two still wait
    post(hall.client, "/windows/3/call-next")  # the console calls: the keypad shows it too
    assert sim.wait_display(3, None, "002")


def test_a_refused_press_is_not_acknowledged_and_says_why(hall: Hall) -> None:
    keypads = hall.devices.keypads
    assert keypads is not None
    bus_clock = BusClock()
    keypads.clock = bus_clock
    sim = hall.sims.keypads
    sim.ack_timeout, sim.retries = 0.5, 0
    seen = hall.devices.bus.last_id
    # Nobody waits: the call key does nothing, so the keypad gets no acknowledgement, the
    # display shows 000 waiting, and the refusal is published with the queue's reason.
    assert not sim.send_frame(bytes.fromhex(CALL))
    assert sim.acks == []
    assert sim.wait_display(3, "000", None)
    [refusal] = wait_until(lambda: hall.refused(seen, window=3))
    assert "social" in refusal["detail"] or refusal["message"]
    # A key this table does not know: no acknowledgement either.
    assert not sim.send_frame(bytes.fromhex("ff 68 03 03 68 03 01 42 46 16"))
    assert sim.acks == []
    # An evaluator score with nothing to rate: refused, not acknowledged.
    assert not sim.press(Score(103, 0, 5))
    # The same keypad works once there is someone to call.
    post(hall.client, "/tickets", {"service": "social_security"})
    sim.retries = 3
    bus_clock.now += 1
    resends, before_call = sim.resends, hall.devices.bus.last_id
    assert sim.press(KeyPress(3, "call"))
    # The call's acknowledgement, once per frame sent at most: on a slow host the keypad sends
    # again after 0.5 s, and the bridge takes that as the same press (acknowledged again, not
    # called twice); that second acknowledgement may still be on its way.
    sent = 1 + sim.resends - resends
    assert sim.acks and set(sim.acks) == {bytes.fromhex(CALL)} and len(sim.acks) <= sent
    called = wait_until(
        lambda: [
            e.data for e in hall.devices.bus.since(before_call)[0] if e.kind == "ticket.called"
        ]
    )
    assert [c["window"] for c in called] == [3]
