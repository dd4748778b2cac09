"""Schedules: named slot lists, their punch windows, seasonal validity and the defaults.

Times of day are wall-clock times in the hall's zone. Internally a time of day is a
`timedelta` since local midnight, so the last window can end at 24:00.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
MonthDay = tuple[int, int]


class ScheduleError(ValueError):
    """A schedule is unusable (slots overlap or are out of order) or none fits a date."""


@dataclass(frozen=True)
class SlotSpec:
    """One expected punch: `in` takes the earliest punch of its window, `out` the latest."""

    name: str
    kind: str  # "in" or "out"
    due: time
    half: str  # "am" or "pm"
    window_start: time | None = None
    window_end: time | None = None


@dataclass(frozen=True)
class SlotWindow:
    """A slot with its resolved punch window, as offsets from local midnight (end exclusive)."""

    spec: SlotSpec
    due: timedelta
    start: timedelta
    end: timedelta


@dataclass(frozen=True)
class Schedule:
    """A named day of slots, valid all year or from one month-day to another (may wrap)."""

    name: str
    slots: tuple[SlotSpec, ...]
    valid_from: MonthDay | None = None
    valid_to: MonthDay | None = None
    default: bool = False  # breaks the tie between several year-round schedules

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def seasonal(self) -> bool:
        """True when the schedule is valid for part of the year only."""
        return self.valid_from is not None or self.valid_to is not None

    def valid_on(self, day: date) -> bool:
        """True when ``day`` falls within the schedule's seasonal range (inclusive)."""
        start = self.valid_from or (1, 1)
        end = self.valid_to or (12, 31)
        md = (day.month, day.day)
        if start <= end:
            return start <= md <= end
        return md >= start or md <= end  # wraps over new year

    def windows(self) -> tuple[SlotWindow, ...]:
        """The slots with their punch windows resolved (once per schedule object)."""
        cached: tuple[SlotWindow, ...] | None = self.__dict__.get("_windows")
        if cached is None:
            # Frozen, so the result never changes; kept outside the fields (eq and hash ignore it).
            cached = _cached_windows(self.name, self.slots)
            self.__dict__["_windows"] = cached
        return cached


def _offset(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


def _fmt(td: timedelta) -> str:
    minutes = int(td.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def resolve_windows(name: str, slots: Sequence[SlotSpec]) -> tuple[SlotWindow, ...]:
    """Give each slot its window: explicit bounds, else midpoints between due times."""
    dues = [_offset(s.due) for s in slots]
    out = []
    for i, spec in enumerate(slots):
        if spec.window_start is not None:
            start = _offset(spec.window_start)
        else:
            start = timedelta(0) if i == 0 else (dues[i - 1] + dues[i]) / 2
        if spec.window_end is not None:
            end = _offset(spec.window_end)
        else:
            end = DAY if i == len(slots) - 1 else (dues[i] + dues[i + 1]) / 2
        out.append(SlotWindow(spec, dues[i], start, end))
    return tuple(out)


@lru_cache(maxsize=256)
def _cached_windows(name: str, slots: tuple[SlotSpec, ...]) -> tuple[SlotWindow, ...]:
    # Schedules are frozen and few: resolving once per distinct slot tuple keeps a month of
    # evaluations from re-deriving the same windows tens of thousands of times (bounded: a
    # hall edits its schedules over the years).
    return resolve_windows(name, slots)


def _check_month_day(name: str, label: str, md: MonthDay | None) -> None:
    if md is None:
        return
    try:
        date(2000, md[0], md[1])  # a leap year, so 02-29 is accepted
    except (ValueError, TypeError, IndexError) as exc:
        raise ScheduleError(f"schedule {name!r}: {label} {md!r} is not a month-day") from exc


def _validate(schedule: Schedule) -> None:
    name = schedule.name
    if not schedule.slots:
        raise ScheduleError(f"schedule {name!r} has no slots")
    _check_month_day(name, "valid_from", schedule.valid_from)
    _check_month_day(name, "valid_to", schedule.valid_to)
    seen: set[str] = set()
    for spec in schedule.slots:
        if spec.name in seen:
            raise ScheduleError(f"schedule {name!r}: slot name {spec.name!r} repeats")
        seen.add(spec.name)
        if spec.kind not in ("in", "out"):
            raise ScheduleError(f"schedule {name!r}: slot {spec.name!r} kind must be in/out")
        if spec.half not in ("am", "pm"):
            raise ScheduleError(f"schedule {name!r}: slot {spec.name!r} half must be am/pm")
    windows = resolve_windows(name, schedule.slots)
    for before, after in pairwise(windows):
        if after.due <= before.due:
            raise ScheduleError(
                f"schedule {name!r}: slot {after.spec.name!r} due {_fmt(after.due)} is not after "
                f"slot {before.spec.name!r} due {_fmt(before.due)}: out of order"
            )
        if before.spec.half == "pm" and after.spec.half == "am":
            raise ScheduleError(
                f"schedule {name!r}: am slot {after.spec.name!r} follows pm slot "
                f"{before.spec.name!r}: out of order"
            )
    for w in windows:
        if not w.start <= w.due <= w.end or w.start >= w.end:
            raise ScheduleError(
                f"schedule {name!r}: slot {w.spec.name!r} window {_fmt(w.start)}-{_fmt(w.end)} "
                f"must be non-empty and contain its due time {_fmt(w.due)}"
            )
    for before, after in pairwise(windows):
        if after.start < before.end:
            raise ScheduleError(
                f"schedule {name!r}: windows of slots {before.spec.name!r} "
                f"({_fmt(before.start)}-{_fmt(before.end)}) and {after.spec.name!r} "
                f"({_fmt(after.start)}-{_fmt(after.end)}) overlap"
            )


def pick_schedule(schedules: Sequence[Schedule], day: date, names: Sequence[str] = ()) -> Schedule:
    """The schedule valid on ``day``: a seasonal match beats a year-round one."""
    pool = [s for s in schedules if not names or s.name in names]
    seasonal = [s for s in pool if s.seasonal and s.valid_on(day)]
    if len(seasonal) == 1:
        return seasonal[0]
    if len(seasonal) > 1:
        clash = ", ".join(repr(s.name) for s in seasonal)
        raise ScheduleError(f"schedules {clash} are all valid on {day.isoformat()}: ambiguous")
    year_round = [s for s in pool if not s.seasonal]
    if len(year_round) > 1:
        year_round = [s for s in year_round if s.default] or year_round
    if len(year_round) == 1:
        return year_round[0]
    wanted = f" among {list(names)}" if names else ""
    if not year_round:
        raise ScheduleError(f"no schedule{wanted} is valid on {day.isoformat()}")
    clash = ", ".join(repr(s.name) for s in year_round)
    raise ScheduleError(f"schedules {clash} are all valid on {day.isoformat()}: mark one default")


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The start of ``day`` in the hall's zone."""
    return datetime.combine(day, time(0), tzinfo=tz)


@lru_cache(maxsize=8192)
def at_offset(day: date, offset: timedelta, tz: ZoneInfo) -> datetime:
    """The aware instant ``offset`` after local midnight of ``day`` (24:00 is next midnight)."""
    if offset >= DAY:
        return local_midnight(day + DAY * (offset // DAY), tz) + offset % DAY
    return local_midnight(day, tz) + offset


def half_spans(schedule: Schedule) -> dict[str, list[tuple[timedelta, timedelta]]]:
    """Working hours per half day: each in-slot's due to the next out-slot's due.

    A pair whose in and out fall in different halves (a two-punch day) is split at its
    midpoint, so the morning and the afternoon each get their share.
    """
    spans: dict[str, list[tuple[timedelta, timedelta]]] = {"am": [], "pm": []}
    windows = schedule.windows()
    for i, w in enumerate(windows):
        if w.spec.kind != "in":
            continue
        nxt = next((x for x in windows[i + 1 :] if x.spec.kind == "out"), None)
        if nxt is None:
            continue
        if w.spec.half == nxt.spec.half:
            spans[w.spec.half].append((w.due, nxt.due))
        else:
            mid = (w.due + nxt.due) / 2
            spans[w.spec.half].append((w.due, mid))
            spans[nxt.spec.half].append((mid, nxt.due))
    return spans


def four_punch_schedule(
    name: str = "four_punch",
    times: tuple[time, time, time, time] = (time(8, 30), time(11, 40), time(14, 30), time(18, 30)),
    valid_from: MonthDay | None = None,
    valid_to: MonthDay | None = None,
    default: bool = False,
) -> Schedule:
    """A four-punch day (一日四签到); the default times are Hall Y's."""
    am_in, am_out, pm_in, pm_out = times
    slots = (
        SlotSpec("am_in", "in", am_in, "am"),
        SlotSpec("am_out", "out", am_out, "am"),
        SlotSpec("pm_in", "in", pm_in, "pm"),
        SlotSpec("pm_out", "out", pm_out, "pm"),
    )
    return Schedule(name, slots, valid_from, valid_to, default)


def hall_y_schedule(name: str = "four_punch") -> Schedule:
    """Hall Y's year-round four-punch day: 08:30 in, 11:40 out, 14:30 in, 18:30 out."""
    return four_punch_schedule(name, default=True)


def two_punch_schedule(
    name: str = "two_punch", start: time = time(9), end: time = time(17), default: bool = False
) -> Schedule:
    """A two-punch day (上下班打卡), 09:00-17:00 by default; `in` is the am half, `out` pm."""
    slots = (SlotSpec("in", "in", start, "am"), SlotSpec("out", "out", end, "pm"))
    return Schedule(name, slots, default=default)
