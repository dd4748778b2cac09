"""Slot and day evaluation: facts in, verdicts out.

Theory of operation
-------------------
A staff-day is evaluated from scratch every time, as a pure function of
(staff, date, schedules, calendar, facts, rules, zone, now). There is no state to
carry between calls, so the service re-evaluates one staff-day when a fact for it
arrives (`affected_days` says which) and at each of the day's decision instants
(`decision_times`); a month is the same function applied to every day, so the two
paths cannot disagree.

1. Is anything expected? A non-working day (per `WorkCalendar`) has no slots; nor has
   a day before the person's start date, after the end date, or before go-live.
   Such a day's status is `off`.
2. The schedule valid on the date is picked, and each slot gets its punch window
   (midpoints between due times unless explicit). Punches are placed by their local
   wall time; a punch outside every window is ignored.
3. Each slot, in order of precedence:
   - approved leave whose closed interval contains the due instant -> `leave`;
   - an approved out registration containing it -> `out`;
   - an approved make-up (补卡) for that slot and date -> `normal`, source `makeup`:
     it certifies that the person was there and the terminal failed;
   - otherwise the candidates are the punches in the window. An in-slot takes the
     earliest, an out-slot the latest. Minutes are whole minutes with seconds dropped
     from both the punch and the due time: 0 -> `normal`, 1..threshold -> `late` or
     `early`, beyond -> `absent`.
4. When a slot is decided (the `pending` rules):
   - an in-slot with a candidate is decided at once (an earlier punch can only come
     from a delayed terminal upload, which triggers re-evaluation anyway);
   - an in-slot without one is `pending` until due + threshold + 1 minute, the first
     instant at which any punch would be `absent` (or until its window ends, if that is
     sooner); from then on it is `missing`. A punch arriving later in the window turns
     `missing` into `absent`: both make the half day absent (by default), so the half
     day's verdict never flips back. Deciding at due + threshold instead would announce
     `missing` for someone whose punch at 08:45:30 is merely `late`;
   - an out-slot whose latest candidate is at or after due is `normal` at once: later
     punches can only be later;
   - otherwise an out-slot stays `pending` until its window ends, because a later punch
     may still come; `provisional` tells what it becomes if none does (`early`,
     `absent` or `missing`).
5. Off post: see `offpost.off_post_events`. A period still running is re-judged on
   every call, so the service should also re-evaluate while a window shows `away`
   (once a minute is enough).
6. A half day is absent when one of its slots is `absent`, or `missing` with
   `missing_makes_absent`, or an off-post event in it is over the threshold.
   `absent_days` is half a day per absent half.
7. The day's status is the worst of its slot statuses and of its off-post events
   (`off_post`, or `absent` past the threshold), ranked by `results.DAY_STATUS_ORDER`.
   A half made absent by missing punches shows `missing` (缺卡: a make-up can mend it),
   not `absent`; `absent_days` counts it all the same. `away_minutes` is the day's
   unregistered time away in working hours, within the grace or not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from operator import attrgetter
from zoneinfo import ZoneInfo

from attendance_engine.calendar import WorkCalendar
from attendance_engine.dayplan import DayPlan, PlannedSlot, day_plan, slot_plan
from attendance_engine.offpost import off_post_events
from attendance_engine.overlays import approved_makeups, covering_leave, covering_out
from attendance_engine.results import DayResult, OffPostEvent, SlotResult, worst
from attendance_engine.rules import Rules
from attendance_engine.schedule import DAY, Schedule, SlotWindow, pick_schedule
from attendance_engine.types import (
    ABSENT,
    EARLY,
    LATE,
    MISSING,
    NORMAL,
    OFF,
    PENDING,
    Facts,
    PunchFact,
    StaffInfo,
    Status,
)

MINUTE = timedelta(minutes=1)


def expected_on(
    staff: StaffInfo, day: date, calendar: WorkCalendar, go_live: date | None = None
) -> bool:
    """True when ``staff`` is due at work on ``day``."""
    if go_live is not None and day < go_live:
        return False
    return calendar.is_workday(day) and staff.on_duty(day)


def _in_deadline(slot: PlannedSlot, rules: Rules) -> datetime:
    """When an in-slot without a punch becomes `missing`: no punch could be better than absent."""
    return min(slot.due_floor + (rules.late_threshold_minutes + 1) * MINUTE, slot.end)


def _judge(
    slot: PlannedSlot,
    best: PunchFact | None,
    day: date,
    tz: ZoneInfo,
    facts: Facts,
    rules: Rules,
    now: datetime,
) -> SlotResult:
    """The verdict of one planned slot whose punch (`DayPlan.place`) is ``best``."""
    name, kind, half, due = slot.name, slot.kind, slot.half, slot.due
    if facts.leaves and covering_leave(facts.leaves, due) is not None:
        return SlotResult(name, kind, half, due, None, Status.LEAVE, None, None, None)
    if facts.outs and covering_out(facts.outs, due) is not None:
        return SlotResult(name, kind, half, due, None, Status.OUT, None, None, None)
    makeups = approved_makeups(facts.makeups, day, name) if facts.makeups else []
    if makeups:
        # An approved make-up (补卡) certifies the person was on time: the terminal failed.
        at = min(m.at for m in makeups).astimezone(tz)
        return SlotResult(name, kind, half, due, at, NORMAL, 0, "makeup", None)
    return _graded((slot,), (best,), tz, rules, now)[0]


def _graded(
    slots: Sequence[PlannedSlot],
    bests: Sequence[PunchFact | None],
    tz: ZoneInfo,
    rules: Rules,
    now: datetime,
) -> tuple[SlotResult, ...]:
    """The verdicts of slots that no leave, out registration or make-up covers, given
    each slot's punch (one loop for a day's slots: this runs ~100,000 times a month)."""
    threshold = rules.late_threshold_minutes
    out = []
    for slot, best in zip(slots, bests, strict=True):
        name, kind, half, due = slot.name, slot.kind, slot.half, slot.due
        if best is None:
            if now >= (_in_deadline(slot, rules) if kind == "in" else slot.end):
                out.append(SlotResult(name, kind, half, due, None, MISSING, None, None, None))
            else:
                out.append(SlotResult(name, kind, half, due, None, PENDING, None, None, MISSING))
            continue
        at = best.at
        if at.tzinfo is not tz:
            at = at.astimezone(tz)
        # Most punches are on time, which one comparison tells (same zone: wall times): an
        # in-slot's before the minute after due, an out-slot's from the due minute on.
        if (at < slot.on_time_before) if kind == "in" else (at >= slot.due_floor):
            out.append(SlotResult(name, kind, half, due, at, NORMAL, 0, best.source, None))
            continue
        # Whole minutes with the seconds of both instants dropped: due_floor is on a minute,
        # so flooring the difference is the same as flooring the punch (same zone: wall time).
        # 0 is normal, up to the threshold late (early), beyond it absent.
        gap = at - slot.due_floor
        late = gap.days * 1440 + gap.seconds // 60  # gap // MINUTE, without the division
        minutes = (late if late > 0 else 0) if kind == "in" else (-late if late < 0 else 0)
        if minutes == 0:
            status = NORMAL
        elif minutes <= threshold:
            status = LATE if kind == "in" else EARLY
        else:
            status = ABSENT
        if kind == "in" or status is NORMAL or now >= slot.end:
            out.append(SlotResult(name, kind, half, due, at, status, minutes, best.source, None))
        else:  # an out-slot's later punch may still come
            out.append(SlotResult(name, kind, half, due, at, PENDING, minutes, best.source, status))
    return tuple(out)


def evaluate_slot(
    window: SlotWindow, day: date, tz: ZoneInfo, facts: Facts, rules: Rules, now: datetime
) -> SlotResult:
    """The verdict for one slot of one staff-day (``facts`` already for that person)."""
    plan = slot_plan(window, day, tz)
    return _judge(plan.slots[0], plan.place(facts.punches)[0], day, tz, facts, rules, now)


_STATUS = attrgetter("status")
_ABSENT = frozenset({Status.ABSENT})
_ABSENT_OR_MISSING = frozenset({Status.ABSENT, Status.MISSING})
_COUNTED = frozenset({Status.OFF_POST, Status.ABSENT})  # off-post events a day status shows


def _absent_halves(
    slots: Sequence[SlotResult], off_post: Sequence[OffPostEvent], rules: Rules
) -> tuple[str, ...]:
    bad = _ABSENT_OR_MISSING if rules.missing_makes_absent else _ABSENT
    halves = {s.half for s in slots if s.status in bad}
    if off_post:
        halves |= {e.half for e in off_post if e.status is Status.ABSENT}
    if not halves:
        return ()
    return tuple(h for h in ("am", "pm") if h in halves)


# Equal schedule tuples map to one canonical tuple (frozen dataclasses compare by value), so
# the memos below, keyed by identity, hold one entry per distinct value however often callers
# build the same schedules afresh (the service reads them for every report).
_SCHEDULE_SETS: dict[tuple[Schedule, ...], tuple[Schedule, ...]] = {}
_LAST_SET: list[tuple[Schedule, ...]] = [()]  # the latest canonical tuple: no hashing for it


def _canonical(schedules: Sequence[Schedule]) -> Sequence[Schedule]:
    """The one tuple equal to ``schedules`` that the memos know (once per call, not per day)."""
    if type(schedules) is not tuple:
        return schedules  # a mutable sequence is never memoised
    last = _LAST_SET[0]
    if schedules is last:
        return last
    found = _SCHEDULE_SETS.get(schedules)
    if found is None:
        if len(_SCHEDULE_SETS) >= 64:  # schedules change rarely: this is a hall's edits
            _SCHEDULE_SETS.clear()
        found = _SCHEDULE_SETS[schedules] = schedules
    _LAST_SET[0] = found
    return found


_Planned = tuple[Schedule, DayPlan]
_PLANNED: dict[
    tuple[int, date, tuple[str, ...], ZoneInfo], tuple[Sequence[Schedule], _Planned]
] = {}


def _planned(
    schedules: Sequence[Schedule], day: date, names: tuple[str, ...], tz: ZoneInfo
) -> _Planned:
    """`pick_schedule` and the picked schedule's `day_plan`, memoised together (one lookup
    per staff-day) when ``schedules`` is a tuple (immutable, of frozen items)."""
    if type(schedules) is not tuple or type(names) is not tuple:
        schedule = pick_schedule(schedules, day, names)
        return schedule, day_plan(schedule, day, tz)
    key = (id(schedules), day, names, tz)
    hit = _PLANNED.get(key)
    if hit is not None and hit[0] is schedules:
        return hit[1]
    schedule = pick_schedule(schedules, day, names)  # raises ScheduleError: nothing is cached
    found = schedule, day_plan(schedule, day, tz)
    if len(_PLANNED) > 20_000:
        _PLANNED.clear()
    _PLANNED[key] = (schedules, found)
    return found


def evaluate_day(
    staff: StaffInfo,
    day: date,
    *,
    schedules: Sequence[Schedule],
    calendar: WorkCalendar,
    facts: Facts,
    rules: Rules,
    tz: ZoneInfo,
    now: datetime,
    go_live: date | None = None,
) -> DayResult:
    """Evaluate one staff-day from all facts known (facts of other people are ignored)."""
    setting = (_canonical(schedules), calendar, rules, tz, now, go_live)
    return _evaluate(staff, day, facts, setting)


# What stays the same across a person's days: schedules, calendar, rules, zone, now, go-live.
_Setting = tuple[Sequence[Schedule], WorkCalendar, Rules, ZoneInfo, datetime, date | None]


def _evaluate(staff: StaffInfo, day: date, facts: Facts, setting: _Setting) -> DayResult:
    schedules, calendar, rules, tz, now, go_live = setting
    workday = calendar.is_workday(day)
    if not workday or (go_live is not None and day < go_live) or not staff.on_duty(day):
        return DayResult(staff.staff_no, day, workday, (), (), OFF, (), 0)
    schedule, plan = _planned(schedules, day, staff.schedules, tz)
    mine = facts.for_staff(staff.staff_no)
    bests = plan.place(mine.punches)
    if mine.leaves or mine.outs or mine.makeups:
        placed = zip(plan.slots, bests, strict=True)
        slots = tuple([_judge(slot, best, day, tz, mine, rules, now) for slot, best in placed])
    else:  # the common case: nothing covers any slot
        slots = _graded(plan.slots, bests, tz, rules, now)
    off_post = off_post_events(schedule, day, tz, mine, rules, now) if mine.away else ()
    status = worst(map(_STATUS, slots))
    away_minutes = 0
    # ABSENT and MISSING are the worst statuses: a day better than both has no absent slot.
    if status in _ABSENT_OR_MISSING or off_post:
        halves = _absent_halves(slots, off_post, rules)
        if off_post:
            # A half made absent by off-post time has no slot of its own: its event counts.
            status = worst([status, *(e.status for e in off_post if e.status in _COUNTED)])
            away_minutes = sum(e.minutes for e in off_post)
    else:
        halves = ()
    return DayResult(staff.staff_no, day, workday, slots, halves, status, off_post, away_minutes)


def evaluate_days(
    staff: StaffInfo,
    days: Iterable[tuple[date, Facts]],
    *,
    schedules: Sequence[Schedule],
    calendar: WorkCalendar,
    rules: Rules,
    tz: ZoneInfo,
    now: datetime,
    go_live: date | None = None,
) -> list[DayResult]:
    """`evaluate_day` for each (date, facts) of one person, in order."""
    setting = (_canonical(schedules), calendar, rules, tz, now, go_live)
    return [_evaluate(staff, day, facts, setting) for day, facts in days]


def decision_times(
    schedule: Schedule, day: date, tz: ZoneInfo, rules: Rules
) -> tuple[datetime, ...]:
    """Instants at which a slot of ``day`` can turn from `pending` to decided, in order."""
    times = set()
    for slot in day_plan(schedule, day, tz).slots:
        times.add(_in_deadline(slot, rules) if slot.kind == "in" else slot.end)
    return tuple(sorted(times))


def local_dates(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[date, ...]:
    """Every local date from the one containing ``start`` to the one containing ``end``."""
    first = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    days = []
    while first <= last:
        days.append(first)
        first += DAY
    return tuple(days)
