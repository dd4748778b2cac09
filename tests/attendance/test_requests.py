"""Leave with its approval chain and substitute rule, filed-after leave, make-ups, off post."""

from __future__ import annotations

from datetime import date, datetime

from attendance.scheduler import AttendanceScheduler
from tests.helpers.attendance import DAY, Hall, at
from tests.helpers.auth import as_staff


def _leave(hall: Hall, **body: object) -> dict[str, object]:
    answer = hall.client.post("/api/v1/attendance/leaves", json=body)
    assert answer.status_code == 201, answer.text
    result: dict[str, object] = answer.json()
    return result


def _as(hall: Hall, staff_no: str) -> dict[str, str]:
    """Logged in as hall member ``staff_no`` with their role (approvals are the caller's)."""
    return as_staff(hall.client.app, staff_no)


def test_half_day_leave_needs_the_window_lead(hall: Hall) -> None:
    hall.clock.set("07:30")
    leave = _leave(hall, staff_no="SC003", kind="事假", start_date="2026-03-10", start_half="am",
                   end_half="am")  # fmt: skip
    assert leave["kind"] == "personal" and leave["days"] == 0.5
    assert leave["approver_role"] == "window_lead" and leave["filed_after"] is False
    url = f"/api/v1/attendance/leaves/{leave['id']}"
    refused = hall.client.post(f"{url}/approve", headers=_as(hall, "SC002"))  # plain staff
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    approved = hall.client.post(f"{url}/approve", headers=_as(hall, "SC001"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["approved_by"] == "SC001"
    hall.clock.set("15:00")
    AttendanceScheduler(hall.settings, hall.engine, hall.clock).tick()
    verdict = hall.verdict("SC003")
    assert verdict is not None
    slots = {s["slot"]: s["status"] for s in verdict.result["slots"]}  # type: ignore[attr-defined]
    assert slots["am_in"] == "leave" and slots["am_out"] == "leave"
    assert slots["pm_in"] == "missing"  # the afternoon was not on leave
    assert hall.client.post(f"{url}/approve", headers=_as(hall, "SC001")).status_code == 409


def test_long_leave_needs_a_higher_role_and_may_be_approved_ahead(hall: Hall) -> None:
    hall.clock.set("20:00", date(2026, 3, 9))  # the evening before
    leave = _leave(hall, staff_no="SC001", kind="annual", start="2026-03-10T08:00",
                   end="2026-03-11T23:00")  # fmt: skip
    assert leave["days"] == 2.0 and leave["approver_role"] == "leader_in_charge"
    url = f"/api/v1/attendance/leaves/{leave['id']}/approve"
    assert hall.client.post(url, headers=_as(hall, "RS001")).status_code == 403  # window lead
    # The B post (SC002) will be on site when the leave starts: nothing to wait for now.
    answer = hall.client.post(url, headers=_as(hall, "ZW002"))
    assert answer.status_code == 200, answer.text
    # A director may approve what a leader in charge may (a higher role).
    other = _leave(hall, staff_no="SC003", kind="sick", start="2026-03-12T00:00",
                   end="2026-03-12T23:59", substitute="SC002")  # fmt: skip
    answer = hall.client.post(
        f"/api/v1/attendance/leaves/{other['id']}/approve", headers=_as(hall, "ZW001")
    )
    assert answer.status_code == 200, answer.text


def test_leave_of_a_director_needs_no_stand_in(hall: Hall) -> None:
    """ZW002 (leader in charge) holds no window post: A6 does not apply to them."""
    leave = _leave(hall, staff_no="ZW002", kind="personal", start_date="2026-03-11",
                   start_half="am", end_half="am")  # fmt: skip
    assert leave["days"] == 0.5 and leave["substitute"] is None
    whole = _leave(hall, staff_no="ZW001", kind="personal", start_date="2026-03-12")
    assert whole["days"] == 1.0


def test_single_person_window_needs_a_named_stand_in(hall: Hall) -> None:
    made = hall.client.post(
        "/api/v1/windows",
        json={"number": 9, "name": "9号窗口", "services": ["company_setup"],
              "a_post": "ZW002"},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    refused = hall.client.post(
        "/api/v1/attendance/leaves",
        json={"staff_no": "ZW002", "kind": "personal", "start_date": "2026-03-11"},
    )
    assert refused.status_code == 422 and "no_substitute" in refused.json()["detail"]
    assert refused.json()["code"] == "no_substitute" and "顶岗" in refused.json()["message"]["zh"]
    bad_kind = hall.client.post(
        "/api/v1/attendance/leaves",
        json={"staff_no": "ZW002", "kind": "holiday", "start_date": "2026-03-11"},
    )
    assert bad_kind.status_code == 422 and "事假" in bad_kind.json()["detail"]
    named = _leave(hall, staff_no="ZW002", kind="personal", start_date="2026-03-11",
                   substitute="ZW003")  # fmt: skip
    assert named["substitute"] == "ZW003" and named["days"] == 1.0


def test_leave_filed_afterwards_turns_missing_into_leave(hall: Hall) -> None:
    scheduler = AttendanceScheduler(hall.settings, hall.engine, hall.clock)
    hall.clock.set("09:00")
    scheduler.tick()
    missing = hall.verdict("GA002")
    assert missing is not None and (missing.status, missing.absent_days) == ("missing", 0.5)
    hall.clock.set("10:00")
    leave = _leave(hall, staff_no="GA002", kind="病假", start_date="2026-03-10", start_half="am",
                   end_half="am")  # fmt: skip
    assert leave["filed_after"] is True
    done = hall.client.post(
        f"/api/v1/attendance/leaves/{leave['id']}/approve", headers=_as(hall, "GA001")
    )
    assert done.status_code == 200, done.text
    covered = hall.verdict("GA002")
    assert covered is not None and covered.absent_days == 0
    assert covered.result["slots"][0]["status"] == "leave"  # type: ignore[index]
    assert "attendance.cleared:GA002:2026-03-10:am_in:missing" in hall.alerts()
    # 销假: closing the leave after it ended changes nothing more.
    hall.clock.set("13:00")
    closed = hall.client.post(f"/api/v1/attendance/leaves/{leave['id']}/close")
    assert closed.status_code == 200 and closed.json()["closed_at"] is not None


def test_makeup_approval_flips_missing_to_normal(hall: Hall) -> None:
    scheduler = AttendanceScheduler(hall.settings, hall.engine, hall.clock)
    hall.clock.set("08:50")
    scheduler.tick()
    before = hall.verdict("BD002")
    assert before is not None and before.result["slots"][0]["status"] == "missing"  # type: ignore[index]
    filed = hall.client.post(
        "/api/v1/attendance/makeups",
        json={"date": DAY.isoformat(), "slot": "am_in", "reason": "指纹无法识别"},
        headers=_as(hall, "BD002"),  # for themselves: the staff number is their login's
    )  # fmt: skip
    assert filed.status_code == 201, filed.text
    assert filed.json()["staff_no"] == "BD002" and filed.json()["filed_by"] == "BD002"
    ident = filed.json()["id"]
    assert datetime.fromisoformat(filed.json()["at"]) == at("08:30")  # the slot's due time
    own = hall.client.post(
        f"/api/v1/attendance/makeups/{ident}/approve", headers=_as(hall, "BD002")
    )
    assert own.status_code == 403
    hall.clock.set("09:10")
    ok = hall.client.post(f"/api/v1/attendance/makeups/{ident}/approve", headers=_as(hall, "BD001"))
    assert ok.status_code == 200
    assert ok.json()["approved_by"] == "BD001" and ok.json()["decided_at"] is not None
    after = hall.verdict("BD002")
    assert after is not None
    am_in = after.result["slots"][0]  # type: ignore[index]
    assert am_in["status"] == "normal" and am_in["source"] == "makeup"
    bad_slot = hall.client.post(
        "/api/v1/attendance/makeups", json={"staff_no": "BD002", "date": "2026-03-10", "slot": "x"}
    )
    assert bad_slot.status_code == 422 and "am_in" in bad_slot.json()["detail"]


def test_away_periods_make_off_post_and_absent(hall: Hall) -> None:
    hall.clock.set("12:30")
    for hhmm in ("08:20", "12:05"):
        hall.punch("SC001", hhmm)
        hall.punch("RS001", hhmm)
    short = hall.client.post(
        "/api/v1/attendance/away",
        json={"window": 1, "start": "2026-03-10T10:00", "end": "2026-03-10T10:20"},
    )
    assert short.status_code == 201 and short.json()["staff_no"] == "SC001"
    verdict = hall.verdict("SC001")
    assert verdict is not None and verdict.status == "off_post"
    assert any(a.startswith("attendance.off_post:SC001:2026-03-10:") for a in hall.alerts())
    # An open period grows; past 30 minutes the half day is absent.
    hall.clock.set("10:20")
    opened = hall.client.post(
        "/api/v1/attendance/away", json={"window": 3, "start": "2026-03-10T10:00"}
    )
    assert opened.status_code == 201
    pending = hall.verdict("RS001")
    assert pending is not None and pending.status == "pending"  # 20 minutes so far
    assert pending.result["off_post"][0]["status"] == "pending"  # type: ignore[index]
    hall.clock.set("11:00")
    ended = hall.client.post(
        f"/api/v1/attendance/away/{opened.json()['id']}/end", json={"end": "2026-03-10T10:45"}
    )
    assert ended.status_code == 200
    absent = hall.verdict("RS001")
    assert absent is not None and absent.status == "absent" and absent.absent_days == 0.5
    # An approved out registration covers the time away.
    out = hall.client.post(
        "/api/v1/attendance/outs",
        json={"staff_no": "RS001", "start": "2026-03-10T09:55", "end": "2026-03-10T11:00",
              "reason": "外出送达文书"},
    )  # fmt: skip
    assert out.status_code == 201
    assert (
        hall.client.post(
            f"/api/v1/attendance/outs/{out.json()['id']}/approve", headers=_as(hall, "ZW002")
        ).status_code
        == 200
    )
    excused = hall.verdict("RS001")
    assert excused is not None and excused.absent_days == 0


def test_queue_window_history_feeds_off_post(hall: Hall) -> None:
    """The queue's own window states (kiosk: queue_window_history) count like API periods."""
    import sqlalchemy as sa

    from attendance.context import load_context
    from attendance.derive import rederive
    from attendance.facts import _queue_history
    from hallbase.db import write_session

    hall.clock.set("12:30")
    for hhmm in ("08:20", "12:05"):
        hall.punch("GA001", hhmm)
    with write_session(hall.engine) as session:
        session.connection().execute(
            sa.insert(_queue_history),
            [{"window_number": 4, "state": "away", "staff_no": "GA001",
              "start": at("10:00"), "end": at("10:25")},
             {"window_number": 4, "state": "paused", "staff_no": "GA001",
              "start": at("11:00"), "end": at("11:50")}],
        )  # fmt: skip
        ctx = load_context(session, hall.settings, {2026})
        rederive(session, ctx, [("GA001", DAY)], hall.clock())
    verdict = hall.verdict("GA001")
    assert verdict is not None and verdict.status == "off_post"
    events = verdict.result["off_post"]
    assert [(e["window"], e["minutes"]) for e in events] == [("4", 25)]  # type: ignore[union-attr]
