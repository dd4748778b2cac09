"""Punch rows written in bulk, for ADMS-sized batches.

One `INSERT ... ON CONFLICT DO UPDATE SET repeats = ... RETURNING` statement, built once per
dialect, run with every row of a batch: SQLAlchemy sends the rows in multi-row VALUES
("insertmanyvalues"), so that a 1,000-line post is one or two statements. A new row goes
in, a repeat of a stored punch only adds to its count, and the returned counts tell which
rows were new (see `store_new`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from attendance.models import Punch

# (device serial, PIN, device time as an aware instant): the natural key
Key = tuple[str, str, datetime]
COLUMNS = (
    "device_sn", "pin", "device_time", "staff_no", "verify", "status", "workcode", "source",
    "repeats",
)  # fmt: skip

_punch = Punch.__table__  # type: ignore[attr-defined]


def _upsert(insert: Any) -> sa.Executable:
    statement: sqlite.Insert | postgresql.Insert = insert(_punch)
    c = _punch.c
    return statement.on_conflict_do_update(
        index_elements=[c.device_sn, c.pin, c.device_time],
        set_={"repeats": c.repeats + statement.excluded.repeats + 1},
    ).returning(c.device_sn, c.pin, c.device_time, c.repeats)


_UPSERT = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}


def store_new(
    conn: sa.Connection, rows: Sequence[tuple[Any, ...]], received_at: datetime
) -> set[Key]:
    """Insert the rows not stored yet, count repeats of the others; return the keys inserted.

    Each row holds the values of COLUMNS (`received_at` is given once); its `repeats` is how
    often it came in this batch beyond the first, so a stored punch's count grows by
    `repeats + 1`. A row comes back with the `repeats` it was given exactly when it was
    inserted (an updated count is larger).
    """
    if not rows:
        return set()
    sent: dict[Key, int] = {}
    params = []
    for row in rows:
        values = dict(zip(COLUMNS, row, strict=True))
        values["received_at"] = received_at
        params.append(values)
        sent[(row[0], row[1], row[2])] = row[-1]
    result = conn.execute(_UPSERT[conn.dialect.name], params)
    return {(sn, pin, at) for sn, pin, at, count in result if count == sent[(sn, pin, at)]}
