"""Retention of citizens' personal data in the queue: appointments' names, phones and ID hashes.

An appointment whose slot's day is before the cutoff keeps its code, slot and status (the
statistics count it) but loses what names the citizen: name and phone are blanked, the
salted ID-number hash and its salt are dropped. Tickets carry no citizen's data.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from kiosk.models import Appointment, AppointmentSlot


def _named(first_day_kept: date) -> sa.ColumnElement[bool]:
    """Appointments before ``first_day_kept`` that still hold something of the citizen."""
    old = sa.select(col(AppointmentSlot.id)).where(col(AppointmentSlot.day) < first_day_kept)
    holds = sa.or_(
        col(Appointment.name) != "",
        col(Appointment.phone) != "",
        col(Appointment.id_hash).is_not(None),
        col(Appointment.id_salt).is_not(None),
    )
    return sa.and_(col(Appointment.slot_id).in_(old.scalar_subquery()), holds)


def blank_citizens(session: Session, first_day_kept: date, *, dry_run: bool = False) -> int:
    """Blank the citizens' data of appointments before ``first_day_kept``; how many."""
    condition = _named(first_day_kept)
    if dry_run:
        return session.exec(select(func.count()).select_from(Appointment).where(condition)).one()
    table = Appointment.__table__  # type: ignore[attr-defined]
    blank = {"name": "", "phone": "", "id_hash": None, "id_salt": None}
    done = session.connection().execute(sa.update(table).where(condition).values(**blank))
    return int(done.rowcount)
