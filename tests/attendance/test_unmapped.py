"""Punches from a PIN enrolled before the person was entered are credited, not lost."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from attendance.unmapped import Actor, credit_assigned_pins
from hallbase.db import read_session, write_session
from hallbase.models import AlertOutbox
from tests.helpers.attendance import DAY, Hall

NEW = {"staff_no": "SC009", "name": "林新", "unit_code": "SCJ", "category": "聘用"}


def _pin_punch(hall: Hall, pin: str, when: str) -> dict[str, Any]:
    answer = hall.client.post("/api/v1/punches", json=[{"pin": pin, "time": when}])
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _slots(hall: Hall, staff_no: str) -> dict[str, str]:
    verdict = hall.verdict(staff_no)
    assert verdict is not None, f"{staff_no} was never judged"
    return {s["slot"]: s["status"] for s in verdict.result["slots"]}  # type: ignore[attr-defined]


def test_a_pin_given_through_the_api_takes_over_its_punches(hall: Hall) -> None:
    hall.clock.set("12:10")
    assert _pin_punch(hall, "9001", "2026-02-27T08:20")["unmapped"] == 1  # before the start
    for hhmm in ("08:20", "12:05"):
        assert _pin_punch(hall, "9001", f"{DAY.isoformat()}T{hhmm}")["unmapped"] == 1
    made = hall.client.post(
        "/api/v1/staff", json={**NEW, "pin": "9001", "start_date": "2026-03-01"}
    )
    assert made.status_code == 201, made.text
    slots = _slots(hall, "SC009")
    assert slots["am_in"] == "normal" and slots["am_out"] == "normal"
    # Before the start date nothing is credited; a re-upload is a duplicate of a credited punch.
    left = hall.client.get("/api/v1/punches/unmapped/pins").json()["data"]
    assert [(p["pin"], p["count"], p["staff_no"]) for p in left] == [("9001", 1, "SC009")]
    again = _pin_punch(hall, "9001", f"{DAY.isoformat()}T08:20")
    assert again["duplicates"] == 1 and again["unmapped"] == 0
    audit = hall.client.get("/api/v1/punches/assignments").json()["data"]
    assert len(audit) == 1
    assert audit[0]["pin"] == "9001" and audit[0]["staff_no"] == "SC009"
    assert audit[0]["count"] == 2 and audit[0]["via"] == "staff_api"
    assert audit[0]["credential"] == "bearer" and audit[0]["at"]  # the admin's token
    assert audit[0]["actor"] == "test-admin"


def test_a_pin_changed_on_a_staff_member_takes_over_its_punches(hall: Hall) -> None:
    hall.clock.set("09:00")
    _pin_punch(hall, "9005", f"{DAY.isoformat()}T08:25")
    assert hall.verdict("SC003") is None  # the punch was nobody's
    changed = hall.client.patch("/api/v1/staff/SC003", json={"pin": "9005"})
    assert changed.status_code == 200, changed.text
    assert _slots(hall, "SC003")["am_in"] == "normal"


def test_an_admin_assigns_a_pins_punches_explicitly(hall: Hall) -> None:
    hall.clock.set("18:00")
    for when in ("2026-03-09T08:21", "2026-03-10T08:22", "2026-03-10T12:01"):
        _pin_punch(hall, "9002", when)
    listed = hall.client.get("/api/v1/punches/unmapped/pins").json()
    assert listed["count"] == 1
    entry = listed["data"][0]
    assert (entry["pin"], entry["count"], entry["staff_no"]) == ("9002", 3, None)
    assert entry["first"].startswith("2026-03-09T08:21") and entry["last"].startswith(
        "2026-03-10T12:01"
    )
    body = {"pin": "9002", "staff_no": "BD002", "date_from": "2026-03-10",
            "date_to": "2026-03-10", "actor": "值班长 吴丽娟"}  # fmt: skip
    answer = hall.client.post("/api/v1/punches/unmapped/assign", json=body)
    assert answer.status_code == 200, answer.text
    assert answer.json()["count"] == 2 and answer.json()["actor"] == "值班长 吴丽娟"
    assert answer.json()["via"] == "api_assign"
    assert _slots(hall, "BD002")["am_in"] == "normal"
    rest = hall.client.get("/api/v1/punches/unmapped/pins").json()["data"]
    assert [(p["pin"], p["count"]) for p in rest] == [("9002", 1)]
    none_left = hall.client.post("/api/v1/punches/unmapped/assign", json=body)
    assert none_left.status_code == 404
    unknown = hall.client.post("/api/v1/punches/unmapped/assign", json={**body, "staff_no": "X"})
    assert unknown.status_code == 404


def test_crediting_can_be_switched_off(hall: Hall) -> None:
    hall.clock.set("09:00")
    _pin_punch(hall, "9003", f"{DAY.isoformat()}T08:20")
    cfg = hall.settings.hall
    off = cfg.model_copy(
        update={"attendance": cfg.attendance.model_copy(update={"credit_unmapped_punches": False})}
    )
    settings = hall.settings.model_copy()
    settings.__dict__["hall"] = off  # the cached hall file of this copy only
    with write_session(hall.engine) as session:
        assert credit_assigned_pins(session, settings, hall.clock.now, Actor("x", "cli")) == []
    made = hall.client.post("/api/v1/staff", json={**NEW, "pin": "9003"})
    assert made.status_code == 201  # the app's own settings credit (the default)
    assert _slots(hall, "SC009")["am_in"] == "normal"


def test_an_unmapped_pin_alerts_once_a_day_and_not_for_old_days(hall: Hall) -> None:
    hall.clock.set("09:00")
    _pin_punch(hall, "9007", f"{DAY.isoformat()}T08:20")
    _pin_punch(hall, "9007", f"{DAY.isoformat()}T08:40")  # the same PIN and day: no second
    _pin_punch(hall, "9008", "2026-02-27T08:20")  # a backlog from long ago: not paged
    with read_session(hall.engine) as session:
        rows = session.exec(select(AlertOutbox).where(AlertOutbox.kind == "unmapped_pin")).all()
    assert [r.message_id for r in rows] == [f"unmapped_pin:api:9007:{DAY.isoformat()}"]
    assert rows[0].payload["pin"] == "9007" and "9007" in str(rows[0].payload["message"])
