"""The evaluation's fast paths agree with the rules as written, in any zone and any container."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from attendance_engine import (
    Facts,
    PunchFact,
    Rules,
    Schedule,
    ScheduleError,
    SlotResult,
    SlotSpec,
    Status,
    evaluate_day,
    four_punch_schedule,
    two_punch_schedule,
)
from attendance_engine.dayplan import PlannedSlot, day_plan, slot_plan
from attendance_engine.results import worst
from attendance_engine.types import trusted_punch
from tests.attendance_engine.helpers import CALENDAR, HALL_Y, MONDAY, STAFF, TZ, at, evaluate

BERLIN = ZoneInfo("Europe/Berlin")
DST_SUNDAY = MONDAY.replace(day=30)  # 2025-03-30: Berlin springs forward at 02:00
WINDOWED = Schedule(  # explicit windows with gaps between them
    "windowed",
    (
        SlotSpec("in", "in", time(9), "am", time(7), time(10)),
        SlotSpec("out", "out", time(17), "pm", time(16, 30), time(20)),
    ),
)


def _floored_minutes(punch: datetime, due: datetime, tz: ZoneInfo) -> int:
    """Whole wall-clock minutes from ``due`` to ``punch``, seconds dropped from both (A2)."""
    p, d = punch.astimezone(tz), due.astimezone(tz)
    wall = datetime.combine(p.date(), time(p.hour, p.minute))
    due_wall = datetime.combine(d.date(), time(d.hour, d.minute))
    return int((wall - due_wall).total_seconds()) // 60


seconds = st.integers(min_value=6 * 3600, max_value=20 * 3600 - 1)
micros = st.integers(min_value=0, max_value=999_999)
zones = st.sampled_from([TZ, UTC, ZoneInfo("Asia/Tokyo"), BERLIN])


@given(seconds, micros, zones, st.sampled_from([TZ, BERLIN]), st.booleans())
@example(9 * 3600 + 59, 999_999, TZ, TZ, False)  # the last on-time instant of the in-slot
@example(9 * 3600 + 60, 0, TZ, TZ, False)  # the first late one
@example(17 * 3600 - 1, 999_999, TZ, TZ, False)  # the last early instant of the out-slot
@example(17 * 3600, 0, TZ, TZ, False)  # the first on-time one
def test_minutes_match_the_floored_wall_clock_difference(
    second: int, micro: int, zone: ZoneInfo, hall_tz: ZoneInfo, dst_day: bool
) -> None:
    day = DST_SUNDAY if dst_day else MONDAY
    punch = datetime.combine(day, time(0), tzinfo=hall_tz) + timedelta(
        seconds=second, microseconds=micro
    )
    result = evaluate_day(
        STAFF,
        day,
        schedules=(HALL_Y,),
        calendar=type(CALENDAR)(moved_workdays=frozenset({DST_SUNDAY})),
        facts=Facts((PunchFact("S001", punch.astimezone(zone)),)),
        rules=Rules(),
        tz=hall_tz,
        now=datetime.combine(day + timedelta(days=1), time(0), tzinfo=hall_tz),
    )
    placed = [s for s in result.slots if s.punch is not None]
    assert len(placed) == 1  # every instant of the day falls in exactly one window
    slot = placed[0]
    assert slot.punch == punch and slot.punch.tzinfo is hall_tz
    gap = _floored_minutes(punch, slot.due, hall_tz)
    assert slot.minutes == max(0, gap if slot.kind == "in" else -gap)


def test_equal_instants_are_ordered_by_source() -> None:
    when = at(MONDAY, "08:20:00")
    facts = Facts(
        (
            PunchFact("S001", when, "zk"),
            PunchFact("S001", when.astimezone(UTC), "api"),
            PunchFact("S001", at(MONDAY, "17:40"), "adms"),
            PunchFact("S001", at(MONDAY, "17:40").astimezone(UTC), "zk"),
        )
    )
    result = evaluate(facts)
    assert result.slot("am_in").source == "api"  # type: ignore[union-attr]  # earliest: min
    assert result.slot("pm_out").source == "zk"  # type: ignore[union-attr]  # latest: max


def test_schedules_in_a_list_are_read_afresh_on_every_call() -> None:
    early = four_punch_schedule("four_punch", (time(8), time(12), time(14), time(17)))
    late = four_punch_schedule("four_punch", (time(9), time(12), time(14), time(17)))
    pool = [early]
    facts = Facts((PunchFact("S001", at(MONDAY, "08:40")),))

    def am_in() -> Status:
        return evaluate(facts, schedules=pool).slot("am_in").status  # type: ignore[arg-type,union-attr]

    assert am_in() is Status.ABSENT  # 40 minutes after 08:00
    pool[0] = late  # the same list object, changed: no stale answer
    assert am_in() is Status.NORMAL
    assert evaluate(facts, schedules=(late,)).slot("am_in").status is Status.NORMAL  # type: ignore[union-attr]


def test_an_ambiguous_choice_fails_every_time() -> None:
    both = (two_punch_schedule("a"), two_punch_schedule("b"))
    for _ in range(2):
        with pytest.raises(ScheduleError, match="mark one default"):
            evaluate(Facts(), schedules=both)


def test_worst_ignores_statuses_outside_the_day_order() -> None:
    assert worst([]) is Status.NORMAL
    assert worst([Status.OFF, Status.WINDOW_UNCOVERED]) is Status.NORMAL
    assert worst([Status.LEAVE, Status.LATE, Status.PENDING]) is Status.LATE
    assert worst([Status.MISSING, Status.ABSENT]) is Status.ABSENT


def test_results_stay_frozen_value_objects() -> None:
    result = evaluate(Facts((PunchFact("S001", at(MONDAY, "08:31")),)))
    slot = result.slots[0]
    with pytest.raises(AttributeError):
        slot.status = Status.NORMAL  # type: ignore[misc]
    copy = slot._replace(minutes=5)
    assert copy != slot and copy.minutes == 5 and isinstance(copy, SlotResult)
    assert hash(result) == hash(evaluate(Facts((PunchFact("S001", at(MONDAY, "08:31")),))))
    assert slot._asdict()["status"] is Status.LATE
    with pytest.raises(ValueError, match="timezone-aware"):
        PunchFact("S001", datetime(2025, 3, 10, 8, 0))


@given(st.text(max_size=5), st.datetimes(timezones=zones), st.text(max_size=5))
def test_a_trusted_punch_equals_a_checked_one(staff_no: str, when: datetime, source: str) -> None:
    fast, checked = trusted_punch(staff_no, when, source), PunchFact(staff_no, when, source)
    assert fast == checked and hash(fast) == hash(checked) and repr(fast) == repr(checked)


def _placed_by_scan(slot: PlannedSlot, punches: list[PunchFact]) -> PunchFact | None:
    """The rule as written: the earliest (at, source) in an in-slot's window, the latest out."""
    inside = [p for p in punches if slot.start <= p.at < slot.end]
    if not inside:
        return None
    pick = min if slot.kind == "in" else max
    return pick(inside, key=lambda p: (p.at, p.source))


def _key(punch: PunchFact | None) -> tuple[datetime, str] | None:
    return None if punch is None else (punch.at, punch.source)


day_seconds = st.integers(min_value=0, max_value=24 * 3600 - 1)


@given(
    st.lists(st.tuples(day_seconds, st.sampled_from(["zk", "api", "adms"]), zones), max_size=12),
    st.sampled_from([HALL_Y, two_punch_schedule(), WINDOWED]),
    st.sampled_from([TZ, BERLIN]),
    st.booleans(),
)
def test_a_day_plan_places_each_punch_as_a_scan_of_every_window_does(
    punches: list[tuple[int, str, ZoneInfo]],
    schedule: Schedule,
    hall_tz: ZoneInfo,
    dst_day: bool,
) -> None:
    day = DST_SUNDAY if dst_day else MONDAY
    midnight = datetime.combine(day, time(0), tzinfo=hall_tz)
    facts = [
        PunchFact("S001", (midnight + timedelta(seconds=s)).astimezone(zone), source)
        for s, source, zone in punches
    ]
    plan = day_plan(schedule, day, hall_tz)
    placed = plan.place(facts)
    for slot, got in zip(plan.slots, placed, strict=True):
        expected = _placed_by_scan(slot, facts)
        assert _key(got) == _key(expected)
    one = [slot_plan(w, day, hall_tz).place(facts)[0] for w in schedule.windows()]
    assert one == placed


@given(st.timedeltas())
def test_whole_minutes_from_days_and_seconds_equal_the_floor_division(gap: timedelta) -> None:
    assert gap.days * 1440 + gap.seconds // 60 == gap // timedelta(minutes=1)
