"""SQLite connections: the page cache and memory map sized by the settings, on every connection."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, column, table, update

from hallbase.db import (
    BUSY_TIMEOUT_MS,
    SQLITE_CACHE_MIB,
    SQLITE_MMAP_MIB,
    brief_write,
    make_engine,
    settings_engine,
)
from hallbase.errors import ConfigError
from hallbase.settings import load_settings

MIB = 1024 * 1024


def pragmas(engine: Engine) -> tuple[int, int]:
    """(cache_size, mmap_size) as a connection of ``engine`` reports them."""
    with engine.connect() as conn:
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
        mmap = conn.exec_driver_sql("PRAGMA mmap_size").scalar_one()
    return int(cache), int(mmap)


def test_sqlite_connections_get_the_default_cache_and_memory_map(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        # SQLite's own defaults are -2000 (KiB) and 0 (no map): a city's month read them slowly.
        assert pragmas(engine) == (-SQLITE_CACHE_MIB * 1024, SQLITE_MMAP_MIB * MIB)
        assert SQLITE_MMAP_MIB > 0
    finally:
        engine.dispose()


def test_the_settings_size_every_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HALLKEEPER_SQLITE_CACHE_MIB", "3")
    monkeypatch.setenv("HALLKEEPER_SQLITE_MMAP_MIB", "0")
    settings = load_settings(data_dir=tmp_path, database_url="", mqtt_url="")
    engine = settings_engine(settings)
    try:
        with engine.connect() as held:  # a second connection is opened beside it
            assert pragmas(engine) == (-3 * 1024, 0)
            assert held.exec_driver_sql("PRAGMA cache_size").scalar_one() == -3 * 1024
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("name", "value"),
    [("SQLITE_CACHE_MIB", "0"), ("SQLITE_MMAP_MIB", "-1"), ("SQLITE_MMAP_MIB", "lots")],
)
def test_a_bad_size_is_refused_naming_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"HALLKEEPER_{name}", value)
    with pytest.raises(ConfigError) as info:
        load_settings(data_dir=tmp_path, database_url="", mqtt_url="")
    assert [variable for variable, _problem in info.value.problems] == [f"HALLKEEPER_{name}"]


def test_a_brief_write_gives_up_on_a_busy_database_instead_of_waiting(tmp_path: Path) -> None:
    """A last-use stamp must not hold a request behind a writer that keeps the lock."""
    engine = make_engine(f"sqlite:///{tmp_path / 'hall.db'}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE stamp (id INTEGER PRIMARY KEY, at TEXT)")
            conn.exec_driver_sql("INSERT INTO stamp VALUES (1, 'old')")
        stamp = update(table("stamp", column("id"), column("at"))).values(at="new")
        with engine.connect() as holder:
            holder.exec_driver_sql("UPDATE stamp SET at = 'held'")  # BEGIN IMMEDIATE: locked
            started = time.monotonic()
            assert brief_write(engine, stamp, wait_ms=100) is False
            assert time.monotonic() - started < 2  # not busy_timeout's 10 s
            holder.rollback()
        assert brief_write(engine, stamp, wait_ms=100) is True
        with engine.connect() as one, engine.connect() as two:
            assert one.connection.dbapi_connection is not two.connection.dbapi_connection
            for conn in (one, two):  # every pooled connection has the full busy timeout back
                raw = conn.connection.dbapi_connection
                assert raw is not None
                assert raw.execute("PRAGMA busy_timeout").fetchone() == (BUSY_TIMEOUT_MS,)
            assert one.exec_driver_sql("SELECT at FROM stamp").scalar_one() == "new"
    finally:
        engine.dispose()
