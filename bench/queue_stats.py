"""Benchmark: the statistics a ticket's issue reads, and who a window's call takes, for N
tickets waiting for the service.

    .venv/bin/python bench/queue_stats.py [N ...]

"row by row": the count, the oldest issue time and the people ahead through the calling
order's CASE, which reads every waiting ticket's row (the statement before migration 0104);
"index only": the statement `kiosk.tickets` runs now, three parts that read the index
ix_queue_ticket_waiting alone (a normal ticket issued after all the others has the count
before it). Microseconds per ticket, SQLite in a temporary folder. Prints figures; not a test.

"one sort": who a call takes, by the one statement ordering every waiting ticket by the calling
order's CASE (before migration 0105); "two steps": `kiosk.calling.next_waiting` (the special
tickets' partial index, then the service's first waiting ticket in ix_queue_ticket_waiting).
Microseconds per call.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kiosk.tickets as kt
from hallbase.db import settings_engine
from hallbase.models.types import UTCDateTime
from hallbase.settings import load_settings
from hallkeeper.app import prepare_database
from kiosk.calling import next_waiting
from kiosk.config import QueueConfig
from kiosk.context import Ctx
from kiosk.models import Ticket
from kiosk.ordering import rank_params, rank_sql_params
from kiosk.records import TICKETS

DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 1, tzinfo=UTC)
# A service's waiting tickets as the statements before migrations 0104 and 0105 said it: the
# status bound, not the literal `kiosk.tickets.WAITING` compares it with.
WAITING_THEN = (
    col(Ticket.status) == "waiting",
    col(Ticket.day) == sa.bindparam("day"),
    col(Ticket.service_id) == sa.bindparam("service_id"),
)
ROW_BY_ROW = select(
    func.count(),
    func.min(col(Ticket.issued_at), type_=UTCDateTime()),
    func.sum(sa.case((kt._BEFORE, 1), else_=0)),
).where(*WAITING_THEN)
ONE_SORT = (
    TICKETS.query.where(
        *WAITING_THEN,
        sa.or_(col(Ticket.target_window).is_(None), col(Ticket.target_window) == 1),
    )
    .order_by(rank_sql_params(), col(Ticket.issued_at), col(Ticket.id))
    .limit(1)
)


def _one(conn: sa.Connection, statement: sa.Executable, params: dict[str, object]) -> object:
    return conn.execute(statement, params).one()


def timed(call: Callable[[], object]) -> float:
    """Microseconds per call of ``call``, over 200 after one."""
    call()
    started = time.perf_counter()
    for _ in range(200):
        call()
    return (time.perf_counter() - started) / 200 * 1e6


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
            spent = timed(partial(_one, conn, statement, params))
            print(f"{waiting:6d} waiting  {name:10s}  {spent:6.0f} us per ticket")
    config = QueueConfig()
    with Session(engine) as session:
        ctx = Ctx(session, now, settings.zone, config)
        sort = {"day": DAY, "service_id": service, **rank_params(now, config)}
        conn = session.connection()
        found = conn.execute(ONE_SORT, sort).first()
        assert found is not None and next_waiting(ctx, 1, (service,)) == TICKETS.record(*found)
        for name, call in (
            ("one sort", lambda: conn.execute(ONE_SORT, sort).first()),
            ("two steps", lambda: next_waiting(ctx, 1, (service,))),
        ):
            print(f"{waiting:6d} waiting  {name:10s}  {timed(call):6.0f} us per call")
    engine.dispose()


if __name__ == "__main__":
    for n in [int(a) for a in sys.argv[1:]] or [500, 3000]:
        measure(n)
