"""Benchmark: the statistics a ticket's issue reads, for N tickets waiting for its service.

    .venv/bin/python bench/queue_stats.py [N ...]

"row by row": the count, the oldest issue time and the people ahead through the calling
order's CASE, which reads every waiting ticket's row (the statement before migration 0104);
"index only": the statement `kiosk.tickets` runs now, three parts that read the index
ix_queue_ticket_waiting alone (a normal ticket issued after all the others has the count
before it). Microseconds per ticket, SQLite in a temporary folder. Prints figures; not a test.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import col, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kiosk.tickets as kt
from hallbase.db import settings_engine
from hallbase.models.types import UTCDateTime
from hallbase.settings import load_settings
from hallkeeper.app import prepare_database
from kiosk.models import Ticket

DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 1, tzinfo=UTC)
ROW_BY_ROW = select(
    func.count(),
    func.min(col(Ticket.issued_at), type_=UTCDateTime()),
    func.sum(sa.case((kt._BEFORE, 1), else_=0)),
).where(*kt._WAITING)


def measure(waiting: int) -> None:
    """Both statements for ``waiting`` tickets of one service, 200 times each."""
    settings = load_settings(data_dir=Path(tempfile.mkdtemp()), database_url="", mqtt_url="")
    engine = settings_engine(settings)
    prepare_database(settings, engine)
    with engine.begin() as conn:
        service = conn.exec_driver_sql("SELECT id FROM service LIMIT 1").scalar_one()
        rows = [
            {"day": DAY, "counter_service_id": service, "number": i, "leg": 0,
             "code": f"A{i}", "service_id": service, "channel": "normal", "status": "waiting",
             "issued_at": T0 + timedelta(seconds=i), "missing_documents": [], "recalls": 0,
             "head": False}
            for i in range(1, waiting + 1)
        ]  # fmt: skip
        conn.execute(sa.insert(Ticket.__table__), rows)  # type: ignore[attr-defined]
    now = T0 + timedelta(seconds=waiting)
    old = {"day": DAY, "service_id": service, "rank": 3, "issued_at": now,
           "ticket_id": waiting, "due_cut": now, "priority_first": True}  # fmt: skip
    new = {"day": DAY, "service_id": service, "issued_at": now}
    with engine.connect() as conn:
        for name, statement, params in (
            ("row by row", ROW_BY_ROW, old),
            ("index only", kt._STATS, new),
        ):
            conn.execute(statement, params).one()
            started = time.perf_counter()
            for _ in range(200):
                conn.execute(statement, params).one()
            spent = (time.perf_counter() - started) / 200 * 1e6
            print(f"{waiting:6d} waiting  {name:10s}  {spent:6.0f} us per ticket")
    engine.dispose()


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [500, 3000]:
        measure(n)
