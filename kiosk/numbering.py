"""Ticket numbers: one counter per service and business day, bumped atomically in the database.

The business day starts at the configured reset hour in the hall's zone, so a hall that resets
at 03:00 keeps numbering past midnight. The counter row is incremented with a single
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` statement, which both SQLite and PostgreSQL
run atomically (PostgreSQL holds the row lock until commit); the ticket's unique constraint is
the last line of defence.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from kiosk.models import QueueCounter


def business_day(now: datetime, zone: ZoneInfo, reset_hour: int) -> date:
    """The business day ``now`` belongs to: hall-local date, counted from ``reset_hour``."""
    return (now.astimezone(zone) - timedelta(hours=reset_hour)).date()


def day_start(day: date, zone: ZoneInfo, reset_hour: int) -> datetime:
    """The instant (aware) a business day starts."""
    return datetime(day.year, day.month, day.day, reset_hour, tzinfo=zone)


def ticket_code(prefix: str, number: int) -> str:
    """The printed number: prefix and at least three digits (A001, A1000)."""
    return f"{prefix}{number:03d}"


def _bump(dialect: str) -> Any:
    table: Table = QueueCounter.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(table)
        .values(
            service_id=bindparam("service_id", type_=Integer()),
            day=bindparam("day", type_=Date()),
            last_number=1,
        )
        .on_conflict_do_update(
            index_elements=[table.c.service_id, table.c.day],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )


# Built once per dialect with bound parameters: SQLAlchemy reuses the compiled form.
_BUMP = {dialect: _bump(dialect) for dialect in ("sqlite", "postgresql")}


def next_number(session: Session, service_id: int, day: date) -> int:
    """Take the next number of ``service_id`` on ``day`` (inside the caller's transaction)."""
    stmt = _BUMP[session.get_bind().dialect.name]
    found = session.connection().execute(stmt, {"service_id": service_id, "day": day})
    return int(found.scalar_one())
