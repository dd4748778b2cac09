"""Group commit on SQLite: many writes share one transaction and one fsync, yet each one
succeeds or fails on its own, and only what committed is answered and published."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

from sqlalchemy import event, text

from hallbase.db import make_engine
from hallbase.settings import Settings
from hallkeeper.app import create_app
from kiosk import lookup
from kiosk.api.common import Queue
from kiosk.api.writer import group_writer
from kiosk.config import QueueConfig
from kiosk.context import Ctx
from kiosk.errors import Conflict
from kiosk.events import EventBus
from kiosk.tickets import issue, ticket_public
from tests.helpers.queue import MONDAY_9AM, Clock

QUOTA = 5


async def _issue_all(queue: Queue, services: list[str]) -> list[Any]:
    def op(service: str) -> Any:
        return lambda ctx: ticket_public(ctx, issue(ctx, service))

    # Submitted together, before the writer finishes its first group: they share groups.
    return await asyncio.gather(*(queue.awrite(op(s)) for s in services), return_exceptions=True)


def test_a_failing_write_rolls_back_alone_and_publishes_nothing(
    settings: Settings, tmp_path: Any
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'group.db'}")
    create_app(settings, engine=engine)  # migrate and seed
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE service SET daily_quota = :q WHERE code = 'consult'"), {"q": QUOTA}
        )
    lookup.invalidate()
    bus = EventBus()
    sub = bus.subscribe()
    queue = Queue(engine, settings, QueueConfig(), bus, Clock(MONDAY_9AM))
    # Interleaved: every other write is refused by the quota after it bumped the counter.
    services = ["consult", "social_security"] * 20
    outcomes = asyncio.run(_issue_all(queue, services))

    consult = [o for s, o in zip(services, outcomes, strict=True) if s == "consult"]
    social = [o for s, o in zip(services, outcomes, strict=True) if s == "social_security"]
    assert all(isinstance(o, dict) for o in social)
    assert [o["number"] for o in social] == list(range(1, 21))
    issued = [o for o in consult if isinstance(o, dict)]
    refused = [o for o in consult if isinstance(o, Conflict)]
    assert [o["number"] for o in issued] == list(range(1, QUOTA + 1))
    assert len(refused) == 20 - QUOTA and "daily quota" in refused[0].detail
    with engine.connect() as conn:
        # The refused writes' counter bumps were rolled back with their savepoints.
        bumped = conn.execute(
            text(
                "SELECT last_number FROM queue_counter JOIN service ON service.id = service_id"
                " WHERE code = 'consult'"
            )
        ).scalar_one()
        stored = conn.execute(text("SELECT count(*) FROM queue_ticket")).scalar_one()
    assert bumped == QUOTA and stored == 20 + QUOTA
    published = []
    while (event := sub.get(timeout=0)) is not None:
        published.append(event)
    assert sorted(e.data["ticket_id"] for e in published if e.kind == "ticket.issued") == sorted(
        o["id"] for o in social + issued
    )
    engine.dispose()


def test_writes_are_grouped_into_fewer_commits(settings: Settings, tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'group.db'}")
    create_app(settings, engine=engine)
    commits = [0]

    @event.listens_for(engine, "commit")
    def _count(_conn: Any) -> None:
        commits[0] += 1

    queue = Queue(engine, settings, QueueConfig(), EventBus(), Clock(MONDAY_9AM))
    outcomes = asyncio.run(_issue_all(queue, ["social_security"] * 40))
    assert [o["number"] for o in outcomes] == list(range(1, 41))
    assert commits[0] < 40  # at least some writes shared a commit
    assert group_writer(engine) is group_writer(engine)
    engine.dispose()


def test_an_unexpected_error_reaches_its_caller_only(settings: Settings, tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'group.db'}")
    create_app(settings, engine=engine)
    queue = Queue(engine, settings, QueueConfig(), EventBus(), Clock(MONDAY_9AM))
    bad = RuntimeError("boom")

    def broken(ctx: Ctx) -> Any:
        issue(ctx, "consult")
        raise bad

    async def run() -> list[Any]:
        good = [queue.awrite(lambda ctx: issue(ctx, "consult").number) for _ in range(3)]
        return await asyncio.gather(queue.awrite(broken), *good, return_exceptions=True)

    first, *rest = asyncio.run(run())
    assert first is bad
    assert rest == [1, 2, 3]  # the broken write's number was rolled back
    engine.dispose()


def test_a_caller_that_gave_up_does_not_stop_the_writer(settings: Settings, tmp_path: Any) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'group.db'}")
    create_app(settings, engine=engine)
    queue = Queue(engine, settings, QueueConfig(), EventBus(), Clock(MONDAY_9AM))
    holding, release = threading.Event(), threading.Event()

    def slow_issue(ctx: Ctx) -> int:
        holding.set()  # the writer is busy with this write until the test releases it
        assert release.wait(10)
        return issue(ctx, "consult").number

    async def run() -> int:
        # The first write holds the writer; the second is cancelled while it waits its turn.
        slow = asyncio.ensure_future(queue.awrite(slow_issue))
        assert await asyncio.to_thread(holding.wait, 10)
        submitted = asyncio.Event()

        async def doomed_write() -> int:
            submitted.set()  # awrite hands the write to the writer before it first waits
            return await queue.awrite(lambda ctx: issue(ctx, "consult").number)

        doomed = asyncio.ensure_future(doomed_write())
        await submitted.wait()
        doomed.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await doomed
        release.set()
        assert await slow == 1
        # The writer is still alive and the cancelled write never ran: no number was skipped.
        return await asyncio.wait_for(
            queue.awrite(lambda ctx: issue(ctx, "consult").number), timeout=10
        )

    assert asyncio.run(run()) == 2
    engine.dispose()
