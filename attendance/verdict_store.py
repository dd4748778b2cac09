"""Day verdicts read and upserted in bulk: an ADMS batch re-derives ~250 staff-days.

Core statements built once per dialect (SQLAlchemy's compiled cache serves them), not the
ORM: only the columns a re-derivation compares are read, and the rows are written by one
executemany of an `INSERT ... ON CONFLICT DO UPDATE`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from attendance.models import DayVerdict

KEYS = ("staff_no", "day")

_verdict = DayVerdict.__table__  # type: ignore[attr-defined]
_STORED = sa.select(
    _verdict.c.staff_no, _verdict.c.day, _verdict.c.result, _verdict.c.alerted, _verdict.c.held
).where(
    _verdict.c.day >= sa.bindparam("first"),
    _verdict.c.day <= sa.bindparam("last"),
    _verdict.c.staff_no.in_(sa.bindparam("people", expanding=True)),
)


def _upsert(insert: Any) -> sa.Executable:
    statement: sqlite.Insert | postgresql.Insert = insert(_verdict)
    updates = {c.name: statement.excluded[c.name] for c in _verdict.c if c.name not in KEYS}
    return statement.on_conflict_do_update(index_elements=list(KEYS), set_=updates)


_UPSERT = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}


class Stored(NamedTuple):
    """The columns of a stored day verdict that a re-derivation compares."""

    result: dict[str, Any]
    alerted: list[str]
    held: int


def stored_verdicts(
    conn: sa.Connection, staff_nos: Collection[str], first: date, last: date
) -> dict[tuple[str, date], Stored]:
    """The stored verdicts of ``staff_nos`` from ``first`` to ``last``, by (staff, day)."""
    if not staff_nos:
        return {}
    rows = conn.execute(_STORED, {"first": first, "last": last, "people": sorted(staff_nos)})
    return {(s, d): Stored(r, a, h) for s, d, r, a, h in rows}


def upsert_day_verdicts(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or replace the day verdicts in ``rows`` (dicts keyed by the table's columns)."""
    if rows:
        conn.execute(_UPSERT[conn.dialect.name], list(rows))
