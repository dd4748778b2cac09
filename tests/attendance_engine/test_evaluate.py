"""Golden cases for slot and day evaluation (hall-rules A1-A3, A5, A10, A11)."""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import pytest

from attendance_engine import (
    Facts,
    Leave,
    MakeUp,
    OutRegistration,
    PunchFact,
    Rules,
    Schedule,
    SlotSpec,
    StaffInfo,
    Status,
    WorkCalendar,
    decision_times,
    two_punch_schedule,
)
from tests.attendance_engine.helpers import (
    HALL_Y,
    MONDAY,
    RULES,
    TZ,
    at,
    evaluate,
    punches,
    statuses,
)

ON_TIME = ("08:20", "11:45", "14:25", "18:40")


def test_a_punctual_day_is_normal_with_no_absence() -> None:
    result = evaluate(punches(MONDAY, *ON_TIME))
    assert statuses(result) == dict.fromkeys(("am_in", "am_out", "pm_in", "pm_out"), "normal")
    assert result.absent_days == 0
    assert result.status is Status.NORMAL


@pytest.mark.parametrize(
    ("punch", "status", "minutes"),
    [
        ("08:30:00", "normal", 0),
        ("08:30:59", "normal", 0),  # seconds dropped
        ("08:31:00", "late", 1),
        ("08:45:59", "late", 15),
        ("08:46:00", "absent", 16),
        ("07:00:00", "normal", 0),
    ],
)
def test_in_slot_lateness_boundaries(punch: str, status: str, minutes: int) -> None:
    slot = evaluate(punches(MONDAY, punch, "11:45", "14:25", "18:40")).slots[0]
    assert (str(slot.status), slot.minutes) == (status, minutes)
    assert slot.punch == at(MONDAY, punch)
    assert slot.source == "device"


@pytest.mark.parametrize(
    ("punch", "status", "minutes"),
    [
        ("18:30:00", "normal", 0),
        ("18:29:59", "early", 1),  # 18:29 after seconds are dropped
        ("18:15:00", "early", 15),
        ("18:14:59", "absent", 16),
        ("23:59:00", "normal", 0),
    ],
)
def test_out_slot_early_boundaries(punch: str, status: str, minutes: int) -> None:
    slot = evaluate(punches(MONDAY, "08:20", "11:45", "14:25", punch)).slots[3]
    assert (str(slot.status), slot.minutes) == (status, minutes)


def test_in_takes_the_earliest_and_out_the_latest_punch_of_the_window() -> None:
    result = evaluate(punches(MONDAY, "08:40", "08:25", "11:45", "14:25", "17:00", "18:35"))
    assert result.slots[0].punch == at(MONDAY, "08:25")
    assert result.slots[0].status is Status.NORMAL
    assert result.slots[3].punch == at(MONDAY, "18:35")
    assert result.slots[3].status is Status.NORMAL


def test_punches_outside_every_window_are_ignored() -> None:
    narrow = Schedule(
        "narrow",
        (
            SlotSpec("in", "in", time(9), "am", window_start=time(8), window_end=time(10)),
            SlotSpec("out", "out", time(17), "pm", window_start=time(16), window_end=time(19)),
        ),
    )
    result = evaluate(punches(MONDAY, "07:59", "12:00", "19:00", "19:30"), schedules=(narrow,))
    assert statuses(result) == {"in": "missing", "out": "missing"}
    assert all(s.punch is None for s in result.slots)
    assert result.absent_days == 1
    inside = evaluate(punches(MONDAY, "08:00", "18:59:59"), schedules=(narrow,))
    assert statuses(inside) == {"in": "normal", "out": "normal"}


def test_a_punch_in_the_neighbouring_window_belongs_to_that_slot() -> None:
    # 10:10 is past the am_in/am_out midpoint (10:05): it is an early am_out, not a late am_in.
    result = evaluate(punches(MONDAY, "10:10", "14:25", "18:40"))
    assert statuses(result)["am_in"] == "missing"
    assert result.slots[1].status is Status.ABSENT  # 90 minutes early
    assert result.absent_halves == ("am",)


def test_in_slot_is_pending_until_no_punch_could_be_better_than_absent() -> None:
    facts = Facts()
    assert evaluate(facts, now=at(MONDAY, "08:45:59")).slots[0].status is Status.PENDING
    assert evaluate(facts, now=at(MONDAY, "08:46:00")).slots[0].status is Status.MISSING
    assert decision_times(HALL_Y, MONDAY, TZ, RULES)[0] == at(MONDAY, "08:46")


def test_out_slot_with_an_early_punch_stays_pending_until_its_window_ends() -> None:
    facts = punches(MONDAY, "08:20", "11:45", "14:25", "18:20")
    mid = evaluate(facts, now=at(MONDAY, "18:50"))
    assert mid.slots[3].status is Status.PENDING
    assert mid.slots[3].provisional is Status.EARLY
    assert mid.slots[3].minutes == 10
    assert mid.status is Status.PENDING
    final = evaluate(facts, now=at(MONDAY + timedelta(days=1), "00:00"))
    assert final.slots[3].status is Status.EARLY


def test_out_slot_punched_at_or_after_due_is_decided_at_once() -> None:
    result = evaluate(punches(MONDAY, "08:20", "11:45", "14:25", "18:31"), now=at(MONDAY, "18:32"))
    assert result.slots[3].status is Status.NORMAL
    assert result.status is Status.NORMAL


def test_out_slot_without_punch_is_missing_only_after_its_window() -> None:
    facts = punches(MONDAY, "08:20", "11:45", "14:25")
    assert evaluate(facts, now=at(MONDAY, "23:00")).slots[3].status is Status.PENDING
    done = evaluate(facts, now=at(MONDAY + timedelta(days=1), "00:00"))
    assert done.slots[3].status is Status.MISSING
    assert done.absent_halves == ("pm",)
    assert done.absent_days == 0.5


def test_missing_can_be_a_violation_only() -> None:
    rules = Rules(missing_makes_absent=False)
    result = evaluate(punches(MONDAY, "08:20", "14:25", "18:40"), rules=rules)
    assert statuses(result)["am_out"] == "missing"
    assert result.absent_days == 0
    assert result.status is Status.MISSING


def test_absent_by_lateness_makes_the_half_day_absent() -> None:
    result = evaluate(punches(MONDAY, "08:20", "11:45", "14:50", "18:40"))
    assert result.absent_halves == ("pm",)
    assert result.absent_days == 0.5
    assert result.status is Status.ABSENT


def test_a_day_with_no_punch_is_a_whole_day_absent() -> None:
    result = evaluate(Facts())
    assert result.absent_days == 1
    assert set(statuses(result).values()) == {"missing"}


def test_forgotten_punches_show_missing_not_absent() -> None:
    # 缺卡 (a make-up can mend it), though the halves still count as absent days.
    nothing = evaluate(Facts())
    assert (nothing.status, nothing.absent_halves) == (Status.MISSING, ("am", "pm"))
    one = evaluate(punches(MONDAY, "08:20", "14:25", "18:40"))
    assert (one.status, one.absent_days) == (Status.MISSING, 0.5)
    # A slot that is itself absent (too late) makes the day absent.
    both = evaluate(punches(MONDAY, "08:20", "14:50", "18:40"))
    assert both.status is Status.ABSENT


def half_day_leave(approved: bool = True) -> Leave:
    return Leave("S001", at(MONDAY, "14:00"), at(MONDAY, "18:30"), "personal", approved)


def test_half_day_leave_covers_the_afternoon_slots() -> None:
    facts = Facts(punches=punches(MONDAY, "08:20", "11:45").punches, leaves=(half_day_leave(),))
    result = evaluate(facts)
    assert statuses(result) == {
        "am_in": "normal",
        "am_out": "normal",
        "pm_in": "leave",
        "pm_out": "leave",
    }
    assert result.absent_days == 0
    assert result.status is Status.LEAVE


def test_unapproved_leave_covers_nothing() -> None:
    facts = Facts(
        punches=punches(MONDAY, "08:20", "11:45").punches, leaves=(half_day_leave(False),)
    )
    result = evaluate(facts)
    assert statuses(result)["pm_in"] == "missing"
    assert result.absent_days == 0.5


def test_approved_out_registration_marks_the_slot_out() -> None:
    out = OutRegistration("S001", at(MONDAY, "08:00"), at(MONDAY, "10:00"), approved=True)
    facts = Facts(punches=punches(MONDAY, "11:45", "14:25", "18:40").punches, outs=(out,))
    result = evaluate(facts)
    assert statuses(result)["am_in"] == "out"
    assert result.absent_days == 0
    unapproved = Facts(
        punches=facts.punches, outs=(OutRegistration("S001", out.start, out.end, False),)
    )
    assert statuses(evaluate(unapproved))["am_in"] == "missing"


def test_approved_make_up_stands_for_the_punch() -> None:
    fix = MakeUp("S001", MONDAY, "am_in", at(MONDAY, "08:25"), approved=True)
    facts = Facts(punches=punches(MONDAY, "11:45", "14:25", "18:40").punches, makeups=(fix,))
    slot = evaluate(facts).slots[0]
    assert (slot.status, slot.source, slot.punch) == (Status.NORMAL, "makeup", at(MONDAY, "08:25"))
    pending = Facts(
        punches=facts.punches, makeups=(MakeUp("S001", MONDAY, "am_in", fix.at, False),)
    )
    assert evaluate(pending).slots[0].status is Status.MISSING
    other_day = Facts(
        punches=facts.punches, makeups=(MakeUp("S001", date(2025, 3, 11), "am_in", fix.at, True),)
    )
    assert evaluate(other_day).slots[0].status is Status.MISSING
    late_claim = MakeUp("S001", MONDAY, "am_in", at(MONDAY, "08:50"), approved=True)
    with_late_punch = Facts(
        punches=punches(MONDAY, "08:52", "11:45", "14:25", "18:40").punches, makeups=(late_claim,)
    )
    slot = evaluate(with_late_punch).slots[0]
    assert (slot.status, slot.minutes, slot.source) == (Status.NORMAL, 0, "makeup")


def test_other_peoples_punches_do_not_count() -> None:
    result = evaluate(punches(MONDAY, *ON_TIME, staff_no="S999"))
    assert result.absent_days == 1


def test_rest_days_have_no_slots() -> None:
    saturday = date(2025, 3, 15)
    result = evaluate(punches(saturday, *ON_TIME), day=saturday)
    assert (result.workday, result.slots, result.status) == (False, (), Status.OFF)


def test_a_moved_working_day_is_evaluated_and_a_holiday_override_is_not() -> None:
    sunday = date(2025, 1, 26)
    cal = WorkCalendar(moved_workdays=frozenset({sunday}), overrides={MONDAY: False})
    worked = evaluate(punches(sunday, "08:20", "11:45"), day=sunday, calendar=cal)
    assert worked.workday
    assert statuses(worked)["am_in"] == "normal"
    assert worked.absent_days == 0.5
    off = evaluate(Facts(), calendar=cal)
    assert (off.workday, off.status, off.absent_days) == (False, Status.OFF, 0)


def test_nothing_is_expected_outside_employment_or_before_go_live() -> None:
    joiner = StaffInfo("S001", "聘用", start_date=MONDAY + timedelta(days=1))
    leaver = StaffInfo("S001", "聘用", end_date=MONDAY - timedelta(days=1))
    for staff in (joiner, leaver):
        result = evaluate(Facts(), staff=staff)
        assert (result.workday, result.slots, result.status) == (True, (), Status.OFF)
    assert evaluate(Facts(), go_live=MONDAY + timedelta(days=1)).status is Status.OFF
    assert evaluate(Facts(), go_live=MONDAY).absent_days == 1


def test_two_punch_day() -> None:
    two = (two_punch_schedule(),)
    ok = evaluate(punches(MONDAY, "08:59:59", "17:00:30"), schedules=two)
    assert statuses(ok) == {"in": "normal", "out": "normal"}
    late = evaluate(punches(MONDAY, "09:20", "17:05"), schedules=two)
    assert late.absent_halves == ("am",)


def test_day_status_is_the_worst_slot() -> None:
    result = evaluate(punches(MONDAY, "08:35", "11:35", "14:25", "18:40"))
    assert statuses(result)["am_in"] == "late"
    assert statuses(result)["am_out"] == "early"
    assert result.status is Status.LATE


def test_punches_in_another_zone_are_placed_by_hall_time() -> None:
    from zoneinfo import ZoneInfo

    utc = ZoneInfo("UTC")
    facts = Facts(punches=(PunchFact("S001", at(MONDAY, "08:31").astimezone(utc)),))
    slot = evaluate(facts).slots[0]
    assert (slot.status, slot.minutes) == (Status.LATE, 1)
    assert slot.punch is not None and slot.punch.tzinfo == TZ


def test_day_result_serialises_in_the_agreed_shape() -> None:
    data = evaluate(punches(MONDAY, "08:31", "11:45", "14:25", "18:40")).to_dict()
    json.dumps(data)
    assert set(data) >= {"staff_no", "date", "workday", "slots", "absent_days", "status"}
    first = data["slots"][0]
    assert set(first) >= {"slot", "due", "punch", "status", "minutes", "source"}
    assert first["due"] == "2025-03-10T08:30:00+08:00"
    assert first["punch"] == "2025-03-10T08:31:00+08:00"
    assert (first["status"], first["minutes"], data["status"]) == ("late", 1, "late")
    assert data["date"] == "2025-03-10"


def test_naive_datetimes_are_refused() -> None:
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        PunchFact("S001", datetime(2025, 3, 10, 8, 30))
    with pytest.raises(ValueError, match="ends before it starts"):
        Leave("S001", at(MONDAY, "10:00"), at(MONDAY, "09:00"), "sick", True)
