"""Device rows: find or record a terminal, mark it seen or synced, queue commands for it."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from attendance.models import AdmsStamp, Device, DeviceCommand
from attendance.terminals.binding import Binding

# Unknown terminals waiting for an admin: anyone on the network can invent serials, so only
# this many are recorded; past it a new serial is refused without a row (and logged).
MAX_PENDING = 50


def pending_count(session: Session) -> int:
    """How many terminals wait for an admin's approval."""
    return session.exec(
        select(func.count()).select_from(Device).where(col(Device.approved).is_(False))
    ).one()


def find_or_record(
    session: Session, serial: str, protocol: str, now: datetime, zone: str
) -> Device | None:
    """The device row for ``serial``; an unknown one is recorded unapproved for an admin,
    unless MAX_PENDING terminals already wait (then None: nothing is stored)."""
    device = session.exec(select(Device).where(Device.serial == serial)).first()
    if device is None:
        if pending_count(session) >= MAX_PENDING:
            return None
        device = Device(
            serial=serial, protocol=protocol, timezone=zone, approved=False, first_seen=now
        )
    device.last_seen = now
    session.add(device)
    session.flush()
    return device


# Core statements built once (SQLAlchemy's compiled cache serves them): every ADMS post
# runs them, and the ORM's per-statement work would cost more than the statements.
_device = Device.__table__  # type: ignore[attr-defined]
_APPROVAL = sa.select(
    _device.c.approved, _device.c.timezone, _device.c.bind_address, _device.c.push_key_hash
).where(_device.c.serial == sa.bindparam("serial"))


class Approval(NamedTuple):
    """A known terminal's approval, time zone and binding (attendance.terminals.binding)."""

    approved: bool
    timezone: str
    binding: Binding


def approval(session: Session, serial: str) -> Approval | None:
    """A known terminal's `Approval`, read in one statement; None when unknown."""
    row = session.connection().execute(_APPROVAL, {"serial": serial}).first()
    if row is None:
        return None
    approved, zone, address, key_hash = row
    return Approval(bool(approved), str(zone), Binding(address or "", key_hash))


def _stamp_upserts(column: str) -> dict[str, sa.Executable]:
    """Per dialect: insert a terminal's stamp row, or set ``column`` unless given None."""
    table = AdmsStamp.__table__  # type: ignore[attr-defined]
    out: dict[str, sa.Executable] = {}
    for dialect, insert in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert)):
        statement = insert(table)
        new = statement.excluded[column]
        out[dialect] = statement.on_conflict_do_update(
            index_elements=[table.c.device_sn],
            set_={column: func.coalesce(new, table.c[column])},
        )
    return out


_SAVE_STAMP = {column: _stamp_upserts(column) for column in ("attlog_stamp", "operlog_stamp")}


def save_stamp(session: Session, serial: str, column: str, stamp: int | None) -> None:
    """Store an ADMS upload stamp (``attlog_stamp`` or ``operlog_stamp``) in one statement.

    The terminal's stamp row is created if missing; a None stamp leaves a stored one alone.
    """
    conn = session.connection()
    statement = _SAVE_STAMP[column][conn.dialect.name]
    conn.execute(statement, {"device_sn": serial, column: stamp})


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
