"""SQLite connections: the page cache and memory map sized by the settings, on every connection."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from hallbase.db import SQLITE_CACHE_MIB, SQLITE_MMAP_MIB, make_engine, settings_engine
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
