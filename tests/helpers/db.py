"""A test's own migrated SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from hallbase.db import make_engine
from hallkeeper import migrations


@contextmanager
def migrated_sqlite(path: Path) -> Iterator[Engine]:
    """An engine on a SQLite database at ``path`` brought to the latest schema; disposed after."""
    engine = make_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
