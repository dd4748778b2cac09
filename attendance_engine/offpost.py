"""Off post (脱岗): time a window showed `away` in working hours without registration (A3, A4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from attendance_engine.overlays import excused_intervals, subtract
from attendance_engine.results import OffPostEvent
from attendance_engine.rules import Rules
from attendance_engine.schedule import Schedule, at_offset, half_spans
from attendance_engine.types import Facts, Status


def off_post_events(
    schedule: Schedule, day: date, tz: ZoneInfo, facts: Facts, rules: Rules, now: datetime
) -> tuple[OffPostEvent, ...]:
    """Judge each away period of one staff-day, per half day.

    A period is clipped to the half's working hours and to `now` (while still away);
    approved out registrations and approved leave are cut out of it. The whole minutes
    left (seconds dropped) decide: 0 -> nothing, up to the threshold -> one `off_post`
    event, beyond it -> the half day is `absent`. A period still running inside the half
    with no more than the threshold so far is `pending`.
    """
    if not facts.away:
        return ()  # the common case: nothing to judge, skip resolving the half-day spans
    holes = excused_intervals(facts.leaves, facts.outs)
    events: list[OffPostEvent] = []
    for half, spans in half_spans(schedule).items():
        if not spans:
            continue
        half_end = at_offset(day, max(end for _, end in spans), tz)
        for period in set(facts.away):  # a repeated record is one period
            if period.staff_no is None:
                continue
            end = period.end if period.end is not None else now
            away = timedelta(0)
            for span_start, span_end in spans:
                lo = max(period.start, at_offset(day, span_start, tz))
                hi = min(end, at_offset(day, span_end, tz))
                for a, b in subtract((lo, hi), holes):
                    away += b - a
            minutes = int(away.total_seconds()) // 60
            if minutes == 0:
                continue
            if minutes > rules.off_post_absent_minutes:
                status = Status.ABSENT
            elif period.end is None and now < half_end:
                status = Status.PENDING
            else:
                status = Status.OFF_POST
            events.append(
                OffPostEvent(
                    period.window, period.staff_no, half, period.start, period.end, minutes, status
                )
            )
    events.sort(
        key=lambda e: (e.start, e.half, e.window, e.end is None, e.end or e.start, e.minutes)
    )
    return _forgive(events, rules) if rules.off_post_grace_minutes else tuple(events)


def _forgive(events: list[OffPostEvent], rules: Rules) -> tuple[OffPostEvent, ...]:
    """Turn the `off_post` events within the grace into `away` (events in time order).

    Per period: a period whose minutes in working hours (both halves together) are within
    the grace. Per day: an event while the day's away minutes so far, its own included,
    are within the grace; every minute away counts towards it, whatever its verdict.
    `absent` (over the threshold) and `pending` (still running) events are never changed.
    """
    grace = rules.off_post_grace_minutes
    if rules.off_post_grace_per == "day":
        used = 0
        forgiven = []
        for e in events:
            used += e.minutes
            forgiven.append(used <= grace)
    else:
        totals: dict[tuple[str, str, datetime, datetime | None], int] = {}
        for e in events:
            key = (e.window, e.staff_no, e.start, e.end)
            totals[key] = totals.get(key, 0) + e.minutes
        forgiven = [totals[(e.window, e.staff_no, e.start, e.end)] <= grace for e in events]
    return tuple(
        replace(e, status=Status.AWAY) if ok and e.status is Status.OFF_POST else e
        for e, ok in zip(events, forgiven, strict=True)
    )
