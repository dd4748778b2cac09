"""What one statement of the queue's writer costs the interpreter: a ticket read by primary key
with `kiosk.records.TICKETS.get` (SQLAlchemy Core's `Connection.execute` of a cached statement,
the row turned into a record), against the SQL and parameters it sends, on the SQLite driver's
cursor. In process, on a migrated SQLite database in a temporary directory; prints figures, it
is not a test.

    .venv/bin/python bench/statement_cost.py [--rounds 20000]

The driver figure is a floor, not an alternative: the queue reads and writes through
SQLAlchemy's public API only. A ticket's flow (issue, call, start, finish) runs 15-18 statements.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_common import machine

from hallbase.db import settings_engine, write_session
from hallbase.settings import load_settings
from hallkeeper.app import prepare_database
from kiosk.records import TICKETS


def per_call(fn: Callable[[], object], rounds: int) -> float:
    """Microseconds per call of ``fn``, the best of three timed passes after a warm-up."""
    for _ in range(rounds // 10):
        fn()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(rounds):
            fn()
        best = min(best, (time.perf_counter() - start) / rounds)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data:
        settings = load_settings(data_dir=Path(data), database_url="", mqtt_url="")
        engine = settings_engine(settings)
        prepare_database(settings, engine)
        now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        with write_session(engine) as session:
            ticket = TICKETS.insert(
                session,
                day=now.date(),
                counter_service_id=1,
                number=1,
                code="A001",
                service_id=1,
                channel="normal",
                issued_at=now,
                missing_documents=[],
            )
        with Session(engine) as session:
            # The SQL and parameters `Rows.get` sends, for the driver to run as they are.
            sent: list[tuple[str, tuple[object, ...]]] = []

            def note(
                _conn: object, _cursor: object, sql: str, params: tuple[object, ...], *_: object
            ) -> None:
                sent.append((sql, params))

            event.listen(engine, "before_cursor_execute", note)
            found = TICKETS.get(session, ticket.id)
            event.remove(engine, "before_cursor_execute", note)
            assert found is not None and found.code == "A001"
            [(sql, params)] = [(q, p) for q, p in sent if q.startswith("SELECT")]  # not BEGIN
            core = per_call(lambda: TICKETS.get(session, ticket.id), args.rounds)
            raw = session.connection().connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            assert cursor.execute(sql, params).fetchone()[0] == ticket.id
            driver = per_call(lambda: cursor.execute(sql, params).fetchone(), args.rounds)
        engine.dispose()
    print(machine())
    print(f"Core Connection.execute, one ticket by key, as a record: {core:6.1f} us")
    print(f"the same SQL on the driver's cursor (no types, a tuple):  {driver:6.1f} us")
    print(f"ratio {core / driver:.1f}x")


if __name__ == "__main__":
    main()
