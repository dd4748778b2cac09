"""Load the stored facts of a set of staff over a date range as the engine's frozen types."""

from __future__ import annotations

import weakref
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

import attendance_engine as eng
from hallkeeper.models import LeaveRequest, MakeUpPunch, OutRegistration, Punch, WindowAway
from hallkeeper.models.types import UTCDateTime

# The queue (kiosk/models.py, WindowStateHistory) records every window state with its span.
# It is read by name so that attendance works whether or not the queue's tables exist yet.
QUEUE_HISTORY = "queue_window_history"
_queue_history = sa.table(
    QUEUE_HISTORY,
    sa.column("window_number", sa.Integer()),
    sa.column("state", sa.String()),
    sa.column("staff_no", sa.String()),
    sa.column("start", UTCDateTime()),
    sa.column("end", UTCDateTime()),
)


def day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """From local midnight of ``first`` to local midnight after ``last``."""
    lo = datetime.combine(first, time(0), tzinfo=tz)
    hi = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    return lo, hi


def _staff_filter(column: Any, staff_nos: Collection[str] | None) -> list[Any]:
    return [] if staff_nos is None else [column.in_(sorted(staff_nos))]


def load_punches(
    session: Session, staff_nos: Collection[str] | None, lo: datetime, hi: datetime
) -> list[tuple[str, datetime, str]]:
    """(staff_no, time, source) of mapped punches in [lo, hi)."""
    t = Punch.__table__  # type: ignore[attr-defined]
    query = sa.select(t.c.staff_no, t.c.device_time, t.c.source).where(
        t.c.device_time >= lo,
        t.c.device_time < hi,
        t.c.staff_no.is_not(None),
        *_staff_filter(t.c.staff_no, staff_nos),
    )
    return [(r[0], r[1], r[2]) for r in session.connection().execute(query)]


# Per engine: when the queue's table was last found missing (-1: it exists).
_known_tables: weakref.WeakKeyDictionary[sa.Engine, float] = weakref.WeakKeyDictionary()


def _queue_history_exists(session: Session) -> bool:
    """Whether the queue's history table exists; a miss is re-checked after a minute."""
    engine = session.get_bind().engine
    missing_since = _known_tables.get(engine)
    if missing_since == -1.0:
        return True
    if missing_since is not None and monotonic() - missing_since < 60:
        return False
    found = sa.inspect(session.connection()).has_table(QUEUE_HISTORY)
    _known_tables[engine] = -1.0 if found else monotonic()
    return found


def _away_rows(
    session: Session, staff_nos: Collection[str] | None, lo: datetime, hi: datetime
) -> list[eng.AwayPeriod]:
    rows = session.exec(
        select(WindowAway).where(
            col(WindowAway.start) < hi,
            sa.or_(col(WindowAway.end).is_(None), col(WindowAway.end) >= lo),
            *_staff_filter(col(WindowAway.staff_no), staff_nos),
        )
    ).all()
    found = [eng.AwayPeriod(str(r.window_number), r.staff_no, r.start, r.end) for r in rows]
    if _queue_history_exists(session):
        q = _queue_history.c
        query = sa.select(q.window_number, q.staff_no, q.start, q.end).where(
            q.state == "away",
            q.start < hi,
            sa.or_(q.end.is_(None), q.end >= lo),
            *_staff_filter(q.staff_no, staff_nos),
        )
        for number, staff_no, start, end in session.connection().execute(query):
            found.append(eng.AwayPeriod(str(number), staff_no, start, end))
    return found


@dataclass
class FactSet:
    """Facts per person: punches split by local date (a slot window never crosses midnight)."""

    punches: dict[str, dict[date, list[eng.PunchFact]]] = field(default_factory=dict)
    others: dict[str, eng.Facts] = field(default_factory=dict)

    def day(self, staff_no: str, day: date) -> eng.Facts:
        """The facts of one staff-day, ready for `evaluate_day`."""
        mine = tuple(self.punches.get(staff_no, {}).get(day, ()))
        other = self.others.get(staff_no)
        if other is None:
            return eng.Facts(mine)
        return eng.Facts(mine, other.leaves, other.outs, other.makeups, other.away)


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
    for staff_no, at, source in load_punches(session, staff_nos, lo, hi):
        # In the hall's zone: the engine compares punches with local window bounds, and
        # datetimes sharing one tzinfo compare without converting.
        local = at.astimezone(tz)
        facts.punches.setdefault(staff_no, {}).setdefault(local.date(), []).append(
            eng.PunchFact(staff_no, local, source)
        )
    leaves: dict[str, list[eng.Leave]] = {}
    for lv in session.exec(
        select(LeaveRequest).where(
            col(LeaveRequest.status) == "approved",
            col(LeaveRequest.start) < hi,
            col(LeaveRequest.end) >= lo,
            *_staff_filter(col(LeaveRequest.staff_no), staff_nos),
        )
    ).all():
        leaves.setdefault(lv.staff_no, []).append(
            eng.Leave(lv.staff_no, lv.start, lv.end, lv.kind, True, lv.filed_after)
        )
    outs: dict[str, list[eng.OutRegistration]] = {}
    for o in session.exec(
        select(OutRegistration).where(
            col(OutRegistration.status) == "approved",
            col(OutRegistration.start) < hi,
            col(OutRegistration.end) >= lo,
            *_staff_filter(col(OutRegistration.staff_no), staff_nos),
        )
    ).all():
        outs.setdefault(o.staff_no, []).append(
            eng.OutRegistration(o.staff_no, o.start, o.end, True)
        )
    makeups: dict[str, list[eng.MakeUp]] = {}
    for m in session.exec(
        select(MakeUpPunch).where(
            col(MakeUpPunch.status) == "approved",
            col(MakeUpPunch.day) >= first,
            col(MakeUpPunch.day) <= last,
            *_staff_filter(col(MakeUpPunch.staff_no), staff_nos),
        )
    ).all():
        makeups.setdefault(m.staff_no, []).append(eng.MakeUp(m.staff_no, m.day, m.slot, m.at, True))
    away: dict[str, list[eng.AwayPeriod]] = {}
    for a in _away_rows(session, staff_nos, lo, hi):
        if a.staff_no is not None:
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
