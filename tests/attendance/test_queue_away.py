"""A window's `away` from the queue (console, keypad) reaches the stored verdicts and alerts at
once, and the clock keeps judging it while the window stays away."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from attendance.scheduler import AttendanceScheduler
from tests.helpers.attendance import Hall, at


def _console(hall: Hall, action: str, window: int = 1) -> None:
    answer = hall.client.post(f"/api/v1/windows/{window}/{action}")
    assert answer.status_code == 200, answer.text


def _off_post(hall: Hall, staff_no: str) -> list[dict[str, object]]:
    verdict = hall.verdict(staff_no)
    assert verdict is not None, f"no stored verdict for {staff_no}"
    events: list[dict[str, object]] = verdict.result["off_post"]  # type: ignore[assignment]
    return events


def test_console_away_and_back_update_the_live_board_and_alert(hall: Hall) -> None:
    hall.clock.set("08:20")
    hall.punch("SC001", "08:20")
    hall.clock.set("10:00")
    _console(hall, "away")
    hall.clock.set("10:20")
    _console(hall, "back")
    # The stored verdict (the live board's) has the twenty minutes (past the 15-minute grace of
    # 暂离, under the 30 of absence), and the alert is queued.
    events = _off_post(hall, "SC001")
    assert [(e["window"], e["minutes"], e["status"]) for e in events] == [("1", 20, "off_post")]
    board = hall.client.get("/api/v1/attendance/board").json()
    mine = next(row for row in board["data"] if row["staff_no"] == "SC001")
    assert mine["status"] == "off_post"
    assert hall.alerts("attendance.off_post:") == [
        "attendance.off_post:SC001:2026-03-10:away1@100000:off_post"
    ]


def test_a_window_still_away_is_judged_on_the_clock(hall: Hall) -> None:
    scheduler = AttendanceScheduler(hall.settings, hall.engine, hall.clock)
    hall.clock.set("08:20")
    hall.punch("SC001", "08:20")
    scheduler.tick(hall.clock.set("09:00"))
    hall.clock.set("10:00")
    _console(hall, "away")
    hall.clock.set("10:20")
    # Away for 20 minutes so far: pending on the board, and the scheduler keeps ticking.
    assert scheduler.next_wake(hall.clock()) <= at("10:21")
    assert scheduler.due(hall.clock())
    scheduler.tick(hall.clock())
    assert [e["status"] for e in _off_post(hall, "SC001")] == ["pending"]
    assert hall.alerts("attendance.off_post:") == []
    # Past the 30-minute threshold, with nobody touching the window, the alert goes out.
    hall.clock.set("10:31")
    assert scheduler.due(hall.clock())
    scheduler.tick(hall.clock())
    assert [e["status"] for e in _off_post(hall, "SC001")] == ["absent"]
    assert hall.alerts("attendance.off_post:") == [
        "attendance.off_post:SC001:2026-03-10:away1@100000:absent"
    ]
    verdict = hall.verdict("SC001")
    assert verdict is not None and verdict.absent_days == 0.5


def test_a_failing_watcher_never_costs_the_window_its_state(hall: Hall) -> None:
    """A broken watcher rolls back alone: the window is away and the others still ran."""
    app = hall.client.app

    def broken(session: Session, _change: object) -> None:
        session.connection().execute(sa.text("DELETE FROM day_verdict"))
        raise RuntimeError("broken watcher")

    app.state.window_watchers.insert(0, broken)  # type: ignore[attr-defined]
    hall.clock.set("08:20")
    hall.punch("SC001", "08:20")
    hall.clock.set("10:00")
    _console(hall, "away")
    hall.clock.set("10:20")
    _console(hall, "back")
    live = hall.client.get("/api/v1/windows/1/history").json()["data"]
    assert [row["state"] for row in live[:2]] == ["idle", "away"]
    events = _off_post(hall, "SC001")
    assert [(e["minutes"], e["status"]) for e in events] == [(20, "off_post")]
