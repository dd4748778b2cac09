"""Device rows: find or record a terminal, mark it seen or synced, queue commands for it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from hallkeeper.models import AdmsStamp, Device, DeviceCommand


def find_or_record(
    session: Session, serial: str, protocol: str, now: datetime, zone: str
) -> Device:
    """The device row for ``serial``; an unknown one is recorded unapproved for an admin."""
    device = session.exec(select(Device).where(Device.serial == serial)).first()
    if device is None:
        device = Device(
            serial=serial, protocol=protocol, timezone=zone, approved=False, first_seen=now
        )
    device.last_seen = now
    session.add(device)
    session.flush()
    return device


def approval(session: Session, serial: str) -> tuple[bool, str] | None:
    """(approved, timezone) of a known terminal, read in one statement; None when unknown."""
    t = Device.__table__  # type: ignore[attr-defined]
    row = (
        session.connection()
        .execute(sa.select(t.c.approved, t.c.timezone).where(t.c.serial == serial))
        .first()
    )
    return None if row is None else (bool(row[0]), str(row[1]))


def save_stamp(session: Session, serial: str, column: str, stamp: int | None) -> None:
    """Store an ADMS upload stamp (``attlog_stamp`` or ``operlog_stamp``) in one statement.

    The terminal's stamp row is created if missing; a None stamp leaves a stored one alone.
    """
    t = AdmsStamp.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(t).values({"device_sn": serial, column: stamp})
    kept = sa.func.coalesce(stmt.excluded[column], t.c[column])
    session.connection().execute(
        stmt.on_conflict_do_update(index_elements=["device_sn"], set_={column: kept})
    )


def device_zone(device: Device) -> ZoneInfo:
    """The zone the device's naive clock runs in."""
    return ZoneInfo(device.timezone)


def mark_synced(session: Session, serial: str, now: datetime, error: str | None = None) -> None:
    """Record a completed sync (or the error that stopped one)."""
    device = session.exec(select(Device).where(Device.serial == serial)).first()
    if device is None:
        return
    if error is None:
        device.last_sync = now
    device.last_error = error
    session.add(device)


def queue_command(session: Session, serial: str, text: str, now: datetime) -> DeviceCommand:
    """Queue a command for a terminal's next poll."""
    command = DeviceCommand(device_sn=serial, text=text, created_at=now)
    session.add(command)
    session.flush()
    return command


def take_queued(
    session: Session, serial: str, now: datetime, limit: int = 20
) -> list[DeviceCommand]:
    """The oldest queued commands for ``serial``, marked sent."""
    rows = list(
        session.exec(
            select(DeviceCommand)
            .where(DeviceCommand.device_sn == serial, DeviceCommand.status == "queued")
            .order_by(col(DeviceCommand.id))
            .limit(limit)
        ).all()
    )
    for row in rows:
        row.status, row.sent_at = "sent", now
        session.add(row)
    return rows
