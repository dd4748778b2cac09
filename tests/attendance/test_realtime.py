"""Real time: the scheduler decides `missing` at due + 16 min; provisional days and held alerts."""

from __future__ import annotations

from sqlmodel import select

from attendance.ingest import store_punches
from attendance.models import Device, WindowCoverVerdict
from attendance.scheduler import AttendanceScheduler
from devices.events import Punch
from hallbase.db import read_session, write_session
from tests.helpers.attendance import DAY, Hall, at
from tests.helpers.waiting import wait_until


def test_missing_becomes_a_verdict_at_due_plus_16(hall: Hall) -> None:
    scheduler = AttendanceScheduler(hall.settings, hall.engine, hall.clock)
    assert at("08:46") in scheduler.decision_instants(DAY)
    assert scheduler.next_wake(at("08:40")) == at("08:46")
    hall.clock.set("08:45")
    scheduler.tick()
    before = hall.verdict("SC003")
    assert before is not None and before.result["slots"][0]["status"] == "pending"  # type: ignore[index]
    assert hall.alerts("attendance.missing") == []
    assert not scheduler.due(at("08:45:30"))
    hall.clock.set("08:46")
    assert scheduler.due(hall.clock())
    scheduler.tick()
    after = hall.verdict("SC003")
    assert after is not None and after.status == "missing"  # 缺卡: a make-up can mend it
    assert after.absent_days == 0.5  # yet the half is absent until one does
    assert after.result["slots"][0]["status"] == "missing"  # type: ignore[index]
    assert "attendance.missing:SC003:2026-03-10:am_in:missing" in hall.alerts()
    count = len(hall.alerts())
    hall.clock.set("08:47")
    scheduler.tick()  # re-deriving never repeats an alert
    assert len(hall.alerts()) == count


def test_window_uncovered_at_the_in_slot_deadline(hall: Hall) -> None:
    """Window 2: A post SC003 and B post SC002; window 1: A SC001 with B SC002."""
    hall.clock.set("08:35")
    hall.punch("SC001", "08:20")
    scheduler = AttendanceScheduler(hall.settings, hall.engine, hall.clock)
    scheduler.tick()
    hall.clock.set("08:46")
    scheduler.tick()
    with read_session(hall.engine) as session:
        rows = session.exec(select(WindowCoverVerdict).where(WindowCoverVerdict.day == DAY)).all()
    found = {(r.window_number, r.slot, r.status) for r in rows if r.window_number <= 2}
    assert found == {(2, "am_in", "window_uncovered")}  # window 1 has its A post
    assert "attendance.window_uncovered:2:2026-03-10:am_in" in hall.alerts()
    assert not any(a.startswith("attendance.window_uncovered:1:") for a in hall.alerts())
    # B turns up late: the window is covered again and the stored cover verdict goes.
    hall.clock.set("08:50")
    hall.punch("SC002", "08:44")
    with read_session(hall.engine) as session:
        rows = session.exec(select(WindowCoverVerdict).where(WindowCoverVerdict.day == DAY)).all()
    assert not [r for r in rows if r.window_number <= 2]


def test_offline_terminal_keeps_the_day_provisional_and_holds_missing(hall: Hall) -> None:
    with write_session(hall.engine) as session:
        session.add(Device(serial="ZK1", protocol="zk_tcp", approved=True, last_sync=at("08:00")))
    scheduler = AttendanceScheduler(hall.settings, hall.engine, hall.clock)
    hall.clock.set("09:00")
    hall.punch("SC001", "08:20")
    scheduler.tick()
    verdict = hall.verdict("SC003")
    assert verdict is not None and verdict.provisional and verdict.held == 1
    assert verdict.result["slots"][0]["status"] == "missing"  # type: ignore[index]
    assert not any(a.startswith("attendance.missing:SC003") for a in hall.alerts())
    # The terminal comes back with SC003's punch: late, never missing.
    hall.clock.set("09:05")
    with write_session(hall.engine) as session:
        batch = [Punch("ZK1", "2003", at("08:44"))]
        store_punches(
            session, batch, source="zk", now=hall.clock(), settings=hall.settings,
            synced_device="ZK1",
        )  # fmt: skip
    back = hall.verdict("SC003")
    assert back is not None and back.status == "late" and back.held == 0
    assert "attendance.late:SC003:2026-03-10:am_in:late" in hall.alerts()
    assert not any(a.startswith("attendance.missing:SC003") for a in hall.alerts())
    # Someone else really was missing: once the terminal has synced past 08:46 it is sent.
    missing = hall.verdict("SC002")
    assert missing is not None and missing.held == 0
    assert "attendance.missing:SC002:2026-03-10:am_in:missing" in hall.alerts()
    # The day stays provisional until the terminal has synced past its last decision.
    assert back.provisional


def test_scheduler_thread_starts_ticks_and_stops(hall: Hall) -> None:
    hall.clock.set("08:46")
    scheduler = AttendanceScheduler(hall.settings, hall.engine, hall.clock)
    scheduler.start()
    try:
        wait_until(lambda: scheduler.ticks, timeout=20)
    finally:
        scheduler.stop()
    assert scheduler.ticks >= 1
    verdict = hall.verdict("SC003")
    assert verdict is not None and (verdict.status, verdict.absent_days) == ("missing", 0.5)
