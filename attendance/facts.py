"""Load the stored facts of a set of staff over a date range as the engine's frozen types."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import repeat
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

import attendance_engine as eng
from attendance.models import LeaveRequest, MakeUpPunch, OutRegistration, Punch, WindowAway
from attendance_engine.types import trusted_punch
from hallbase.models.types import SQLITE_JOIN, sqlite_joined
from hallbase.models.window import WindowStateHistory

# The queue writes each window's states with their spans (a shared table): a window shown
# `away` counts like an away period entered through the API.
_queue_history = WindowStateHistory.__table__  # type: ignore[attr-defined]


def day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """From local midnight of ``first`` to local midnight after ``last``."""
    lo = datetime.combine(first, time(0), tzinfo=tz)
    hi = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    return lo, hi


HOUR = timedelta(hours=1)


@lru_cache(maxsize=64)
def _steady_offset(tz: ZoneInfo, lo: datetime, hi: datetime) -> bool:
    """Whether ``tz``'s UTC offset is the same at every hour from a day before ``lo`` to a
    day after ``hi``: hourly checks cannot miss a change and its reversal, which are days
    apart in the time zone database (four days at the least since 1900). The day's margin
    covers the repeated wall times just after a change back, which astimezone marks with
    fold=1."""
    offset = lo.utcoffset()
    t = (lo - timedelta(days=1)).astimezone(UTC)
    end = hi.astimezone(UTC) + timedelta(days=1)
    while t <= end:
        if t.astimezone(tz).utcoffset() != offset:
            return False
        t += HOUR
    return True


def local_converter(
    tz: ZoneInfo, lo: datetime, hi: datetime
) -> Callable[[Iterable[datetime]], list[datetime]]:
    """A function giving aware instants in [lo, hi) in ``tz`` exactly as astimezone does
    (``lo`` is in ``tz``).

    While the zone's offset is steady over the range, an instant's local time is ``lo``
    plus the time elapsed since it: a subtraction and an addition (which keeps ``lo``'s
    zone) cost a fifth of astimezone's conversion, and a month's report converts ~100,000.
    """
    if _steady_offset(tz, lo, hi):
        lo_utc = lo.astimezone(UTC)

        def shifted(times: Iterable[datetime]) -> list[datetime]:
            return [lo + (t - lo_utc) for t in times]

        return shifted

    def converted(times: Iterable[datetime]) -> list[datetime]:
        return list(map(datetime.astimezone, times, repeat(tz)))

    return converted


_punch = Punch.__table__  # type: ignore[attr-defined]
_PEOPLE: sa.BindParameter[list[str]] = sa.bindparam("people", expanding=True)
# Whose punches: everyone (the time range's index), or some people: one range of the
# (staff_no, device_time) index each, so that a chunk of a month's people, or an ADMS batch's
# hundreds, reads their own rows of the range and nothing else.
_WHO: dict[str, list[Any]] = {
    "all": [],
    "some": [_punch.c.staff_no.in_(_PEOPLE)],
}
_IN_RANGE = (
    _punch.c.device_time >= sa.bindparam("lo"),
    _punch.c.device_time < sa.bindparam("hi"),
    _punch.c.staff_no.is_not(None),
)


def _who(
    staff_nos: Collection[str] | None, lo: datetime, hi: datetime
) -> tuple[str, dict[str, Any]]:
    """The statement variant for ``staff_nos`` and its parameters."""
    if staff_nos is None:
        return "all", {"lo": lo, "hi": hi}
    return "some", {"lo": lo, "hi": hi, "people": sorted(staff_nos)}


_PUNCHES = {
    who: sa.select(_punch.c.staff_no, _punch.c.device_time, _punch.c.source).where(
        *_IN_RANGE, *clauses
    )
    for who, clauses in _WHO.items()
}


def punches_query(staff_nos: Collection[str] | None, lo: datetime, hi: datetime) -> sa.Select[Any]:
    """The SELECT of (staff_no, time, source) of mapped punches in [lo, hi)."""
    variant, params = _who(staff_nos, lo, hi)
    return _PUNCHES[variant].params(params)


# The same rows, one per (staff_no, source) with the times aggregated in the database: a
# month reads ~100,000 punches, and the driver's and SQLAlchemy's work per row (a tuple and
# three values) cost more than the evaluation of the punch. SQLite joins the stored texts
# (parsed by `sqlite_joined`), PostgreSQL gives an array of instants.
_AGGREGATED: dict[str, Any] = {
    "sqlite": sa.func.group_concat(_punch.c.device_time, SQLITE_JOIN, type_=sa.String()),
    "postgresql": sa.func.array_agg(
        _punch.c.device_time, type_=postgresql.ARRAY(sa.DateTime(timezone=True))
    ),
}
_GROUPED = {
    (dialect, who): sa.select(_punch.c.staff_no, _punch.c.source, times)
    .where(*_IN_RANGE, *clauses)
    .group_by(_punch.c.staff_no, _punch.c.source)
    for dialect, times in _AGGREGATED.items()
    for who, clauses in _WHO.items()
}


def _punch_groups(
    session: Session, staff_nos: Collection[str] | None, lo: datetime, hi: datetime
) -> Iterable[tuple[str, str, list[datetime]]]:
    """(staff_no, source, times) of mapped punches in [lo, hi), one entry per pair."""
    conn = session.connection()
    variant, params = _who(staff_nos, lo, hi)
    rows = conn.execute(_GROUPED[(conn.dialect.name, variant)], params).all()
    if conn.dialect.name == "sqlite":
        return [(staff_no, source, sqlite_joined(joined)) for staff_no, source, joined in rows]
    return rows


# Per database (its engine's pool, shared with the engine each read session makes): when the
# queue's table was last found missing (-1: it exists).
_known_tables: weakref.WeakKeyDictionary[sa.Pool, float] = weakref.WeakKeyDictionary()


def _queue_history_exists(session: Session) -> bool:
    """Whether the queue's history table exists; a miss is re-checked after a minute."""
    database = session.get_bind().engine.pool
    missing_since = _known_tables.get(database)
    if missing_since == -1.0:
        return True
    if missing_since is not None and monotonic() - missing_since < 60:
        return False
    found = sa.inspect(session.connection()).has_table(_queue_history.name)
    _known_tables[database] = -1.0 if found else monotonic()
    return found


def open_queue_away(session: Session) -> int:
    """How many windows show `away` in the queue right now (their periods are still open)."""
    if not _queue_history_exists(session):
        return 0
    q = _queue_history.c
    query = sa.select(sa.func.count()).where(q.state == "away", q.end.is_(None))
    return int(session.connection().execute(query).scalar_one())


def _away_rows(session: Session, lo: datetime, hi: datetime) -> list[eng.AwayPeriod]:
    t = WindowAway.__table__  # type: ignore[attr-defined]
    query = sa.select(t.c.window_number, t.c.staff_no, t.c.start, t.c.end).where(
        t.c.start < hi, sa.or_(t.c.end.is_(None), t.c.end >= lo)
    )
    conn = session.connection()
    found = [eng.AwayPeriod(str(n), s, start, end) for n, s, start, end in conn.execute(query)]
    if _queue_history_exists(session):
        q = _queue_history.c
        query = sa.select(q.window_number, q.staff_no, q.start, q.end).where(
            q.state == "away", q.start < hi, sa.or_(q.end.is_(None), q.end >= lo)
        )
        for number, staff_no, start, end in conn.execute(query):
            found.append(eng.AwayPeriod(str(number), staff_no, start, end))
    return found


@dataclass
class FactSet:
    """Facts per person: punches split by local date (a slot window never crosses midnight)."""

    punches: dict[str, dict[date, list[eng.PunchFact]]] = field(default_factory=dict)
    others: dict[str, eng.Facts] = field(default_factory=dict)

    def day(self, staff_no: str, day: date) -> eng.Facts:
        """The facts of one staff-day, ready for `evaluate_day`."""
        ((_, facts),) = self.days(staff_no, (day,))
        return facts

    def days(self, staff_no: str, days: Iterable[date]) -> list[tuple[date, eng.Facts]]:
        """Each of ``days`` with its facts, ready for `evaluate_days`: the person's entries
        are looked up once, not per day (a month report asks for ~30,000 staff-days)."""
        mine = self.punches.get(staff_no) or {}
        other = self.others.get(staff_no)
        if other is None:
            return [
                (d, eng.Facts(tuple(found), (), (), (), ()) if (found := mine.get(d)) else NO_FACTS)
                for d in days
            ]
        leaves, outs, makeups, away = other.leaves, other.outs, other.makeups, other.away
        return [(d, eng.Facts(tuple(mine.get(d, ())), leaves, outs, makeups, away)) for d in days]


NO_FACTS = eng.Facts()


def load_facts(
    session: Session,
    staff_nos: Collection[str] | None,
    first: date,
    last: date,
    tz: ZoneInfo,
) -> FactSet:
    """Every fact of ``staff_nos`` (None: everyone) touching ``first``..``last``.

    Only approved leave, out registrations and make-ups are loaded: the engine gives the
    others no effect, and leaving them out keeps the per-person tuples short.
    """
    lo, hi = day_bounds(first, last, tz)
    facts = FactSet()
    punches = facts.punches
    punch = trusted_punch
    to_local = local_converter(tz, lo, hi)
    for staff_no, source, times in _punch_groups(session, staff_nos, lo, hi):
        days = punches.get(staff_no)
        if days is None:
            days = punches[staff_no] = {}
        # In the hall's zone: the engine compares punches with local window bounds, and
        # datetimes sharing one tzinfo compare without converting.
        local = to_local(times)
        for at, day in zip(local, map(datetime.date, local), strict=True):
            found = days.get(day)
            if found is None:
                days[day] = [punch(staff_no, at, source)]
            else:
                found.append(punch(staff_no, at, source))
    # The people-entered facts of a date range are few: they are read by date only (a list
    # of hundreds of staff numbers in SQL costs more than the rows) and sorted out here.
    wanted = None if staff_nos is None else set(staff_nos)
    conn = session.connection()
    lv, out, mk = (m.__table__ for m in (LeaveRequest, OutRegistration, MakeUpPunch))  # type: ignore[union-attr]
    leaves: dict[str, list[eng.Leave]] = {}
    query = sa.select(lv.c.staff_no, lv.c.start, lv.c.end, lv.c.kind, lv.c.filed_after).where(
        lv.c.status == "approved", lv.c.start < hi, lv.c.end >= lo
    )
    for staff_no, start, end, kind, filed_after in conn.execute(query):
        if wanted is None or staff_no in wanted:
            leaves.setdefault(staff_no, []).append(
                eng.Leave(staff_no, start, end, kind, True, filed_after)
            )
    outs: dict[str, list[eng.OutRegistration]] = {}
    out_query = sa.select(out.c.staff_no, out.c.start, out.c.end).where(
        out.c.status == "approved", out.c.start < hi, out.c.end >= lo
    )
    for staff_no, start, end in conn.execute(out_query):
        if wanted is None or staff_no in wanted:
            outs.setdefault(staff_no, []).append(eng.OutRegistration(staff_no, start, end, True))
    makeups: dict[str, list[eng.MakeUp]] = {}
    makeup_query = sa.select(mk.c.staff_no, mk.c.day, mk.c.slot, mk.c.at).where(
        mk.c.status == "approved", mk.c.day >= first, mk.c.day <= last
    )
    for staff_no, day, slot, at in conn.execute(makeup_query):
        if wanted is None or staff_no in wanted:
            makeups.setdefault(staff_no, []).append(eng.MakeUp(staff_no, day, slot, at, True))
    away: dict[str, list[eng.AwayPeriod]] = {}
    for a in _away_rows(session, lo, hi):
        if a.staff_no is not None and (wanted is None or a.staff_no in wanted):
            away.setdefault(a.staff_no, []).append(a)
    for p in set(leaves) | set(outs) | set(makeups) | set(away):
        facts.others[p] = eng.Facts(
            (),
            tuple(leaves.get(p, ())),
            tuple(outs.get(p, ())),
            tuple(makeups.get(p, ())),
            tuple(away.get(p, ())),
        )
    return facts
