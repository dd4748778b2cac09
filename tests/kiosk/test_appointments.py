"""Appointments: capacity, check-in by code or ID number (stored only hashed), served at
the slot."""

from __future__ import annotations

from datetime import datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from kiosk.idcard import check_digit
from tests.helpers.auth import add_account, api_token
from tests.helpers.queue import SHANGHAI, Clock, act, take
from tests.kiosk.snapshot import snapshot

ID_NUMBER = "11010519491231002" + check_digit("11010519491231002")


def _slot(client: TestClient, hour: int, capacity: int = 2) -> dict[str, object]:
    body = {
        "service": "social_security",
        "start": datetime(2026, 11, 23, hour, 0, tzinfo=SHANGHAI).isoformat(),
        "end": datetime(2026, 11, 23, hour, 30, tzinfo=SHANGHAI).isoformat(),
        "capacity": capacity,
    }
    response = client.post("/api/v1/appointment-slots", json=body)
    assert response.status_code == 201, response.text
    out: dict[str, object] = response.json()
    return out


def test_full_slot_refused_and_capacity_admin(app: FastAPI, client: TestClient) -> None:
    slot = _slot(client, 10, capacity=1)
    assert slot["free"] == 1 and slot["day"] == "2026-11-23"
    booked = client.post("/api/v1/appointments", json={"slot_id": slot["id"], "booked_by": "phone"})
    assert booked.status_code == 201 and len(booked.json()["code"]) == 16
    before = snapshot(app.state.engine)
    full = client.post("/api/v1/appointments", json={"slot_id": slot["id"]})
    assert full.status_code == 409 and "is full (1 places)" in full.json()["detail"]
    assert snapshot(app.state.engine) == before
    missing = client.post("/api/v1/appointments", json={"slot_id": 999})
    assert missing.status_code == 404
    assert (
        client.patch(f"/api/v1/appointment-slots/{slot['id']}", json={"capacity": 0}).status_code
        == 409
    )
    assert (
        client.patch(f"/api/v1/appointment-slots/{slot['id']}", json={"capacity": 3}).json()["free"]
        == 2
    )
    listed = client.get("/api/v1/appointment-slots?service=social_security").json()
    assert listed["count"] == 1 and listed["data"][0]["booked"] == 1
    clash = client.post(
        "/api/v1/appointment-slots",
        json={
            "service": "social_security",
            "start": slot["start"],
            "end": slot["end"],
            "capacity": 1,
        },
    )
    assert clash.status_code == 409


def test_slot_capacity_needs_an_admin(
    app: FastAPI, client: TestClient, anonymous: TestClient
) -> None:
    body = {
        "service": "consult",
        "start": "2026-11-23T10:00+08:00",
        "end": "2026-11-23T10:30+08:00",
        "capacity": 1,
    }
    assert anonymous.post("/api/v1/appointment-slots", json=body).status_code == 401
    add_account(app, "sup", "supervisor")
    sup = {"Authorization": f"Bearer {api_token(app, 'sup')}"}
    assert anonymous.post("/api/v1/appointment-slots", json=body, headers=sup).status_code == 403
    assert client.post("/api/v1/appointment-slots", json=body).status_code == 201
    # window actions too need a person of the window or its keypad bridge
    assert anonymous.post("/api/v1/windows/8/pause").status_code == 401


def test_appointment_served_first_at_slot_time(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    slot = _slot(client, 10)
    by_code = client.post(
        "/api/v1/appointments", json={"slot_id": slot["id"], "name": "张三"}
    ).json()
    by_id = client.post(
        "/api/v1/appointments", json={"slot_id": slot["id"], "id_number": ID_NUMBER}
    ).json()
    assert "id_hash" not in by_id and "id_salt" not in by_id
    first = take(client, "social_security")
    clock.set_local(9, 30)
    ticket = client.post("/api/v1/appointments/check-in", json={"code": by_code["code"]}).json()
    assert ticket["channel"] == "appointment" and ticket["code"] == "C002"
    again = client.post("/api/v1/appointments/check-in", json={"code": by_code["code"]})
    assert again.status_code == 409 and "checked_in" in again.json()["detail"]
    # Before its slot an appointment waits like anyone else.
    assert act(client, 3, "call-next")["id"] == first["id"]
    act(client, 3, "no-show")
    take(client, "social_security")
    clock.set_local(10, 0)
    assert act(client, 3, "call-next")["id"] == ticket["id"]
    act(client, 3, "no-show")

    wrong = client.post("/api/v1/appointments/check-in", json={"id_number": ID_NUMBER[:-1] + "0"})
    assert wrong.status_code in (404, 422)
    badsum = client.post("/api/v1/appointments/check-in", json={"id_number": "123"})
    assert badsum.status_code == 422 and "17 digits" in badsum.json()["detail"]
    second = client.post("/api/v1/appointments/check-in", json={"id_number": ID_NUMBER.lower()})
    assert second.status_code == 201 and second.json()["appointment_id"] == by_id["id"]
    with app.state.engine.connect() as conn:
        stored = conn.execute(text("SELECT * FROM queue_appointment")).all()
    assert ID_NUMBER not in repr(stored) and ID_NUMBER[:17] not in repr(stored)


def test_late_and_other_day_check_in_refused(client: TestClient, clock: Clock) -> None:
    slot = _slot(client, 10)
    code = client.post("/api/v1/appointments", json={"slot_id": slot["id"]}).json()["code"]
    clock.set_local(11, 1)
    late = client.post("/api/v1/appointments/check-in", json={"code": code})
    assert late.status_code == 409 and "take a regular ticket" in late.json()["detail"]
    clock.set_local(9, 0, day=24)
    other = client.post("/api/v1/appointments/check-in", json={"code": code})
    assert other.status_code == 409 and "is for 2026-11-23" in other.json()["detail"]
    cancelled = client.post(f"/api/v1/appointments/{code}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    listed = client.get("/api/v1/appointment-slots?day=2026-11-23").json()["data"][0]
    assert listed["booked"] == 0
    assert client.post("/api/v1/appointments/check-in", json={}).status_code == 422
