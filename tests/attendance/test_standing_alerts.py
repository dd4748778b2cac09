"""Monthly flags (退回原单位) and escalation steps, raised the moment a punch makes them true."""

from __future__ import annotations

from datetime import UTC, date, datetime

from attendance.refresh import rederive_span
from attendance.standing import ESCALATION_STEP_KIND, _fit, _Sent
from hallbase.alert_followup import follow_up
from hallbase.alerts import Alert, raise_alerts
from hallbase.db import write_session
from hallbase.hallconfig.alerts import AlertsSection
from tests.helpers.attendance import Hall, alerts
from tests.helpers.auth import as_staff

FLAG = "attendance.monthly_flag"
STEP = "attendance.escalation_step"
CLEARED = "attendance.cleared"
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


def _follow_ups(hall: Hall, now: datetime) -> list[str]:
    """The origins' message ids of the repeats and escalations queued at ``now``."""
    with write_session(hall.engine) as session:
        follow_up(session, AlertsSection(repeat_minutes=10, escalate_minutes=30), now)
    return sorted(
        str(a.payload["origin_message_id"])
        for kind in ("alert.repeat", "alert.escalation")
        for a in alerts(hall.engine, kind)
        if a.created_at == now
    )


def _half_day_leave(hall: Hall, day: date) -> None:
    """A morning's leave for SC002 on ``day``, filed and approved afterwards (by the lead)."""
    body = {"staff_no": "SC002", "kind": "事假", "start_date": day.isoformat(),
            "start_half": "am", "end_half": "am"}  # fmt: skip
    filed = hall.client.post("/api/v1/attendance/leaves", json=body)
    assert filed.status_code == 201, filed.text
    url = f"/api/v1/attendance/leaves/{filed.json()['id']}/approve"
    approved = hall.client.post(url, headers=as_staff(hall.client.app, "SC001"))
    assert approved.status_code == 200, approved.text


def test_leave_approved_afterwards_withdraws_the_flag_and_its_follow_up(hall: Hall) -> None:
    for day in LATE_DAYS:
        _late_on(hall, day)
    flag_id = f"{FLAG}:SC002:2026-03:return_events"
    step_id = f"{STEP}:SC002:2026:late:4"
    assert _ids(hall, FLAG, "SC002") == [flag_id] and step_id in _ids(hall, STEP, "SC002")
    # Unacknowledged and critical: the flag repeats ten minutes on.
    assert flag_id in _follow_ups(hall, hall.clock.set("18:10", LATE_DAYS[3]))
    # Leave for the fourth late morning, approved afterwards: three events, no flag.
    hall.clock.set("18:20", LATE_DAYS[3])
    _half_day_leave(hall, LATE_DAYS[3])
    cleared = {a.message_id: a for a in alerts(hall.engine, CLEARED)}
    assert f"{CLEARED}:SC002:2026-03:return_events" in cleared
    assert f"{CLEARED}:SC002:2026:late:4" in cleared  # the fourth rung is gone too
    assert f"{CLEARED}:SC002:2026:late:3" not in cleared  # the third still stands
    withdrawal = cleared[f"{CLEARED}:SC002:2026-03:return_events"]
    assert withdrawal.severity == "info" and withdrawal.payload["withdrawn_kind"] == FLAG
    assert withdrawal.payload["message"] == (
        "李明 2026-03 经更正已不再达到退回原单位标准（迟到、早退、脱岗次数），此前的提醒撤回"
    )
    # The follow-up stops: no repeat or escalation of the withdrawn flag.
    assert flag_id not in _follow_ups(hall, hall.clock.set("18:40", LATE_DAYS[3]))
    # Judged again, nothing is withdrawn twice.
    with write_session(hall.engine) as session:
        rederive_span(session, hall.settings, hall.clock(), staff_nos=["SC002"], first=LATE_DAYS[0])
    assert sorted(a.message_id for a in alerts(hall.engine, CLEARED)) == sorted(cleared)
    # A fourth late arrives again the next Monday: the flag and the rung page anew.
    monday = date(2026, 3, 9)
    _late_on(hall, monday)
    assert {flag_id, f"{flag_id}#2"} <= set(_ids(hall, FLAG, "SC002"))
    assert f"{step_id}#2" in _ids(hall, STEP, "SC002")
    again = next(a for a in alerts(hall.engine, FLAG) if a.message_id == f"{flag_id}#2")
    assert (
        again.payload["generation"] == 2 and again.payload["base"] == "SC002:2026-03:return_events"
    )
    assert f"{flag_id}#2" in _follow_ups(hall, hall.clock.set("18:10", monday))


def test_a_key_too_long_for_the_message_id_keeps_the_staff_number_first() -> None:
    staff = "S" * 20  # staff numbers may be 20 characters long
    key = f"{staff}:2026:window_uncovered:12#3"
    short = _fit(STEP, staff, key)
    assert short.startswith(f"{staff}:") and len(STEP) + 1 + len(short) == 64
    assert _fit(STEP, staff, key) == short and _fit(STEP, staff, key + "4") != short
    assert _fit(STEP, "SC002", "SC002:2026:late:4") == "SC002:2026:late:4"  # fits: as it is


def test_pages_are_read_back_for_a_post_of_many_people(hall: Hall) -> None:
    """A big ADMS post judges a thousand people or more at once: reading back what was paged
    to them must not build one query too deep for SQLite (its limit is 1,000 terms)."""
    people = [f"P{n:05d}" for n in range(1500)]
    since = datetime(2026, 1, 1, tzinfo=UTC)
    paged = [
        Alert(ESCALATION_STEP_KIND, f"{s}:2026:late:1", {"staff_no": s, "period": "2026"})
        for s in people[::100]
    ]
    with write_session(hall.engine) as session:
        raise_alerts(session, paged, datetime(2026, 3, 3, tzinfo=UTC))
    with write_session(hall.engine) as session:
        sent = _Sent(session, people, since)
    assert sorted(s for s, _kind in sent.paged) == people[::100]
