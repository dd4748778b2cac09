"""Punch plausibility: times a terminal's clock cannot have meant (kept aside, not judged)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

FUTURE_TOLERANCE = timedelta(minutes=5)
CLOCK_RESET_YEAR = 2000  # a power cut resets ZK terminals to 2000-01-01


@dataclass(frozen=True)
class TerminalClock:
    """What a punch's time is checked against: the terminal's zone and install date."""

    tz: ZoneInfo
    installed_on: date | None


class Implausible(StrEnum):
    """Why a punch's time cannot be right."""

    CLOCK_RESET = "clock_reset"  # in or before CLOCK_RESET_YEAR, local time
    FUTURE = "future"  # more than FUTURE_TOLERANCE after now
    BEFORE_INSTALL = "before_install"  # a local date before the terminal was installed


def implausible_time(
    instant: datetime, terminal: TerminalClock | None, hall_tz: ZoneInfo, now: datetime
) -> Implausible | None:
    """Why ``instant`` from ``terminal`` (None: unknown, the hall's zone) cannot be right,
    None when it is plausible; the checks run in the order of `Implausible`."""
    local = instant.astimezone(terminal.tz if terminal else hall_tz)
    if local.year <= CLOCK_RESET_YEAR:
        return Implausible.CLOCK_RESET
    if instant > now + FUTURE_TOLERANCE:
        return Implausible.FUTURE
    if terminal and terminal.installed_on and local.date() < terminal.installed_on:
        return Implausible.BEFORE_INSTALL
    return None


# Any zone's offset from UTC is within this, so an instant this far past a local date's
# midnight in UTC is on or after that date in every zone.
_ANY_OFFSET = timedelta(hours=26)
_AFTER_RESET = datetime(CLOCK_RESET_YEAR + 1, 1, 1, tzinfo=UTC) + _ANY_OFFSET


def plausible_span(
    first: datetime, last: datetime, terminals: Sequence[TerminalClock | None], now: datetime
) -> bool:
    """True when every punch between ``first`` and ``last`` (instants) is plausible on each
    of ``terminals``, so that `implausible_time` need not be asked per punch; False says
    nothing.
    """
    if first < _AFTER_RESET or last > now + FUTURE_TOLERANCE:
        return False
    for terminal in terminals:
        if terminal and terminal.installed_on:
            midnight = datetime.combine(terminal.installed_on, datetime.min.time(), tzinfo=UTC)
            if first < midnight + _ANY_OFFSET:
                return False
    return True
