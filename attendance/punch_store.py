"""Punch rows written in bulk, for ADMS-sized batches.

One `INSERT ... ON CONFLICT DO UPDATE SET repeats = ... RETURNING` statement, built once per
dialect, run with every row of a batch: SQLAlchemy sends the rows in multi-row VALUES
("insertmanyvalues"), so that a 1,000-line post is one or two statements. A new row goes
in, a repeat of a stored punch only adds to its count, and the returned counts tell which
rows were new (see `store_new`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from attendance.models import Punch
from hallbase.models.types import sqlite_text

# (device serial, PIN, device time as an aware instant): the natural key
Key = tuple[str, str, datetime]
COLUMNS = (
    "device_sn", "pin", "device_time", "staff_no", "verify", "status", "workcode", "source",
    "repeats",
)  # fmt: skip

_punch = Punch.__table__  # type: ignore[attr-defined]
INSTANTS = ("device_time", "received_at")


def _upsert(dialect: str) -> sa.Executable:
    """The upsert, its instants bound and returned in their stored form (see `store_new`)."""
    form: Any = sa.String() if dialect == "sqlite" else sa.DateTime(timezone=True)
    insert: Any = sqlite.insert if dialect == "sqlite" else postgresql.insert
    values = {name: sa.bindparam(name, type_=form) for name in INSTANTS}
    statement: sqlite.Insert | postgresql.Insert = insert(_punch).values(values)
    c = _punch.c
    return statement.on_conflict_do_update(
        index_elements=[c.device_sn, c.pin, c.device_time],
        set_={"repeats": c.repeats + statement.excluded.repeats + 1},
    ).returning(c.device_sn, c.pin, sa.type_coerce(c.device_time, form), c.repeats)


_UPSERT = {name: _upsert(name) for name in ("sqlite", "postgresql")}


def stored_instant(dialect: str) -> Callable[[datetime], Any]:
    """How ``dialect`` stores an aware instant: SQLAlchemy's SQLite text (`sqlite_text`), or
    the instant in UTC; a naive one is refused, as the model's column type refuses it."""

    def stored(value: datetime) -> Any:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime refused by the database layer: {value!r}")
        return sqlite_text(value) if dialect == "sqlite" else value.astimezone(UTC)

    return stored


def store_new(
    conn: sa.Connection, rows: Sequence[tuple[Any, ...]], received_at: datetime
) -> set[Key]:
    """Insert the rows not stored yet, count repeats of the others; return the keys inserted.

    Each row holds the values of COLUMNS (`received_at` is given once); its `repeats` is how
    often it came in this batch beyond the first, so a stored punch's count grows by
    `repeats + 1`. A row comes back with the `repeats` it was given exactly when it was
    inserted (an updated count is larger). The instants go in already in their stored form
    and come back in it, so that no per-row type processing runs for them (an ADMS post has
    1,000 rows).
    """
    if not rows:
        return set()
    dialect = conn.dialect.name
    stored = stored_instant(dialect)
    received = stored(received_at)
    sent: dict[tuple[str, str, Any], tuple[Key, int]] = {}
    params = []
    for row in rows:
        values = dict(zip(COLUMNS, row, strict=True))
        at = values["device_time"] = stored(row[2])
        values["received_at"] = received
        params.append(values)
        sent[(row[0], row[1], at)] = ((row[0], row[1], row[2]), row[-1])
    result = conn.execute(_UPSERT[dialect], params)
    new: set[Key] = set()
    for sn, pin, at, count in result:
        key, given = sent[(sn, pin, at)]
        if count == given:
            new.add(key)
    return new
