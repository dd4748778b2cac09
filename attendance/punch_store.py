"""Punch rows written in bulk, for ADMS-sized batches.

A 1,000-line post is two statements. One SELECT finds which of the batch's natural keys are
stored already (only the terminals and the time span of the batch are read); then one
`INSERT ... ON CONFLICT DO UPDATE SET repeats = ...` stores them: a new row goes in, a repeat of
a stored punch only adds to its count. On SQLite it runs for every row as the driver's own
executemany; on PostgreSQL once for the whole batch, its rows `unnest`ed from one array per
column (`_store_new_pg`).

The upsert is a Core statement, built and compiled once per dialect; its SQL is run with
`Connection.exec_driver_sql` and values already in their stored form (instants exactly as
`UTCDateTime` stores them), because SQLAlchemy's executemany builds and type-processes every
parameter set in Python, which cost more than the database's own work on a 1,000-line post
(`bench/adms_ingest.py`). On SQLite the batch runs in the writer's `BEGIN IMMEDIATE`
transaction, so the SELECT sees every row that can conflict; on PostgreSQL two transactions
storing the same new punch at once both count it as new (the row itself is stored once).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from attendance.models import Punch
from hallbase.models.types import stored_instant, stored_instant_type

# (device serial, PIN, device time as an aware instant): the natural key
Key = tuple[str, str, datetime]
COLUMNS = (
    "device_sn", "pin", "device_time", "staff_no", "verify", "status", "workcode", "source",
    "repeats",
)  # fmt: skip

_punch = Punch.__table__  # type: ignore[attr-defined]
INSTANTS = ("device_time", "received_at")
_BOUND = frozenset((*COLUMNS, *INSTANTS))  # the values each row gives


def _upsert(dialect: str) -> sa.Executable:
    """The upsert, its instants bound in their stored form (see `store_new`)."""
    insert: Any = sqlite.insert if dialect == "sqlite" else postgresql.insert
    values = {name: sa.bindparam(name, type_=stored_instant_type(dialect)) for name in INSTANTS}
    statement: sqlite.Insert | postgresql.Insert = insert(_punch).values(values)
    c = _punch.c
    return statement.on_conflict_do_update(
        index_elements=[c.device_sn, c.pin, c.device_time],
        set_={"repeats": c.repeats + statement.excluded.repeats + 1},
    )


def _stored_keys(dialect: str) -> sa.Select[Any]:
    """The natural keys stored for some terminals within a span of stored instants."""
    c = _punch.c
    form = stored_instant_type(dialect)
    return sa.select(c.device_sn, c.pin, sa.type_coerce(c.device_time, form)).where(
        c.device_sn.in_(sa.bindparam("terminals", expanding=True)),
        c.device_time >= sa.bindparam("first", type_=form),
        c.device_time <= sa.bindparam("last", type_=form),
    )


def _pg_unnest_upsert() -> str:
    """PostgreSQL's upsert of a whole batch as one statement: each column's values bound as
    one array and the rows made by ``unnest`` (an executemany runs the statement once per
    row on the server: about as slow again as the rest of an ADMS post)."""
    dialect: Any = postgresql.dialect()  # type: ignore[no-untyped-call]
    arrays = ", ".join(f"%({n})s::{_punch.c[n].type.compile(dialect=dialect)}[]" for n in COLUMNS)
    at = _punch.c.received_at.type.compile(dialect=dialect)
    return (
        f"INSERT INTO punch ({', '.join(COLUMNS)}, received_at) "
        f"SELECT rows.*, %(received_at)s::{at} FROM unnest({arrays}) AS rows "
        "ON CONFLICT (device_sn, pin, device_time) "
        "DO UPDATE SET repeats = punch.repeats + excluded.repeats + 1"
    )


_UPSERT = {name: _upsert(name) for name in ("sqlite", "postgresql")}
_PG_UNNEST = _pg_unnest_upsert()
_STORED = {name: _stored_keys(name) for name in ("sqlite", "postgresql")}
# Where each value of a row's parameters comes from, in a row "laid out" by `store_new`:
# the row's COLUMNS (its device time in stored form), then `received_at`, then the values
# bound in the statement itself (the `+ 1`).
_DRIVER_SQL: dict[str, tuple[str, itemgetter[Any], tuple[Any, ...]]] = {}


def _driver_sql(conn: sa.Connection) -> tuple[str, itemgetter[Any], tuple[Any, ...]]:
    """The upsert's SQL for this connection's driver (SQLite's: parameters by position), what
    picks a laid-out row's parameters in their order, and the values bound in the statement
    itself."""
    name = conn.dialect.name
    found = _DRIVER_SQL.get(name)
    if found is None:
        statement: Any = _UPSERT[name]
        compiled = statement.compile(dialect=conn.dialect, column_keys=sorted(_BOUND))
        assert compiled.positional, f"{name}: parameters by name are not laid out here"
        fixed = {k: b.effective_value for k, b in compiled.binds.items() if k not in _BOUND}
        laid_out = [*COLUMNS, "received_at", *fixed]
        pick = itemgetter(*(laid_out.index(key) for key in compiled.positiontup or ()))
        found = _DRIVER_SQL[name] = (str(compiled), pick, tuple(fixed.values()))
    return found


def store_new(
    conn: sa.Connection, rows: Sequence[tuple[Any, ...]], received_at: datetime
) -> set[Key]:
    """Insert the rows not stored yet, count repeats of the others; return the keys inserted.

    Each row holds the values of COLUMNS (`received_at` is given once); its `repeats` is how
    often it came in this batch beyond the first, so a stored punch's count grows by
    `repeats + 1`. Keys repeated within ``rows`` must have been merged by the caller.
    """
    if not rows:
        return set()
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return _store_new_pg(conn, rows, received_at)
    stored = stored_instant(dialect)
    sql, pick, fixed = _driver_sql(conn)
    tail = (stored(received_at), *fixed)
    keys: dict[tuple[str, str, Any], Key] = {}
    params: list[Any] = []
    for row in rows:
        at = stored(row[2])
        laid_out = (row[0], row[1], at, *row[3:], *tail)
        params.append(pick(laid_out))
        keys[(row[0], row[1], at)] = (row[0], row[1], row[2])
    times = [k[2] for k in keys]
    found = conn.execute(
        _STORED[dialect],
        {"terminals": sorted({k[0] for k in keys}), "first": min(times), "last": max(times)},
    ).all()
    for sn, pin, at in found:
        keys.pop((sn, pin, at), None)  # stored already: what is left is new
    conn.exec_driver_sql(sql, params)
    return set(keys.values())


def _store_new_pg(
    conn: sa.Connection, rows: Sequence[tuple[Any, ...]], received_at: datetime
) -> set[Key]:
    """`store_new` on PostgreSQL: the rows as arrays, one per column, in one statement."""
    stored = stored_instant("postgresql")
    if any(len(row) != len(COLUMNS) for row in rows):
        raise ValueError(f"each punch row holds the {len(COLUMNS)} values of {COLUMNS}")
    columns: list[list[Any]] = [list(values) for values in zip(*rows, strict=True)]
    times = columns[2] = [stored(at) for at in columns[2]]
    keys: dict[Key, Key] = {
        (row[0], row[1], at): (row[0], row[1], row[2]) for row, at in zip(rows, times, strict=True)
    }
    found = conn.execute(
        _STORED["postgresql"],
        {"terminals": sorted({k[0] for k in keys}), "first": min(times), "last": max(times)},
    ).all()
    for sn, pin, at in found:
        keys.pop((sn, pin, at), None)  # stored already: what is left is new
    params = dict(zip(COLUMNS, columns, strict=True), received_at=stored(received_at))
    conn.exec_driver_sql(_PG_UNNEST, params)
    return set(keys.values())
