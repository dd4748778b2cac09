"""Fixtures of the lower layer's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.helpers.db import migrated_sqlite


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database of the test's own."""
    with migrated_sqlite(tmp_path / "hallkeeper.db") as eng:
        yield eng
