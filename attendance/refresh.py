"""Re-derive whole spans of staff-days after a change of who is due at work when.

A punch re-derives its own staff-day, and the scheduler derives today for everyone. A day
with no fact for someone gets a stored verdict only from those two, so a change that
alters which days are working days for whom (a holiday entered afterwards, a start date
moved earlier, a schedule or the go-live changed, a configuration applied, days the
service did not run) re-derives the staff-days it touches here: every day from go-live
(or the first stored verdict) to today, a month at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from attendance.context import load_context
from attendance.derive import DeriveResult, rederive
from attendance.models import DayVerdict
from hallbase.models import Hall
from hallbase.settings import Settings

CHUNK_DAYS = 31  # facts are loaded per chunk: a year of a big hall's punches at once is too many


def history_start(session: Session) -> date | None:
    """The first day stored verdicts should cover: go-live, else the first stored verdict."""
    hall = session.connection().execute(sa.select(Hall.__table__.c.go_live)).first()  # type: ignore[attr-defined]
    if hall is not None and hall[0] is not None:
        go_live: date = hall[0]
        return go_live
    return first_stored_day(session)


def first_stored_day(session: Session) -> date | None:
    """The earliest day with any stored verdict."""
    table = DayVerdict.__table__  # type: ignore[attr-defined]
    first: date | None = session.connection().execute(sa.select(sa.func.min(table.c.day))).scalar()
    return first


def last_stored_day(session: Session) -> date | None:
    """The latest day with any stored verdict."""
    table = DayVerdict.__table__  # type: ignore[attr-defined]
    last: date | None = session.connection().execute(sa.select(sa.func.max(table.c.day))).scalar()
    return last


def _add(total: DeriveResult, part: DeriveResult) -> None:
    total.evaluated += part.evaluated
    total.changed += part.changed
    total.alerts += part.alerts
    total.held += part.held


def rederive_span(
    session: Session,
    settings: Settings,
    now: datetime,
    *,
    staff_nos: Iterable[str] | None = None,
    first: date | None = None,
    last: date | None = None,
    from_go_live: bool = True,
) -> DeriveResult:
    """Re-derive ``staff_nos`` (None: everyone) on every day from ``first`` to ``last``.

    Clamped to go-live (or the first stored verdict when there is none; ``first`` None
    means from there) unless ``from_go_live`` is off, and to today: later days get their
    verdicts from the scheduler.
    """
    today = now.astimezone(settings.zone).date()
    start = history_start(session) if from_go_live or first is None else None
    lo = max(d for d in (first, start) if d is not None) if (first or start) else today
    hi = min(last, today) if last is not None else today
    done = DeriveResult()
    if lo > hi:
        return done
    ctx = load_context(session, settings, range(lo.year, hi.year + 1))
    people = sorted(ctx.staff) if staff_nos is None else sorted(set(staff_nos) & set(ctx.staff))
    day = lo
    while day <= hi and people:
        end = min(day + timedelta(days=CHUNK_DAYS - 1), hi)
        days = [day + timedelta(days=i) for i in range((end - day).days + 1)]
        _add(done, rederive(session, ctx, [(s, d) for s in people for d in days], now))
        day = end + timedelta(days=1)
    return done


def rederive_days(
    session: Session, settings: Settings, days: Iterable[date], now: datetime
) -> DeriveResult:
    """Re-derive everyone on each of ``days`` from go-live to today, a month at a time."""
    today = now.astimezone(settings.zone).date()
    start = history_start(session) or date.min
    months: dict[tuple[int, int], list[date]] = {}
    for day in sorted(set(days)):
        if start <= day <= today:
            months.setdefault((day.year, day.month), []).append(day)
    done = DeriveResult()
    if not months:
        return done
    ctx = load_context(session, settings, {year for year, _ in months})
    for found in months.values():
        _add(done, rederive(session, ctx, [(s, d) for s in ctx.staff for d in found], now))
    return done
