"""Punches from a PIN nobody had yet, credited once the PIN is given to someone.

A terminal keeps a PIN enrolled before the person is entered here; its punches are stored
with no staff number. When the PIN is assigned (API, hall file, staff import) they are
credited to that person from their start date on and the days judged again; an admin can
also credit a PIN's punches explicitly (optionally a date range). Each crediting is kept in
`punch_assignment` with who did it, when and what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from attendance.common import context
from attendance.derive import rederive
from attendance.models import Punch, PunchAssignment
from hallbase.models import Staff
from hallbase.settings import Settings


@dataclass(frozen=True)
class Actor:
    """Who credits punches: the path, the credential used and a name (may be empty)."""

    via: str  # api_assign, staff_api, hall_file, staff_import
    credential: str  # session or bearer (the caller's login), cli
    name: str = ""


def unmapped_pins(session: Session, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Each PIN with unmapped punches: how many, the first and last (hall-local), its owner."""
    t = Punch.__table__  # type: ignore[attr-defined]
    query = (
        sa.select(t.c.pin, sa.func.count(), sa.func.min(t.c.device_time),
                  sa.func.max(t.c.device_time))
        .where(t.c.staff_no.is_(None))
        .group_by(t.c.pin)
        .order_by(t.c.pin)
    )  # fmt: skip
    owners = {s.pin: s.staff_no for s in session.exec(select(Staff)).all()}
    return [
        {
            "pin": pin,
            "count": count,
            "first": first.astimezone(tz).isoformat(),
            "last": last.astimezone(tz).isoformat(),
            "staff_no": owners.get(pin),
        }
        for pin, count, first, last in session.connection().execute(query)
    ]


def _midnight(day: date, settings: Settings) -> datetime:
    return datetime.combine(day, time(0), tzinfo=settings.zone)


def credit_pin(
    session: Session,
    settings: Settings,
    *,
    pin: str,
    staff_no: str,
    now: datetime,
    actor: Actor,
    date_from: date | None = None,
    date_to: date | None = None,
) -> PunchAssignment | None:
    """Credit ``pin``'s unmapped punches in the range to ``staff_no``; judge those days again.

    Without ``date_from`` the range starts at the person's start date. None: nothing to credit.
    """
    person = session.exec(select(Staff).where(Staff.staff_no == staff_no)).first()
    if person is None:
        raise ValueError(f"unknown staff_no {staff_no!r}")
    first_day = date_from or person.start_date
    t = Punch.__table__  # type: ignore[attr-defined]
    where = [t.c.pin == pin, t.c.staff_no.is_(None)]
    if first_day is not None:
        where.append(t.c.device_time >= _midnight(first_day, settings))
    if date_to is not None:
        where.append(t.c.device_time < _midnight(date_to + timedelta(days=1), settings))
    conn = session.connection()
    ids_times = conn.execute(sa.select(t.c.id, t.c.device_time).where(*where)).all()
    if not ids_times:
        return None
    ids = [i for i, _ in ids_times]
    for start in range(0, len(ids), 500):
        conn.execute(
            sa.update(t).where(t.c.id.in_(ids[start : start + 500])).values(staff_no=staff_no)
        )
    times = sorted(at for _, at in ids_times)
    row = PunchAssignment(
        pin=pin, staff_no=staff_no, count=len(ids), date_from=date_from, date_to=date_to,
        first_punch=times[0], last_punch=times[-1], via=actor.via,
        credential=actor.credential, actor=actor.name, at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    today = now.astimezone(settings.zone).date()
    days = sorted({at.astimezone(settings.zone).date() for at in times} - {None})
    days = [d for d in days if d <= today]
    if days:
        ctx = context(session, settings, days)
        rederive(session, ctx, [(staff_no, d) for d in days], now)
    return row


def credit_assigned_pins(
    session: Session, settings: Settings, now: datetime, actor: Actor
) -> list[PunchAssignment]:
    """Credit every unmapped punch whose PIN a staff member now holds (after a PIN is given).

    Off when the hall sets `[attendance] credit_unmapped_punches = false`.
    """
    if not settings.hall.attendance.credit_unmapped_punches:
        return []
    t = Punch.__table__  # type: ignore[attr-defined]
    pins = {
        p
        for (p,) in session.connection().execute(
            sa.select(t.c.pin).where(t.c.staff_no.is_(None)).distinct()
        )
    }
    if not pins:
        return []
    owners = session.exec(select(Staff).where(col(Staff.pin).in_(sorted(pins)))).all()
    done = []
    for person in sorted(owners, key=lambda s: s.pin):
        row = credit_pin(
            session, settings, pin=person.pin, staff_no=person.staff_no, now=now, actor=actor
        )
        if row is not None:
            done.append(row)
    return done
