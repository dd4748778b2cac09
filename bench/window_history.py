"""Benchmark: closing a window's open state period as the history grows.

    .venv/bin/python bench/window_history.py [PERIODS_PER_WINDOW ...]

Each state change of a window (call, start, finish, away ...) closes its open period and opens
the next with the statements `kiosk.live` runs. The history is kept all year: a busy window has
about 50,000 periods after one. Microseconds per change, on SQLite in a temporary folder, with
40 windows' periods: through the open periods' partial index (migration 0105), then with that
index dropped (the plan before it). Prints figures; not a test.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hallbase.db import settings_engine
from hallbase.settings import load_settings
from hallkeeper.app import prepare_database
from kiosk.live import _CLOSE_PERIOD, _HISTORY, _OPEN_PERIOD

T0 = datetime(2025, 11, 24, 1, tzinfo=UTC)
WINDOWS = 40
CHANGES = 200


def measure(periods: int) -> None:
    """Close-and-open ``CHANGES`` times on window 3, ``periods`` closed periods a window."""
    settings = load_settings(data_dir=Path(tempfile.mkdtemp()), database_url="", mqtt_url="")
    engine = settings_engine(settings)
    prepare_database(settings, engine)
    with engine.begin() as conn:
        step = timedelta(minutes=5)
        for start in range(0, periods * WINDOWS, 50_000):
            rows = [
                {"window_number": i % WINDOWS + 1, "state": "serving", "staff_no": None,
                 "start": T0 + i // WINDOWS * step, "end": T0 + (i // WINDOWS + 1) * step}
                for i in range(start, min(start + 50_000, periods * WINDOWS))
            ]  # fmt: skip
            conn.execute(sa.insert(_HISTORY), rows)
        now = T0 + periods * step
        opened = {"window_number": 3, "state": "idle", "staff_no": None, "start": now}
        conn.execute(_OPEN_PERIOD, opened)
    for label in ("open periods' index", "window's index only"):
        with engine.begin() as conn:
            if label == "window's index only":
                conn.exec_driver_sql("DROP INDEX ix_queue_window_history_open")
            started = time.perf_counter()
            for _ in range(CHANGES):
                conn.execute(_CLOSE_PERIOD, {"number": 3, "now": now})
                conn.execute(_OPEN_PERIOD, opened)
            spent = (time.perf_counter() - started) / CHANGES * 1e6
        print(f"{periods:7d} periods a window  {label:20s}  {spent:8.0f} us per state change")
    engine.dispose()


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [1_000, 50_000]:
        measure(n)
