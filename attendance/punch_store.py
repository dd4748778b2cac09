"""Punch rows written in bulk through the driver, for ADMS-sized batches.

SQLAlchemy's executemany builds and type-processes every parameter set in Python, which
cost more than the database's own work on a 1,000-line post. Here the values are
converted once (instants exactly as `UTCDateTime` stores them, so existing rows and the
natural-key uniqueness are unaffected) and handed to the driver as they are, in one
multi-row `INSERT ... ON CONFLICT DO UPDATE SET repeats = ... RETURNING` per chunk: a new
row goes in, a repeat of a stored punch only adds to its count, and the returned counts
tell which rows were new (see `store_new`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from attendance.models import Punch
from hallbase.db import driver_mark, driver_rows
from hallbase.models.types import sqlite_text

# (device serial, PIN, device time as `stored_instant` passes it): the natural key
Key = tuple[str, str, Any]
COLUMNS = (
    "device_sn", "pin", "device_time", "staff_no", "verify", "status", "workcode", "source",
    "received_at", "repeats",
)  # fmt: skip
CHUNK = 500  # rows per INSERT: 5,000 parameters, far below every driver's limit


def stored_instant(conn: sa.Connection) -> Callable[[datetime], Any]:
    """How an aware instant is passed to this connection's driver (and comes back from it:
    the same text on SQLite, an equal aware datetime on PostgreSQL)."""
    if conn.dialect.name == "sqlite":
        return sqlite_text
    return lambda value: value.astimezone(UTC)


def store_new(
    conn: sa.Connection, rows: Sequence[tuple[Any, ...]], received_at: datetime
) -> set[Key]:
    """Insert the rows not stored yet, count repeats of the others; return the keys inserted.

    Each row holds the values of COLUMNS without `received_at` (given once), its device
    time as `stored_instant` converts it; its `repeats` is how often it came in this batch
    beyond the first, so a stored punch's count grows by `repeats + 1`. A row comes back with the
    `repeats` it was given exactly when it was inserted (an updated count is larger).
    """
    table = Punch.__table__  # type: ignore[attr-defined]
    mark = driver_mark(conn)
    received = stored_instant(conn)(received_at)
    sent: dict[Key, int] = {}
    values: list[Any] = []
    placeholders = "(" + ", ".join([mark] * len(COLUMNS)) + ")"
    inserted: set[Key] = set()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        values.clear()
        for sn, pin, at, staff_no, verify, status, workcode, source, repeats in chunk:
            sent[(sn, pin, at)] = repeats
            values += (sn, pin, at, staff_no, verify, status, workcode, source, received, repeats)
        sql = (
            f"INSERT INTO {table.name} AS p ({', '.join(COLUMNS)}) VALUES "
            + ", ".join([placeholders] * len(chunk))
            + " ON CONFLICT (device_sn, pin, device_time)"
            + " DO UPDATE SET repeats = p.repeats + excluded.repeats + 1"
            + " RETURNING device_sn, pin, device_time, repeats"
        )
        for sn, pin, at, count in driver_rows(conn, sql, values):
            key = (sn, pin, at)
            if count == sent[key]:
                inserted.add(key)
    return inserted
