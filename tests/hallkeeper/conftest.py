"""Fixtures of the shell's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.helpers import broker
from tests.helpers.db import migrated_sqlite


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database of the test's own (the alert outbox and its relays')."""
    with migrated_sqlite(tmp_path / "hallkeeper.db") as eng:
        yield eng


@pytest.fixture
def machine_broker() -> tuple[str, int]:
    """The machine's Mosquitto (skips, or fails in CI, when nothing listens there)."""
    return broker.machine_broker()
