"""Fixtures of the shell's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hallbase.db import make_engine
from hallkeeper import migrations
from tests.helpers import broker


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database of the test's own (the alert outbox and its relays')."""
    eng = make_engine(f"sqlite:///{tmp_path / 'hallkeeper.db'}")
    migrations.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def machine_broker() -> tuple[str, int]:
    """The machine's Mosquitto (skips, or fails in CI, when nothing listens there)."""
    return broker.machine_broker()
