"""The auth branch (0300) upgrades a database at the other branches' heads and goes down alone."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, inspect, text

from hallbase.auth import audit
from hallbase.db import read_session, write_session
from hallbase.settings import Settings
from hallkeeper import migrations
from hallkeeper.seed import apply_config

T0 = datetime(2026, 3, 10, tzinfo=UTC)
AUTH_TABLES = {
    "auth_account", "auth_grant", "auth_session", "auth_api_token", "auth_machine_key",
    "audit_log", "audit_head",
}  # fmt: skip


def test_auth_branch_on_a_populated_database(any_engine: Engine, settings: Settings) -> None:
    for head in ("0011", "queue@head", "devices@head"):  # every branch but auth
        migrations.upgrade(any_engine, head)
    assert not AUTH_TABLES & set(inspect(any_engine).get_table_names())
    with write_session(any_engine) as session:
        apply_config(session, settings.hall)
    migrations.upgrade(any_engine)
    assert set(inspect(any_engine).get_table_names()) >= AUTH_TABLES
    assert "0300" in (migrations.current(any_engine) or "")
    with write_session(any_engine) as session:
        entry = audit.append(session, audit.Actor("cli", "t"), "x", "y", at=T0)
        assert entry.seq == 1 and entry.prev_hash == audit.GENESIS
    with read_session(any_engine) as session:
        assert audit.verify(session) == audit.Verdict(1)
    migrations.downgrade(any_engine, "auth@-1")
    assert not AUTH_TABLES & set(inspect(any_engine).get_table_names())
    with any_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM staff")).scalar() == len(settings.hall.staff)
    migrations.upgrade(any_engine)
    assert set(inspect(any_engine).get_table_names()) >= AUTH_TABLES
