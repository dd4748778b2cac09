"""Requests a hall can defend: stand-ins at the leave's start, no duplicates, staff's words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from attendance.scheduler import AttendanceScheduler
from hallbase.db import read_session
from hallbase.models import AlertOutbox
from hallbase.settings import REPO_CONFIG, load_settings
from hallkeeper.app import create_app
from tests.helpers.attendance import DAY, Clock, Hall, at
from tests.helpers.auth import admin_headers, as_staff

LEAVES = "/api/v1/attendance/leaves"
MAKEUPS = "/api/v1/attendance/makeups"


def _stand_in_alerts(hall: Hall) -> list[AlertOutbox]:
    with read_session(hall.engine) as session:
        query = select(AlertOutbox).where(AlertOutbox.kind == "attendance.substitute_absent")
        return list(session.exec(query).all())


def _approve(hall: Hall, ident: object, approver: str) -> None:
    headers = as_staff(hall.client.app, approver)  # the approver is the one logged in
    answer = hall.client.post(f"{LEAVES}/{ident}/approve", headers=headers)
    assert answer.status_code == 200, answer.text


def test_stand_in_absent_at_the_leave_start_raises_an_alert(hall: Hall) -> None:
    hall.clock.set("18:00", date(2026, 3, 9))
    filed = hall.client.post(
        LEAVES, json={"staff_no": "SC001", "kind": "年假", "start_date": DAY.isoformat()}
    )
    assert filed.status_code == 201, filed.text
    leave = filed.json()
    _approve(hall, leave["id"], "ZW002")  # the evening before: nobody could have punched yet
    scheduler = AttendanceScheduler(hall.settings, hall.engine, hall.clock)
    hall.clock.set("08:20")
    scheduler.tick()
    assert _stand_in_alerts(hall) == []  # the leave has not started yet
    hall.clock.set("08:50")
    scheduler.tick()
    rows = _stand_in_alerts(hall)
    assert [r.message_id for r in rows] == [f"attendance.substitute_absent:{leave['id']}:SC002"]
    assert rows[0].payload["windows"] == [1] and "空岗" in rows[0].payload["message"]
    # The approver names another stand-in, who is on site: no alert for them.
    hall.punch("RS002", "08:25")
    url = f"{LEAVES}/{leave['id']}/substitute"
    changed = hall.client.put(url, json={"substitute": "RS002"})
    assert changed.status_code == 200 and changed.json()["substitute"] == "RS002"
    hall.clock.set("09:00")
    scheduler.tick()
    assert len(_stand_in_alerts(hall)) == 1
    unknown = hall.client.put(url, json={"substitute": "NOPE"})
    assert unknown.status_code == 404


def test_stand_in_on_site_by_the_start_raises_nothing(hall: Hall) -> None:
    hall.clock.set("07:00")
    filed = hall.client.post(
        LEAVES, json={"staff_no": "SC001", "kind": "annual", "start_date": DAY.isoformat()}
    )
    _approve(hall, filed.json()["id"], "ZW002")
    scheduler = AttendanceScheduler(hall.settings, hall.engine, hall.clock)
    hall.clock.set("08:15")
    hall.punch("SC002", "08:10")
    hall.clock.set("08:50")
    scheduler.tick()
    assert _stand_in_alerts(hall) == []


def test_overlapping_leave_is_refused_in_both_languages(hall: Hall) -> None:
    first = hall.client.post(
        LEAVES, json={"staff_no": "SC003", "kind": "sick", "start_date": "2026-03-11"}
    )
    assert first.status_code == 201, first.text
    again = hall.client.post(
        LEAVES,
        json={"staff_no": "SC003", "kind": "personal", "start_date": "2026-03-11",
              "start_half": "pm"},
    )  # fmt: skip
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "leave_overlap" and f"leave {first.json()['id']}" in body["detail"]
    assert "张伟" in body["message"]["zh"] and "重叠" in body["message"]["zh"]
    assert body["message"]["en"] == body["detail"]
    # A cancelled leave no longer blocks the period.
    cancel = hall.client.post(f"{LEAVES}/{first.json()['id']}/cancel")
    assert cancel.status_code == 200
    retry = hall.client.post(
        LEAVES, json={"staff_no": "SC003", "kind": "personal", "start_date": "2026-03-11"}
    )
    assert retry.status_code == 201, retry.text
    out = {"staff_no": "SC003", "start": "2026-03-12T09:00", "end": "2026-03-12T10:00"}
    assert hall.client.post("/api/v1/attendance/outs", json=out).status_code == 201
    twice = hall.client.post("/api/v1/attendance/outs", json=out)
    assert twice.status_code == 409 and twice.json()["code"] == "out_overlap"


def test_the_same_makeup_slot_twice_is_refused(hall: Hall) -> None:
    body = {"staff_no": "BD002", "date": DAY.isoformat(), "slot": "am_in", "reason": "x"}
    assert hall.client.post(MAKEUPS, json=body).status_code == 201
    again = hall.client.post(MAKEUPS, json=body)
    assert again.status_code == 409 and again.json()["code"] == "makeup_duplicate"
    assert "上午签到" in again.json()["message"]["zh"]


def test_leave_kinds_in_the_words_staff_use(hall: Hall) -> None:
    for i, (kind, code) in enumerate(
        [("年假", "annual"), ("年休假", "annual"), ("Annual leave", "annual"),
         ("sick leave", "sick"), ("探亲假", "home_visit"), ("Bereavement leave", "bereavement")]
    ):  # fmt: skip
        day = date(2026, 3, 16 + i)
        answer = hall.client.post(
            LEAVES, json={"staff_no": "ZW001", "kind": kind, "start_date": day.isoformat()}
        )
        assert answer.status_code == 201, (kind, answer.text)
        assert answer.json()["kind"] == code


def test_makeup_time_may_be_hh_mm_on_its_date(hall: Hall) -> None:
    answer = hall.client.post(
        MAKEUPS, json={"staff_no": "BD002", "date": DAY.isoformat(), "slot": "am_in",
                       "time": "08:27"},
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert datetime.fromisoformat(answer.json()["at"]) == at("08:27")
    bad = hall.client.post(
        MAKEUPS, json={"staff_no": "BD002", "date": DAY.isoformat(), "slot": "pm_in",
                       "time": "25:99"},
    )  # fmt: skip
    assert bad.status_code == 422 and "25:99" in bad.json()["detail"]


@pytest.fixture
def limited(any_engine: Engine, tmp_path: Path) -> Iterator[Hall]:
    """The shipped hall with `makeup_monthly_limit = 3`."""
    text = REPO_CONFIG.read_text(encoding="utf-8").replace(
        "[attendance]\n", "[attendance]\nmakeup_monthly_limit = 3\n", 1
    )
    config = tmp_path / "hall.toml"
    config.write_text(text, encoding="utf-8")
    settings = load_settings(config=config, data_dir=tmp_path, database_url="", mqtt_url="")
    clock = Clock(at("07:00"))
    app = create_app(settings, engine=any_engine, clock=clock)
    yield Hall(TestClient(app, headers=admin_headers(app)), any_engine, clock, settings)


def test_monthly_makeup_limit_is_a_setting(limited: Hall, hall: Hall) -> None:
    days = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05"]
    answers = [
        limited.client.post(MAKEUPS, json={"staff_no": "BD002", "date": d, "slot": "am_in"})
        for d in days
    ]
    assert [a.status_code for a in answers] == [201, 201, 201, 409]
    assert answers[-1].json()["code"] == "makeup_limit"
    assert "每月最多3次" in answers[-1].json()["message"]["zh"]
    # A rejected make-up does not count; another month starts again.
    ident = answers[0].json()["id"]
    lead = as_staff(limited.client.app, "BD001")
    rejected = limited.client.post(f"{MAKEUPS}/{ident}/reject", headers=lead)
    assert rejected.status_code == 200
    body = {"staff_no": "BD002", "date": days[-1], "slot": "am_in"}
    assert limited.client.post(MAKEUPS, json=body).status_code == 201
    april = {"staff_no": "BD002", "date": "2026-04-01", "slot": "am_in"}
    assert limited.client.post(MAKEUPS, json=april).status_code == 201
    # Without the setting (today's behaviour) there is no limit (the same database).
    for d in days:
        ok = hall.client.post(MAKEUPS, json={"staff_no": "BD002", "date": d, "slot": "pm_in"})
        assert ok.status_code == 201
