"""Day verdicts read and upserted in bulk: an ADMS batch re-derives ~250 staff-days.

Core statements built once per dialect (SQLAlchemy's compiled cache serves them), not the
ORM. A re-derivation only asks whether a verdict changed, so the stored JSON is read as the
text it is (never decoded) and compared with the new verdict encoded the same way: exactly
`json.dumps`, the default serializer of SQLAlchemy's JSON type on both dialects. The rows are
written by one executemany of an `INSERT ... ON CONFLICT DO UPDATE` whose JSON, day and
instant parameters arrive already in their stored form, so that no per-row type processing
runs for them (`bound_rows`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from attendance.models import DayVerdict
from hallbase.models.types import stored_instant, stored_instant_type

KEYS = ("staff_no", "day")
JSON_COLUMNS = ("result", "alerted")
dumps: Callable[[Any], str] = json.dumps  # the stored form of a JSON column's value

_verdict = DayVerdict.__table__  # type: ignore[attr-defined]
_c = _verdict.c
_STORED = sa.select(
    _c.staff_no,
    _c.day,
    sa.cast(_c.result, sa.Text),
    sa.cast(_c.alerted, sa.Text),
    _c.held,
    _c.status,
).where(
    _c.day >= sa.bindparam("first"),
    _c.day <= sa.bindparam("last"),
    _c.staff_no.in_(sa.bindparam("people", expanding=True)),
)


def _upsert(dialect: str) -> sa.Executable:
    """The upsert with JSON, day and instant parameters bound in their stored form."""
    values: dict[str, Any] = {
        "day": sa.bindparam("day", type_=sa.String() if dialect == "sqlite" else sa.Date()),
        "computed_at": sa.bindparam("computed_at", type_=stored_instant_type(dialect)),
    }
    for name in JSON_COLUMNS:
        raw = sa.bindparam(name, type_=sa.Text())
        values[name] = raw if dialect == "sqlite" else sa.cast(raw, postgresql.JSON)
    insert: Any = sqlite.insert if dialect == "sqlite" else postgresql.insert
    statement: sqlite.Insert | postgresql.Insert = insert(_verdict).values(values)
    updates = {c.name: statement.excluded[c.name] for c in _verdict.c if c.name not in KEYS}
    return statement.on_conflict_do_update(index_elements=list(KEYS), set_=updates)


_UPSERT = {name: _upsert(name) for name in ("sqlite", "postgresql")}


class Stored(NamedTuple):
    """The columns of a stored day verdict that a re-derivation compares: the JSON columns
    as their stored text (see `dumps`), and the day's status (to see a violation go)."""

    result: str
    alerted: str
    held: int
    status: str = ""

    def same(self, result: str, alerted: str, held: int) -> bool:
        """True when the stored verdict equals the one given (the status is part of it)."""
        return (self.result, self.alerted, self.held) == (result, alerted, held)


def stored_verdicts(
    conn: sa.Connection, staff_nos: Collection[str], first: date, last: date
) -> dict[tuple[str, date], Stored]:
    """The stored verdicts of ``staff_nos`` from ``first`` to ``last``, by (staff, day)."""
    if not staff_nos:
        return {}
    rows = conn.execute(_STORED, {"first": first, "last": last, "people": sorted(staff_nos)})
    return {(s, d): Stored(r, a, h, st) for s, d, r, a, h, st in rows}


def bound_rows(dialect: str, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` with their JSON, day and instant values in the stored form (JSON values given
    as text are taken as already encoded by `dumps`)."""
    sqlite_form = dialect == "sqlite"
    instant = stored_instant(dialect)
    instants: dict[datetime, Any] = {}  # a batch's rows share one `computed_at`
    out = []
    for row in rows:
        at = row["computed_at"]
        stored = instants.get(at)
        if stored is None:
            stored = instants[at] = instant(at)
        bound = {**row, "computed_at": stored}
        if sqlite_form:
            bound["day"] = row["day"].isoformat()
        for name in JSON_COLUMNS:
            value = row[name]
            bound[name] = value if isinstance(value, str) else dumps(value)
        out.append(bound)
    return out


def upsert_day_verdicts(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or replace the day verdicts in ``rows`` (dicts keyed by the table's columns;
    the JSON columns as values or as their `dumps` text)."""
    if rows:
        dialect = conn.dialect.name
        conn.execute(_UPSERT[dialect], bound_rows(dialect, rows))
