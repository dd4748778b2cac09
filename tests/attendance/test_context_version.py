"""The context version: renewed by every change of the context's tables, from any connection."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import select

from attendance.context import SOURCES, cached_context, context_version
from hallbase.db import read_session, write_session
from hallbase.models import Staff
from tests.helpers.attendance import DAY, Hall


def _version(hall: Hall) -> int | None:
    with read_session(hall.engine) as session:
        return context_version(session)


def _triggers(hall: Hall) -> dict[str, int]:
    if hall.engine.dialect.name == "sqlite":
        sql = "SELECT tbl_name, count(*) FROM sqlite_master WHERE type = 'trigger' GROUP BY 1"
    else:
        sql = (
            "SELECT c.relname, count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal GROUP BY 1"
        )
    with hall.engine.connect() as conn:
        return {str(name): int(n) for name, n in conn.exec_driver_sql(sql)}


def test_every_table_a_context_is_read_from_renews_the_version(hall: Hall) -> None:
    found = _triggers(hall)
    per_table = 3 if hall.engine.dialect.name == "sqlite" else 1  # per row / per statement
    for model in SOURCES:
        assert found.get(model.__table__.name) == per_table, model  # type: ignore[attr-defined]


def test_inserts_updates_and_deletes_through_any_connection_renew_the_version(hall: Hall) -> None:
    seen = {_version(hall)}
    statements = [
        "INSERT INTO holiday_override (day, workday, note) VALUES ('2026-03-11', false, 'x')",
        "UPDATE holiday_override SET note = 'y'",
        "DELETE FROM holiday_override",
        "UPDATE staff SET name = name || '.' WHERE staff_no = 'SC001'",
    ]
    for sql in statements:
        with hall.engine.begin() as conn:  # the driver's SQL: no ORM event involved
            conn.exec_driver_sql(sql)
        version = _version(hall)
        assert version is not None and version not in seen, sql
        seen.add(version)


def test_a_rolled_back_change_does_not_leave_its_context_cached(hall: Hall) -> None:
    with write_session(hall.engine) as session:
        before = cached_context(session, hall.settings, {DAY.year})
    name = before.staff["SC001"].name
    with pytest.raises(RuntimeError), write_session(hall.engine) as session:
        person = session.exec(select(Staff).where(Staff.staff_no == "SC001")).one()
        person.name = "rolled back"
        session.add(person)
        session.flush()
        inside = cached_context(session, hall.settings, {DAY.year})
        assert inside.staff["SC001"].name == "rolled back"
        raise RuntimeError("roll back")
    with write_session(hall.engine) as session:
        assert cached_context(session, hall.settings, {DAY.year}).staff["SC001"].name == name
        session.connection().execute(
            sa.update(Staff.__table__)  # type: ignore[attr-defined]
            .where(Staff.__table__.c.staff_no == "SC002")  # type: ignore[attr-defined]
            .values(name="changed")
        )
    with write_session(hall.engine) as session:
        after = cached_context(session, hall.settings, {DAY.year})
    assert (after.staff["SC001"].name, after.staff["SC002"].name) == (name, "changed")
