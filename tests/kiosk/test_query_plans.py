"""SQLite's own plans for the statements a busy floor runs most: each reads an index made for
it, not every waiting ticket or every period a window ever had."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from hallbase.db import make_engine
from hallbase.settings import Settings
from hallkeeper.app import create_app
from kiosk import calling, lookup
from kiosk.api.common import Queue
from kiosk.config import QueueConfig
from kiosk.events import EventBus
from kiosk.tickets import issue
from tests.helpers.queue import MONDAY_9AM, Clock


@pytest.fixture
def engine(tmp_path: Path, settings: Settings) -> Iterator[Engine]:
    """A migrated, seeded SQLite database of the test's own."""
    engine = make_engine(f"sqlite:///{tmp_path / 'plans.db'}")
    create_app(settings, engine=engine)
    lookup.invalidate()
    yield engine
    engine.dispose()


def plans_of(engine: Engine, run: Any, table: str, verb: str) -> list[str]:
    """The plans of the ``verb`` statements on ``table`` that ``run()`` executes."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        words = statement.split()
        if words[0] == verb and table in words:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    with engine.connect() as conn:
        return [
            " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p))
            for s, p in seen
        ]


@pytest.mark.parametrize("priority_first", [True, False])
def test_the_next_ticket_is_read_from_the_indexes_not_by_sorting_the_queue(
    engine: Engine, settings: Settings, priority_first: bool
) -> None:
    """The special tickets from their partial index, each service's first from the waiting
    index in issue order (no sort)."""
    config = QueueConfig(priority_first=priority_first)
    queue = Queue(engine, settings, config, EventBus(), Clock(MONDAY_9AM))
    for service in ("license_change", "company_setup") * 20:
        queue.write(lambda ctx, s=service: issue(ctx, s))
    for service in ("license_change", "company_setup", "company_setup"):
        queue.write(lambda ctx, s=service: issue(ctx, s, "elderly"))  # the priority channel
    services = queue.read(lambda ctx: tuple(lookup.window_by_number(ctx.session, 1).service_ids))
    called = []

    def call() -> None:
        called.append(queue.write(lambda ctx: calling.next_waiting(ctx, 1, services)))

    plans = plans_of(engine, call, "queue_ticket", "SELECT")
    assert called[0] is not None
    assert called[0].channel == ("priority" if priority_first else "normal")
    assert "USING INDEX ix_queue_ticket_special" in plans[0], plans
    assert len(plans) == (1 if priority_first else 2), plans
    for plan in plans[1:]:
        assert "USING INDEX ix_queue_ticket_waiting" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


def test_a_state_change_closes_the_open_period_from_the_open_periods_index(
    engine: Engine, settings: Settings
) -> None:
    queue = Queue(engine, settings, QueueConfig(), EventBus(), Clock(MONDAY_9AM))
    for _ in range(3):
        queue.write(lambda ctx: issue(ctx, "company_setup"))

    def serve_one() -> None:
        queue.write(lambda ctx: calling.call_next(ctx, 1))
        queue.write(lambda ctx: calling.start(ctx, 1))

    plans = plans_of(engine, serve_one, "queue_window_history", "UPDATE")
    assert plans, "no period was closed"
    for plan in plans:
        assert "USING INDEX ix_queue_window_history_open" in plan, plan
