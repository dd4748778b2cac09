"""Schedules: windows, validation that names the schedule, seasonal selection."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from attendance_engine import Schedule, ScheduleError, SlotSpec, pick_schedule, two_punch_schedule
from attendance_engine.schedule import four_punch_schedule, half_spans
from tests.attendance_engine.helpers import HALL_Y


def hm(h: int, m: int = 0) -> timedelta:
    return timedelta(hours=h, minutes=m)


def test_default_windows_split_at_midpoints_and_cover_the_day() -> None:
    spans = [(w.spec.name, w.start, w.end) for w in HALL_Y.windows()]
    assert spans == [
        ("am_in", hm(0), hm(10, 5)),
        ("am_out", hm(10, 5), hm(13, 5)),
        ("pm_in", hm(13, 5), hm(16, 30)),
        ("pm_out", hm(16, 30), hm(24)),
    ]


def test_explicit_window_overrides_the_midpoint() -> None:
    slots = (
        SlotSpec("in", "in", time(9), "am", window_start=time(7), window_end=time(10)),
        SlotSpec("out", "out", time(17), "pm", window_start=time(16)),
    )
    windows = Schedule("explicit", slots).windows()
    assert (windows[0].start, windows[0].end) == (hm(7), hm(10))
    assert (windows[1].start, windows[1].end) == (hm(16), hm(24))


def test_out_of_order_slots_are_refused_naming_the_schedule() -> None:
    slots = (
        SlotSpec("am_in", "in", time(8, 30), "am"),
        SlotSpec("am_out", "out", time(8, 0), "am"),
    )
    with pytest.raises(ScheduleError, match=r"schedule 'backwards'.*out of order"):
        Schedule("backwards", slots)


def test_overlapping_windows_are_refused_naming_the_schedule() -> None:
    slots = (
        SlotSpec("in", "in", time(9), "am", window_end=time(13)),
        SlotSpec("out", "out", time(17), "pm", window_start=time(12)),
    )
    with pytest.raises(ScheduleError, match=r"schedule 'clash'.*overlap"):
        Schedule("clash", slots)


def test_window_not_containing_due_is_refused() -> None:
    slots = (SlotSpec("in", "in", time(9), "am", window_start=time(9, 30)),)
    with pytest.raises(ScheduleError, match=r"schedule 'late_window'.*contain its due"):
        Schedule("late_window", slots)


@pytest.mark.parametrize(
    ("slots", "message"),
    [
        ((), "has no slots"),
        ((SlotSpec("a", "in", time(9), "am"), SlotSpec("a", "out", time(17), "pm")), "repeats"),
        ((SlotSpec("a", "sideways", time(9), "am"),), "kind"),
        ((SlotSpec("a", "in", time(9), "noon"),), "half"),
        ((SlotSpec("a", "in", time(9), "pm"), SlotSpec("b", "out", time(17), "am")), "order"),
    ],
)
def test_malformed_schedules_are_refused(slots: tuple[SlotSpec, ...], message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        Schedule("bad", slots)


def test_bad_month_day_is_refused() -> None:
    with pytest.raises(ScheduleError, match="valid_to"):
        Schedule("s", HALL_Y.slots, valid_from=(5, 1), valid_to=(9, 31))


SUMMER = four_punch_schedule("summer", valid_from=(5, 1), valid_to=(9, 30))
WINTER = four_punch_schedule("winter", valid_from=(10, 1), valid_to=(4, 30))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 4, 30), "winter"),
        (date(2025, 5, 1), "summer"),
        (date(2025, 9, 30), "summer"),
        (date(2025, 10, 1), "winter"),
        (date(2025, 12, 31), "winter"),
        (date(2026, 1, 1), "winter"),
    ],
)
def test_seasonal_selection_including_a_range_over_new_year(day: date, expected: str) -> None:
    assert pick_schedule([SUMMER, WINTER], day).name == expected


def test_seasonal_schedule_beats_the_year_round_default() -> None:
    default = four_punch_schedule("default", default=True)
    assert pick_schedule([default, SUMMER], date(2025, 7, 1)).name == "summer"
    assert pick_schedule([default, SUMMER], date(2025, 11, 1)).name == "default"


def test_names_restrict_the_choice() -> None:
    two = two_punch_schedule()
    default = four_punch_schedule("default", default=True)
    assert pick_schedule([default, SUMMER, two], date(2025, 7, 1), ["two_punch"]) is two


def test_no_schedule_and_ambiguous_schedules_are_errors() -> None:
    with pytest.raises(ScheduleError, match="no schedule"):
        pick_schedule([SUMMER], date(2025, 1, 5))
    other = four_punch_schedule("other_summer", valid_from=(6, 1), valid_to=(6, 30))
    with pytest.raises(ScheduleError, match="ambiguous"):
        pick_schedule([SUMMER, other], date(2025, 6, 5))
    with pytest.raises(ScheduleError, match="default"):
        pick_schedule([four_punch_schedule("a"), four_punch_schedule("b")], date(2025, 6, 5))


def test_half_spans_of_four_and_two_punch_days() -> None:
    assert half_spans(HALL_Y) == {"am": [(hm(8, 30), hm(11, 40))], "pm": [(hm(14, 30), hm(18, 30))]}
    assert half_spans(two_punch_schedule()) == {"am": [(hm(9), hm(13))], "pm": [(hm(13), hm(17))]}
