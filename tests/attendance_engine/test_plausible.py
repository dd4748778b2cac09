"""Punch plausibility: clock resets, future times, times before the terminal was installed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from attendance_engine.plausible import (
    Implausible,
    TerminalClock,
    implausible_time,
    plausible_span,
)

HALL = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 9, tzinfo=HALL)
INSTALLED = date(2026, 3, 2)
HERE = TerminalClock(HALL, INSTALLED)
IN_UTC = TerminalClock(ZoneInfo("UTC"), INSTALLED)
NO_DATE = TerminalClock(HALL, None)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=HALL)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("instant", "terminal", "why"),
    [
        (NOW - timedelta(hours=1), HERE, None),
        (NOW - timedelta(days=400), NO_DATE, None),
        (NOW - timedelta(days=400), None, None),  # an unknown terminal: no install date
        # The clock reset year, judged on the terminal's own clock.
        (sh(2000, 1, 1, 8, 0), HERE, Implausible.CLOCK_RESET),
        (sh(2000, 12, 31, 23, 59), None, Implausible.CLOCK_RESET),
        (sh(1999, 6, 1), NO_DATE, Implausible.CLOCK_RESET),
        (sh(2001, 1, 1, 0, 30), NO_DATE, None),
        (sh(2001, 1, 1, 0, 30), TerminalClock(ZoneInfo("UTC"), None), Implausible.CLOCK_RESET),
        # Five minutes of drift ahead are forgiven, not one second more.
        (NOW + timedelta(minutes=5), HERE, None),
        (NOW + timedelta(minutes=5, seconds=1), HERE, Implausible.FUTURE),
        (NOW + timedelta(minutes=5, seconds=1), None, Implausible.FUTURE),
        # Before the install date, in the terminal's zone.
        (sh(2026, 3, 1, 23, 59, 59), HERE, Implausible.BEFORE_INSTALL),
        (sh(2026, 3, 2, 0, 0), HERE, None),
        (sh(2026, 3, 2, 7, 0), IN_UTC, Implausible.BEFORE_INSTALL),  # 23:00 on the 1st in UTC
        (sh(2026, 3, 2, 8, 0), IN_UTC, None),
        # The checks' order: a reset clock before anything else, then the future.
        (sh(2000, 1, 1), HERE, Implausible.CLOCK_RESET),
        (NOW + timedelta(hours=1), TerminalClock(HALL, date(2026, 4, 1)), Implausible.FUTURE),
    ],
)
def test_implausible_time(
    instant: datetime, terminal: TerminalClock | None, why: Implausible | None
) -> None:
    assert implausible_time(instant, terminal, HALL, NOW) == why


def test_an_unknown_terminal_is_on_the_hall_clock() -> None:
    just_2001 = datetime(2000, 12, 31, 16, 30, tzinfo=UTC)  # 2001-01-01 00:30 in Shanghai
    assert implausible_time(just_2001, None, HALL, NOW) is None
    assert implausible_time(just_2001, None, ZoneInfo("UTC"), NOW) is Implausible.CLOCK_RESET


LAST = NOW + timedelta(minutes=4)


@pytest.mark.parametrize(
    ("first", "last", "terminals", "plausible"),
    [
        (NOW - timedelta(days=5), LAST, [HERE, None, NO_DATE], True),
        (NOW - timedelta(days=5), LAST, [], True),
        (NOW - timedelta(days=5), NOW + timedelta(minutes=6), [HERE], False),  # one in the future
        (sh(2000, 12, 31), LAST, [None], False),  # near the reset year
        (datetime(2001, 1, 2, 1, 59, tzinfo=UTC), LAST, [None], False),  # within a day of it
        (datetime(2001, 1, 2, 2, tzinfo=UTC), LAST, [None], True),
        (sh(2026, 3, 2, 12), LAST, [HERE], False),  # on the install date: zones may differ
        (sh(2026, 3, 2, 12), LAST, [NO_DATE], True),
        (sh(2026, 3, 3, 12), LAST, [HERE], True),
    ],
)
def test_plausible_span(
    first: datetime, last: datetime, terminals: list[TerminalClock | None], plausible: bool
) -> None:
    assert plausible_span(first, last, terminals, NOW) is plausible


@pytest.mark.parametrize("hours", range(-30, 31, 3))
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12", "UTC", "Asia/Kolkata"])
def test_a_plausible_span_holds_on_every_terminal_clock(hours: int, zone: str) -> None:
    terminal = TerminalClock(ZoneInfo(zone), INSTALLED)
    first = datetime.combine(INSTALLED, datetime.min.time(), tzinfo=UTC) + timedelta(hours=hours)
    if plausible_span(first, NOW, [terminal], NOW):
        assert implausible_time(first, terminal, HALL, NOW) is None
    # Well past the install date every zone agrees, and the quick check says so.
    assert plausible_span(first + timedelta(days=3), NOW, [terminal], NOW)
