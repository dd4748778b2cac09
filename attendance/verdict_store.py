"""Day verdicts upserted in bulk through the driver (see punch_store.py for why).

An ADMS batch re-derives ~250 staff-days; SQLAlchemy's per-row parameter processing cost
as much as the JSON and the database's own work. The values are written exactly as the
model's column types write them: dates and instants in SQLAlchemy's SQLite text forms,
JSON exactly as `json.dumps` (the default serializer of both dialects) writes it, by the
json module's C encoder made once (`json.dumps` makes one per call) and without the
reference-cycle check (verdicts are trees built by `to_dict`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, date, datetime
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any, NamedTuple

import sqlalchemy as sa

from hallbase.db import driver_many, driver_mark, driver_rows
from hallbase.models.types import sqlite_text

COLUMNS = (
    "staff_no", "day", "status", "absent_days", "provisional", "result", "alerted", "held",
    "computed_at",
)  # fmt: skip
JSON_COLUMNS = frozenset({"result", "alerted"})
KEYS = ("staff_no", "day")


def _encoder() -> Callable[[Any], str]:
    """`json.dumps` with its default options, for acyclic values."""
    plain = json.JSONEncoder(check_circular=False)
    if c_make_encoder is None:  # no C accelerator: the module's own path
        return plain.encode
    chunks = c_make_encoder(
        None, plain.default, encode_basestring_ascii, None, ": ", ", ", False, False, True
    )
    join = "".join

    def dumps(value: Any) -> str:
        return join(chunks(value, 0))

    return dumps


_dumps = _encoder()


def _sql(conn: sa.Connection) -> str:
    mark = driver_mark(conn)
    json_mark = mark if conn.dialect.name == "sqlite" else f"CAST({mark} AS JSON)"
    marks = ", ".join(json_mark if c in JSON_COLUMNS else mark for c in COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in COLUMNS if c not in KEYS)
    return (
        f"INSERT INTO day_verdict ({', '.join(COLUMNS)}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(KEYS)}) DO UPDATE SET {updates}"
    )


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
    m = driver_mark(conn)
    people = sorted(staff_nos)
    sql = (
        "SELECT staff_no, day, result, alerted, held FROM day_verdict"
        f" WHERE day >= {m} AND day <= {m} AND staff_no IN ({', '.join([m] * len(people))})"
    )
    if conn.dialect.name == "sqlite":  # dates and JSON come back as the text stored
        rows = driver_rows(conn, sql, [first.isoformat(), last.isoformat(), *people])
        loads, day = json.loads, date.fromisoformat
        return {(s, day(d)): Stored(loads(r), loads(a), h) for s, d, r, a, h in rows}
    rows = driver_rows(conn, sql, [first, last, *people])
    return {(s, d): Stored(r, a, h) for s, d, r, a, h in rows}


def upsert_day_verdicts(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or replace the day verdicts in ``rows`` (dicts keyed by COLUMNS)."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":

        def day(value: date) -> Any:
            return value.isoformat()

        def instant(value: datetime) -> Any:
            return sqlite_text(value)
    else:

        def day(value: date) -> Any:
            return value

        def instant(value: datetime) -> Any:
            return value.astimezone(UTC)

    dumps = _dumps
    instants: dict[datetime, Any] = {}  # a batch's rows share one `computed_at`
    values = []
    for r in rows:
        at = r["computed_at"]
        stored = instants.get(at)
        if stored is None:
            stored = instants[at] = instant(at)
        values.append(
            (r["staff_no"], day(r["day"]), r["status"], r["absent_days"], r["provisional"],
             dumps(r["result"]), dumps(r["alerted"]), r["held"], stored)
        )  # fmt: skip
    driver_many(conn, _sql(conn), values)
