"""Staff-days left unsettled past the hall's deadline: `attendance.provisional_overdue`.

A staff-day is settled when nothing can still change its verdict by itself: every approved
terminal has synced past it (its stored verdict is not ``provisional``, or every terminal
has synced past the day's end since it was stored) and no make-up punch, leave or out
registration for it waits for a decision (the notion that keeps a month open in
`attendance.retention`). The hall gives ``[attendance] settle_within_hours`` (default
24) from the end of the day; a working day of someone's still unsettled then is alerted once
(key: staff and date), with the reasons, by the scheduler at the deadline. Days older than
`LOOKBACK` are not looked at: a day forgotten that long is the month report's to show.

A terminal that has not synced holds the whole hall's day, not one person's: the staff-days
open for that reason alone are one alert for the day (key: ``day:<date>``, with how many
people and the first few names), so that a silent terminal does not page supervisors once per
person. Someone's own pending request is alerted for that person (with every reason).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session

from attendance.context import AttendanceContext
from attendance.derive import sync_state
from attendance.models import DayVerdict, LeaveRequest, MakeUpPunch, OutRegistration
from hallbase.alerts import Alert, raise_alerts
from hallbase.words import t

KIND = "attendance.provisional_overdue"
SEVERITY = "warning"
LOOKBACK = timedelta(days=31)
DAY = timedelta(days=1)
REASONS = ("terminal", "makeup", "leave", "out")  # in the order the message names them
PENDING = "pending"
NAMES_SHOWN = 5  # a day's alert names this many people, then "and others"

_day = DayVerdict.__table__  # type: ignore[attr-defined]
_makeup = MakeUpPunch.__table__  # type: ignore[attr-defined]
_leave = LeaveRequest.__table__  # type: ignore[attr-defined]
_out = OutRegistration.__table__  # type: ignore[attr-defined]


def deadline(day: date, zone: ZoneInfo, hours: int) -> datetime:
    """When ``day`` must be settled: ``hours`` after it ends (hall-local midnight)."""
    return datetime.combine(day + timedelta(days=1), time(0), zone) + timedelta(hours=hours)


def last_due_day(now: datetime, zone: ZoneInfo, hours: int) -> date:
    """The latest day whose deadline is at or before ``now``."""
    return (now - timedelta(hours=hours)).astimezone(zone).date() - timedelta(days=1)


def deadlines_around(now: datetime, zone: ZoneInfo, hours: int) -> tuple[datetime, datetime]:
    """The last deadline at or before ``now`` and the next one after it."""
    last = last_due_day(now, zone, hours)
    return deadline(last, zone, hours), deadline(last + timedelta(days=1), zone, hours)


def _days(first: date, last: date) -> Iterable[date]:
    return (first + timedelta(days=i) for i in range((last - first).days + 1))


def unsettled(
    session: Session, zone: ZoneInfo, first: date, last: date
) -> dict[tuple[str, date], set[str]]:
    """Working staff-days from ``first`` to ``last`` not settled, with why."""
    conn = session.connection()
    expected = {
        (s, d): p
        for s, d, p in conn.execute(
            sa.select(_day.c.staff_no, _day.c.day, _day.c.provisional).where(
                _day.c.day >= first, _day.c.day <= last, _day.c.status != "off"
            )
        )
    }
    found: dict[tuple[str, date], set[str]] = {}

    def add(pair: tuple[str, date], reason: str) -> None:
        if pair in expected:
            found.setdefault(pair, set()).add(reason)

    sync = sync_state(session)
    for pair, provisional in expected.items():
        # The stored flag is as of the day's last derivation: a terminal that synced since
        # past the day's end has settled it, whether or not the day was judged again.
        if provisional and not sync.covers(datetime.combine(pair[1] + DAY, time(0), zone)):
            add(pair, "terminal")
    makeups = conn.execute(
        sa.select(_makeup.c.staff_no, _makeup.c.day).where(
            _makeup.c.status == PENDING, _makeup.c.day >= first, _makeup.c.day <= last
        )
    )
    for staff_no, day in makeups:
        add((staff_no, day), "makeup")
    start_of = datetime.combine(first, time(0), zone)
    end_of = datetime.combine(last + timedelta(days=1), time(0), zone)
    for reason, table in (("leave", _leave), ("out", _out)):
        rows = conn.execute(
            sa.select(table.c.staff_no, table.c.start, table.c.end).where(
                table.c.status == PENDING, table.c.start < end_of, table.c.end > start_of
            )
        )
        for staff_no, start, end in rows:
            lo = max(start.astimezone(zone).date(), first)
            hi = min((end - timedelta(microseconds=1)).astimezone(zone).date(), last)
            for day in _days(lo, hi):
                add((staff_no, day), reason)
    return found


def _reasons(reasons: Iterable[str]) -> tuple[list[str], str]:
    """``reasons`` in the message's order, and as words."""
    ordered = [r for r in REASONS if r in set(reasons)]
    return ordered, t("alerts.list_separator").join(
        t(f"alerts.provisional_reason.{r}") for r in ordered
    )


def _day_alert(day: date, names: list[str], ctx: AttendanceContext, hours: int) -> Alert:
    """One alert for the people of ``day`` held open by terminals alone."""
    ordered, words = _reasons(["terminal"])
    shown = t("alerts.list_separator").join(names[:NAMES_SHOWN])
    payload = {
        "date": day.isoformat(),
        "reasons": ordered,
        "people": len(names),
        "deadline": deadline(day, ctx.tz, hours).isoformat(),
        "message": t(
            "alerts.provisional_overdue_day",
            day=day.isoformat(),
            hours=hours,
            count=len(names),
            names=shown + (t("alerts.and_more") if len(names) > NAMES_SHOWN else ""),
            reasons=words,
        ),
    }
    return Alert(KIND, f"day:{day.isoformat()}", payload, SEVERITY)


def overdue_alerts(session: Session, ctx: AttendanceContext, now: datetime, hours: int) -> int:
    """Alert every staff-day past its deadline and still unsettled (once each; the days held
    open by terminals alone once per day)."""
    last = last_due_day(now, ctx.tz, hours)
    found = unsettled(session, ctx.tz, last - LOOKBACK, last)
    alerts = []
    by_terminal: dict[date, list[str]] = {}
    for (staff_no, day), reasons in sorted(found.items()):
        person = ctx.staff.get(staff_no)
        name = person.name if person is not None else staff_no
        if reasons == {"terminal"}:
            by_terminal.setdefault(day, []).append(name)
            continue
        ordered, words = _reasons(reasons)
        payload = {
            "staff_no": staff_no,
            "name": name,
            "date": day.isoformat(),
            "reasons": ordered,
            "deadline": deadline(day, ctx.tz, hours).isoformat(),
            "message": t(
                "alerts.provisional_overdue",
                name=name,
                day=day.isoformat(),
                hours=hours,
                reasons=words,
            ),
        }
        alerts.append(Alert(KIND, f"{staff_no}:{day.isoformat()}", payload, SEVERITY))
    alerts += [_day_alert(day, names, ctx, hours) for day, names in sorted(by_terminal.items())]
    return raise_alerts(session, alerts, now)
