"""Migrations build exactly the models' schema on SQLite and PostgreSQL, and go down again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlmodel import SQLModel

import attendance.models  # noqa: F401 - registers the attendance tables
import hallbase.models  # noqa: F401 - registers the shared tables
from hallbase.db import read_session, write_session
from hallbase.settings import Settings
from hallkeeper import migrations
from hallkeeper.seed import apply_config, is_seeded


def test_upgrade_matches_models_and_downgrade_empties(any_engine: Engine) -> None:
    assert migrations.current(any_engine) is None
    migrations.upgrade(any_engine)
    assert migrations.current(any_engine) is not None
    with any_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    migrations.downgrade(any_engine, "base")
    tables = set(inspect(any_engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    migrations.upgrade(any_engine)
    migrations.upgrade(any_engine)  # idempotent
    assert "staff" in inspect(any_engine).get_table_names()


def test_seed_is_idempotent(any_engine: Engine, settings: Settings) -> None:
    migrations.upgrade(any_engine)
    with write_session(any_engine) as session:
        assert not is_seeded(session)
        first = apply_config(session, settings.hall)
    with write_session(any_engine) as session:
        second = apply_config(session, settings.hall)
    assert first == second
    with read_session(any_engine) as session:
        staff = session.exec(text("SELECT count(*) FROM staff")).one()[0]  # type: ignore[call-overload]
        slots = session.exec(text("SELECT count(*) FROM schedule_slot")).one()[0]  # type: ignore[call-overload]
        links = session.exec(text("SELECT count(*) FROM window_service")).one()[0]  # type: ignore[call-overload]
    assert staff == len(settings.hall.staff)
    assert slots == sum(len(s.slots) for s in settings.hall.schedules)
    assert links == sum(len(w.services) for w in settings.hall.windows)


def test_sqlite_pragmas(tmp_path: object, settings: Settings) -> None:
    from hallbase.db import make_engine

    engine = make_engine(settings.effective_database_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
