"""Ticket numbers: one counter per service and business day, bumped atomically in the database.

The business day starts at the configured reset hour in the hall's zone, so a hall that resets
at 03:00 keeps numbering past midnight. The counter row is incremented with a single
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` statement, which both SQLite and PostgreSQL
run atomically (PostgreSQL holds the row lock until commit); the ticket's unique constraint is
the last line of defence.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Table
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


def next_number(session: Session, service_id: int, day: date) -> int:
    """Take the next number of ``service_id`` on ``day`` (inside the caller's transaction)."""
    table: Table = QueueCounter.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .values(service_id=service_id, day=day, last_number=1)
        .on_conflict_do_update(
            index_elements=[table.c.service_id, table.c.day],
            set_={"last_number": table.c.last_number + 1},
        )
        .returning(table.c.last_number)
    )
    value = session.connection().execute(stmt).scalar_one()
    return int(value)
