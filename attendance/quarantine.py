"""Records kept aside (quarantine): stored once per terminal and record, repeats counted.

Terminals send the same records again (a ZK log downloaded on every poll, an ADMS batch
resent until it reads ``OK``), so a kept-aside record has a natural key like a punch:
(device serial, SHA-256 of its raw bytes, or of its reason when it has none). A repeat only
adds to `repeats` and moves `last_received_at`. What is kept is bounded: no biometric data
(a template line keeps its other fields only), at most RAW_MAX bytes of a record (the
reason says how long it was), and the columns' sizes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from attendance.models import QuarantinedRecord
from devices.adms.biometric import strip_biometric
from devices.events import PIN_MAX, SERIAL_MAX

RAW_MAX = 4096
REASON_MAX = 200


@dataclass(frozen=True, slots=True)
class Aside:
    """One record to keep aside, with why; PIN and time when they could be read."""

    device_sn: str
    raw: bytes
    reason: str
    pin: str | None = None
    device_time: datetime | None = None


def digest(raw: bytes, reason: str) -> str:
    """The record's part of the natural key."""
    return hashlib.sha256(raw if raw else reason.encode()).hexdigest()


def _row(record: Aside, now: datetime) -> dict[str, Any]:
    raw, kind = strip_biometric(record.raw)
    reason = record.reason
    if kind is not None and "biometric" not in reason:
        reason = f"{kind} data dropped; {reason}"
    key = digest(raw, reason)
    if len(raw) > RAW_MAX:
        reason = f"{reason} [raw: first {RAW_MAX} of {len(raw)} bytes]"
        raw = raw[:RAW_MAX]
    pin = record.pin if record.pin is not None and len(record.pin) <= PIN_MAX else None
    return {
        "device_sn": record.device_sn[:SERIAL_MAX],
        "digest": key,
        "pin": pin,
        "device_time": record.device_time,
        "reason": reason[:REASON_MAX],
        "raw": raw,
        "received_at": now,
        "repeats": 0,
        "last_received_at": now,
    }


def keep_aside(conn: sa.Connection, records: Sequence[Aside], now: datetime) -> None:
    """Store each record once; a record already kept (or repeated here) is counted."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for record in records:
        row = _row(record, now)
        key = (row["device_sn"], row["digest"])
        seen = rows.get(key)
        if seen is None:
            rows[key] = row
        else:
            seen["repeats"] += 1
    if not rows:
        return
    table = QuarantinedRecord.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["device_sn", "digest"],
        set_={
            "repeats": table.c.repeats + statement.excluded.repeats + 1,
            "last_received_at": statement.excluded.last_received_at,
        },
    )
    conn.execute(statement, list(rows.values()))
