"""Monthly flags (退回原单位) and escalation steps, raised the moment a punch makes them true."""

from __future__ import annotations

from datetime import date

from attendance.refresh import rederive_span
from hallbase.db import write_session
from tests.helpers.attendance import Hall, alerts

FLAG = "attendance.monthly_flag"
STEP = "attendance.escalation_step"
LATE_DAYS = [date(2026, 3, d) for d in (3, 4, 5, 6)]  # Tuesday to Friday, working days


def _ids(hall: Hall, kind: str, staff_no: str | None = None) -> list[str]:
    found = alerts(hall.engine, kind)
    return sorted(a.message_id for a in found if staff_no in (None, a.payload["staff_no"]))


def _upload(hall: Hall, day: date) -> None:
    """A whole day of SC002's, ten minutes late for 08:30: one late violation."""
    times = ("08:40", "12:01", "13:55", "17:35")  # one upload, as a terminal sends its log
    body = [{"staff_no": "SC002", "time": f"{day.isoformat()}T{hhmm}"} for hhmm in times]
    assert hall.client.post("/api/v1/punches", json=body).json()["inserted"] == len(times)


def _late_on(hall: Hall, day: date) -> None:
    hall.clock.set("18:00", day)
    _upload(hall, day)


def test_each_late_climbs_the_ladder_and_the_fourth_flags_the_month(hall: Hall) -> None:
    for n, day in enumerate(LATE_DAYS[:3], start=1):
        _late_on(hall, day)
        assert f"{STEP}:SC002:2026:late:{n}" in _ids(hall, STEP)
    assert _ids(hall, FLAG, "SC002") == []  # three events: below the threshold of four
    # The A posts beside SC002 (window 1: SC001) never punched: each day is absent (a
    # missing punch makes its half absent), and three days pass the limit of two; the
    # deductions (2 a half day) take the score below the pass mark of 90.
    assert f"{STEP}:SC001:2026:absent:3" in _ids(hall, STEP)
    assert _ids(hall, FLAG, "SC001") == [
        f"{FLAG}:SC001:2026-03:return_absent",
        f"{FLAG}:SC001:2026-03:unqualified",
    ]
    absent = next(a for a in alerts(hall.engine, FLAG) if a.message_id.endswith("return_absent"))
    assert absent.payload["count"] == 3 and absent.payload["limit"] == 2
    assert absent.payload["message"] == (
        "王芳 2026-03 旷工3天（超过2天退回原单位），已达退回原单位标准"
    )
    mine = [a for a in alerts(hall.engine, STEP) if a.payload["staff_no"] == "SC002"]
    steps = {a.payload["occurrence"]: a for a in mine}
    second = steps[2]
    assert second.payload["violation"] == "late" and second.payload["step"] == "fine_50_notice"
    assert (
        second.payload["message"]
        == "李明 2026年第2次迟到（2026-03-04），按规定：罚款50元并通报批评"
    )
    assert second.severity == "warning"
    _late_on(hall, LATE_DAYS[3])
    assert _ids(hall, FLAG, "SC002") == [f"{FLAG}:SC002:2026-03:return_events"]
    flag = next(a for a in alerts(hall.engine, FLAG) if a.payload["staff_no"] == "SC002")
    assert flag.severity == "critical" and flag.payload["staff_no"] == "SC002"
    assert flag.payload["count"] == 4 and flag.payload["limit"] == 4
    assert "迟到、早退、脱岗已4次（满4次退回原单位）" in flag.payload["message"]
    assert f"{STEP}:SC002:2026:late:4" in _ids(hall, STEP, "SC002")  # the last rung repeats
    # Once: the same facts judged again (another punch, the days re-derived) page nothing new.
    before = _ids(hall, FLAG, "SC002") + _ids(hall, STEP, "SC002")
    hall.punch("SC002", "17:36", LATE_DAYS[3])
    with write_session(hall.engine) as session:
        done = rederive_span(
            session, hall.settings, hall.clock(), staff_nos=["SC002"], first=LATE_DAYS[0]
        )
    assert done.evaluated >= len(LATE_DAYS)
    assert _ids(hall, FLAG, "SC002") + _ids(hall, STEP, "SC002") == before


def test_a_backlog_of_old_days_is_recorded_not_paged(hall: Hall) -> None:
    hall.clock.set("09:00", date(2026, 3, 10))
    for day in LATE_DAYS:  # a terminal's old log arriving days later
        _upload(hall, day)
    assert _ids(hall, STEP) == [] and _ids(hall, FLAG) == []
    # Today's late arrival is the fifth of the year: it pages its step and the month's flag.
    hall.punch("SC002", "08:45", date(2026, 3, 10))
    assert _ids(hall, STEP, "SC002") == [f"{STEP}:SC002:2026:late:5"]
    assert _ids(hall, FLAG, "SC002") == [f"{FLAG}:SC002:2026-03:return_events"]
    flag = next(a for a in alerts(hall.engine, FLAG) if a.payload["staff_no"] == "SC002")
    assert flag.payload["count"] == 5
