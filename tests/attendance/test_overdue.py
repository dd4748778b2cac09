"""A staff-day still provisional past the hall's deadline is alerted once, from the scheduler."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from attendance.ingest import store_punches
from attendance.models import Device
from attendance.overdue import deadline
from attendance.scheduler import AttendanceScheduler
from hallbase.db import write_session
from tests.helpers.attendance import DAY, TZ, Hall, alerts, at

KIND = "attendance.provisional_overdue"
NEXT = DAY + timedelta(days=1)
AFTER = DAY + timedelta(days=2)  # DAY's deadline: 24 hours after it ends, at midnight


def _overdue(hall: Hall) -> dict[str, list[str]]:
    return {a.message_id: a.payload["reasons"] for a in alerts(hall.engine, KIND)}


def _sync(hall: Hall, hhmm: str, day: object = DAY) -> None:
    """The terminal uploads everything it holds up to now (nothing new)."""
    hall.clock.set(hhmm, day)  # type: ignore[arg-type]
    with write_session(hall.engine) as session:
        store_punches(
            session, [], source="sync", now=hall.clock(), settings=hall.settings,
            synced_device="ZK1",
        )  # fmt: skip


def test_unsettled_days_are_alerted_at_their_deadline_once(hall: Hall) -> None:
    with write_session(hall.engine) as session:
        session.add(Device(serial="ZK1", protocol="zk_tcp", approved=True, last_sync=at("08:00")))
    scheduler = AttendanceScheduler(hall.settings, hall.engine, hall.clock)
    hall.clock.set("18:00")
    scheduler.tick()  # the terminal is silent since 08:00: every working day of DAY waits
    assert hall.verdict("SC001") is not None and hall.verdict("SC001").provisional  # type: ignore[union-attr]
    # SC002 asks for a make-up of the morning punch; nobody decides it.
    filed = hall.client.post(
        "/api/v1/attendance/makeups",
        json={
            "staff_no": "SC002",
            "date": DAY.isoformat(),
            "slot": "am_in",
            "reason": "指纹无法识别",
        },
    )
    assert filed.status_code == 201, filed.text
    assert deadline(DAY, TZ, 24) == at("00:00", AFTER)
    # The next day the terminal is back (all of DAY settled on its side); SC002's request waits.
    _sync(hall, "09:00", NEXT)
    scheduler.tick()
    hall.clock.set("23:59", NEXT)
    scheduler.tick()
    assert _overdue(hall) == {}  # before the deadline: nothing
    assert scheduler.next_wake(hall.clock()) <= at("00:00", AFTER)
    hall.clock.set("00:00", AFTER)
    assert scheduler.due(hall.clock())
    scheduler.tick()
    assert _overdue(hall) == {f"{KIND}:SC002:{DAY.isoformat()}": ["makeup"]}
    row = alerts(hall.engine, KIND)[0]
    assert row.severity == "warning" and row.payload["staff_no"] == "SC002"
    assert row.payload["message"] == (
        "李明 2026-03-10 的考勤超过处理期限（次日起24小时）仍未确定：补卡待审批"
    )
    hall.clock.set("08:46", AFTER)
    scheduler.tick()  # once per staff-day
    assert len(alerts(hall.engine, KIND)) == 1


def test_a_terminal_still_silent_at_the_deadline(hall: Hall) -> None:
    with write_session(hall.engine) as session:
        session.add(Device(serial="ZK1", protocol="zk_tcp", approved=True, last_sync=at("08:00")))
    scheduler = AttendanceScheduler(hall.settings, hall.engine, hall.clock)
    hall.clock.set("18:00")
    scheduler.tick()
    hall.clock.set("00:30", AFTER)
    scheduler.tick()
    # The silent terminal holds the whole hall's day: one alert for the day, not one a person.
    assert _overdue(hall) == {f"{KIND}:day:{DAY.isoformat()}": ["terminal"]}
    row = alerts(hall.engine, KIND)[0]
    working = row.payload["people"]
    assert working >= 2 and "staff_no" not in row.payload
    assert row.payload["message"].startswith(
        f"{DAY.isoformat()} 有{working}人的考勤超过处理期限（次日起24小时）仍未确定：考勤机未同步（"
    )
    assert "李明" in row.payload["message"] or "等" in row.payload["message"]
    hall.clock.set("08:46", AFTER)
    scheduler.tick()  # once per day
    assert len(alerts(hall.engine, KIND)) == 1
    with write_session(hall.engine) as session:
        device = session.exec(select(Device)).one()
        assert device.last_sync == at("08:00")  # nothing synced: the alert is true
