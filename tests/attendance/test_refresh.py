"""Days without a fact get stored verdicts too: after a change of who is due at work when."""

from __future__ import annotations

from datetime import timedelta

from attendance.scheduler import AttendanceScheduler
from tests.helpers.attendance import DAY, Hall


def _board(hall: Hall, day: object) -> dict[str, dict[str, object]]:
    answer = hall.client.get("/api/v1/attendance/board", params={"day": str(day)})
    return {row["staff_no"]: row for row in answer.json()["data"]}


def test_a_newcomer_with_an_earlier_start_is_judged_on_the_past_days(hall: Hall) -> None:
    hall.clock.set("19:00")
    monday = DAY - timedelta(days=1)
    created = hall.client.post(
        "/api/v1/staff",
        json={"staff_no": "NS001", "name": "新人", "pin": "9001", "unit_code": "ZWB",
              "category": "聘用", "start_date": str(monday)},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert _board(hall, monday)["NS001"]["status"] == "missing"  # no punch: 缺卡, absent
    assert _board(hall, monday - timedelta(days=1))["NS001"]["status"] is None  # before start
    moved = hall.client.patch("/api/v1/staff/NS001", json={"start_date": str(DAY)})
    assert moved.status_code == 200
    assert _board(hall, monday)["NS001"]["status"] == "off"  # no longer due that day


def test_a_schedule_change_judges_the_past_days_again(hall: Hall) -> None:
    hall.clock.set("19:00")
    hall.punch("SC001", "08:40")  # late by 10 minutes against 08:30
    assert _board(hall, DAY)["SC001"]["slots"][0]["status"] == "late"  # type: ignore[index]
    slots = [{"name": "am_in", "due": "08:45"}, {"name": "am_out", "due": "12:00"},
             {"name": "pm_in", "due": "14:00"}, {"name": "pm_out", "due": "17:30"}]  # fmt: skip
    answer = hall.client.put("/api/v1/schedules/four_punch", json={"default": True, "slots": slots})
    assert answer.status_code == 200, answer.text
    assert _board(hall, DAY)["SC001"]["slots"][0]["status"] == "normal"  # type: ignore[index]


def test_go_live_moved_earlier_judges_the_days_it_brings_in(hall: Hall) -> None:
    hall.clock.set("19:00")
    monday = DAY - timedelta(days=1)
    assert hall.client.patch("/api/v1/hall", json={"go_live": str(DAY)}).status_code == 200
    AttendanceScheduler(hall.settings, hall.engine, hall.clock).tick()
    assert _board(hall, monday)["SC001"]["status"] in (None, "off")  # before go-live
    assert hall.client.patch("/api/v1/hall", json={"go_live": str(monday)}).status_code == 200
    assert _board(hall, monday)["SC001"]["status"] == "missing"
    assert hall.client.patch("/api/v1/hall", json={"go_live": str(DAY)}).status_code == 200
    assert _board(hall, monday)["SC001"]["status"] == "off"


def test_the_first_tick_judges_the_days_the_service_missed(hall: Hall) -> None:
    hall.clock.set("19:00")
    earlier = DAY - timedelta(days=7)  # the Tuesday before: nobody punched, nothing ran
    AttendanceScheduler(hall.settings, hall.engine, hall.clock).tick()
    assert _board(hall, earlier)["SC001"]["status"] == "missing"


def test_go_live_moved_years_back_through_the_api_is_refused_with_the_way_to_do_it(
    hall: Hall,
) -> None:
    """Judging decades of staff-days would hold the request for minutes: the hall file does it."""
    hall.clock.set("19:00")
    answer = hall.client.patch("/api/v1/hall", json={"go_live": "2000-01-01"})
    assert answer.status_code == 422
    assert "hallkeeper config apply" in answer.json()["detail"]
    assert hall.client.get("/api/v1/hall").json()["go_live"] != "2000-01-01"
    year_ago = DAY - timedelta(days=300)  # within the API's reach
    assert hall.client.patch("/api/v1/hall", json={"go_live": str(year_ago)}).status_code == 200
