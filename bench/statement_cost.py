"""What one statement of the queue's writer costs the interpreter: a ticket read by primary key
through SQLAlchemy Core's `Connection.execute` (as `kiosk.records.Rows.get` reads it: a cached
statement, the row turned into a record), against the same SQL on the SQLite driver's cursor.
In process, on a migrated SQLite database in a temporary directory; prints figures, it is not a
test.

    .venv/bin/python bench/statement_cost.py [--rounds 20000]

The driver figure is a floor, not an alternative: the queue reads and writes through
SQLAlchemy's public API only. A ticket's flow (issue, call, start, finish) runs 15-18 statements.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench_common import ROOT, machine

assert ROOT  # the repository is on sys.path


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

    from sqlalchemy import bindparam

    from hallbase.db import settings_engine, write_session
    from hallbase.settings import load_settings
    from hallkeeper.app import prepare_database
    from kiosk.records import TICKETS

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
        # The statement `Rows.get` runs, built the same way.
        statement = TICKETS.query.where(TICKETS.table.c.id == bindparam("pk"))
        sql = str(statement.compile(engine))
        with engine.connect() as conn:
            row = conn.execute(statement, {"pk": ticket.id}).first()
            assert row is not None and TICKETS.record(*row).code == "A001"
            core = per_call(
                lambda: TICKETS.record(*conn.execute(statement, {"pk": ticket.id}).one()),
                args.rounds,
            )
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            assert cursor.execute(sql, (ticket.id,)).fetchone()[0] == ticket.id
            driver = per_call(lambda: cursor.execute(sql, (ticket.id,)).fetchone(), args.rounds)
        engine.dispose()
    print(machine())
    print(f"Core Connection.execute, one ticket by key, as a record: {core:6.1f} us")
    print(f"the same SQL on the driver's cursor (no types, a tuple):  {driver:6.1f} us")
    print(f"ratio {core / driver:.1f}x")


if __name__ == "__main__":
    main()
