"""Fixtures shared by the whole suite: settings, SQLite and PostgreSQL engines, the app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hallbase.db import make_engine
from hallbase.settings import Settings, load_settings
from tests.helpers.services import PG_ADMIN_URL, reset_pg, service_missing


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cheapest argon2id in tests: they hash many passwords on a shared machine."""
    from hallbase.auth import passwords
    from tests.helpers.auth import CHEAP_HASHER

    monkeypatch.setattr(passwords, "HASHER", CHEAP_HASHER)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with the shipped hall and an empty data directory."""
    return load_settings(data_dir=tmp_path, database_url="", mqtt_url="")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    import psycopg

    name = f"hk_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        service_missing("PostgreSQL", str(exc).strip())
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database engine: SQLite in a temp dir, and the machine's PostgreSQL."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        url: str = request.getfixturevalue("pg_database")
        reset_pg(url)
        engine = make_engine(url)
    yield engine
    engine.dispose()
