"""Fast paths of the queue's writes give exactly what the plain path gives.

A group of operations committed together by the SQLite writer (no SAVEPOINT per operation,
with its fallback when a failing one had written) must leave the database and answer every
caller exactly as the same operations run one by one, each in its own transaction.
"""

from __future__ import annotations

import asyncio
import gc
import shutil
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text
from sqlmodel import Session

from hallbase.db import make_engine
from hallbase.models import HolidayOverride
from hallbase.settings import Settings
from hallkeeper.app import GC_YOUNG_THRESHOLD, create_app, settle_heap
from kiosk import calling, lookup, transfers
from kiosk.api.common import Queue
from kiosk.committed import add_working_days, hall_workdays
from kiosk.config import QueueConfig
from kiosk.context import Ctx
from kiosk.errors import Conflict
from kiosk.events import EventBus
from kiosk.models import Ticket, WindowLive
from kiosk.ordering import sort_key
from kiosk.records import LIVES, TICKETS, TicketRecord, WindowLiveRecord, ticket_json
from kiosk.tickets import issue, ticket_public
from tests.helpers.queue import MONDAY_9AM, Clock

SERVICES = ("company_setup", "license_change", "social_security", "household", "consult")
WINDOWS = (1, 2, 3, 4)
TABLES = (
    "queue_counter",
    "queue_ticket",
    "queue_window_live",
    "queue_window_history",
    "queue_committed_item",
)
QUOTA = 3  # consult's daily quota: refusals after the counter was bumped


class Broken(RuntimeError):
    """An operation failing after it wrote."""


Op = tuple[str, Any]
ops = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), st.sampled_from(SERVICES)),
        st.tuples(
            st.sampled_from(["call", "start", "finish", "no_show"]), st.sampled_from(WINDOWS)
        ),
        st.tuples(st.just("broken"), st.sampled_from(SERVICES)),
    ),
    min_size=1,
    max_size=30,
)


def _operation(op: Op) -> Callable[[Ctx], Any]:
    kind, arg = op
    if kind == "issue":
        return lambda ctx: ticket_public(ctx, issue(ctx, arg))
    if kind == "broken":

        def broken(ctx: Ctx) -> Any:
            issue(ctx, arg)
            raise Broken("after a write")

        return broken
    action = {
        "call": calling.call_next,
        "start": calling.start,
        "finish": lambda ctx, n: transfers.finish(ctx, n, "done"),
        "no_show": calling.no_show,
    }[kind]
    return lambda ctx: ticket_public(ctx, action(ctx, arg), with_estimate=False)


def _outcome(value: Any) -> Any:
    if isinstance(value, BaseException):
        return (type(value).__name__, str(value))
    if isinstance(value, dict):  # a ticket's token is random: present, but never the same
        return {k: v if k != "public_token" else bool(v) for k, v in value.items()}
    return value


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every queue table's rows, in id order (a ticket's random token: only whether it is set)."""
    with engine.connect() as conn:
        out = {}
        for t in TABLES:
            result = conn.execute(text(f"SELECT * FROM {t} ORDER BY 1, 2"))
            names = list(result.keys())
            out[t] = [
                tuple(bool(v) if n == "public_token" else v for n, v in zip(names, r, strict=True))
                for r in result
            ]
        return out


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path]:
    """A migrated, seeded database file to copy for each example."""
    from hallbase.settings import load_settings

    base = tmp_path_factory.mktemp("fast")
    hall = load_settings(data_dir=base, database_url="", mqtt_url="")
    path = base / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    create_app(hall, engine=engine)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE service SET daily_quota = :q WHERE code = 'consult'"), {"q": QUOTA}
        )
    engine.dispose()
    return hall, path


def _copy(template: tuple[Settings, Path], name: str) -> Engine:
    path = template[1]
    # A new file each time: the writer and the caches are per database URL.
    target = path.with_name(f"{name}-{uuid.uuid4().hex}.db")
    shutil.copy(path, target)
    lookup.invalidate()
    return make_engine(f"sqlite:///{target}")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops)
def test_group_commit_equals_one_transaction_each(
    template: tuple[Settings, Path], plan: list[Op]
) -> None:
    hall = template[0]
    grouped_engine, serial_engine = _copy(template, "grouped"), _copy(template, "serial")
    try:
        grouped = Queue(grouped_engine, hall, QueueConfig(), EventBus(), Clock(MONDAY_9AM))
        serial = Queue(serial_engine, hall, QueueConfig(), EventBus(), Clock(MONDAY_9AM))

        async def together() -> list[Any]:
            # Submitted together, so that they share groups.
            calls = (grouped.awrite(_operation(op)) for op in plan)
            return await asyncio.gather(*calls, return_exceptions=True)

        got = [_outcome(o) for o in asyncio.run(together())]
        expected = []
        for op in plan:
            try:
                expected.append(_outcome(serial.write(_operation(op))))
            except Exception as exc:
                expected.append(_outcome(exc))
        assert got == expected
        assert dump(grouped_engine) == dump(serial_engine)
    finally:
        grouped_engine.dispose()
        serial_engine.dispose()


lives = st.builds(
    dict,
    window_number=st.integers(1, 10_000),
    state=st.sampled_from(["idle", "serving", "paused", "away"]),
    staff_no=st.one_of(st.none(), st.text(alphabet="0123456789ABC", min_size=1, max_size=20)),
    since=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=lives, second=lives, fields=st.sets(st.sampled_from(["state", "staff_no", "since"])))
def test_records_read_and_write_as_the_orm_does(
    template: tuple[Settings, Path], first: dict[str, Any], second: dict[str, Any], fields: set[str]
) -> None:
    engine = _copy(template, "rows")
    try:
        number = first["window_number"]
        with Session(engine) as session:
            session.add(WindowLive(**first))
            session.commit()
        with Session(engine) as session:
            record = LIVES.get(session, number)
            orm = session.get(WindowLive, number)
            assert record is not None and orm is not None
            assert record == WindowLiveRecord(**orm.model_dump())
            changes = {name: second[name] for name in sorted(fields)}
            changed = LIVES.update(session, record, **changes)
            assert changed == replace(record, **changes)
            session.commit()
        with Session(engine) as session:
            stored = session.get(WindowLive, number)
            assert stored is not None
            expected = {**first, **changes}
            assert stored.model_dump() == WindowLive(**expected).model_dump()
            assert LIVES.get(session, number) == changed
            assert LIVES.get(session, number + 1) is None
    finally:
        engine.dispose()


def test_a_ticket_record_is_the_table_row_and_shows_as_the_model_does(
    template: tuple[Settings, Path],
) -> None:
    engine = _copy(template, "ticket")
    queue = Queue(engine, template[0], QueueConfig(), EventBus(), Clock(MONDAY_9AM))
    try:
        made = queue.write(lambda ctx: issue(ctx, "company_setup"))
        with Session(engine) as session:
            orm = session.get(Ticket, made.id)
            assert orm is not None
            assert made == TicketRecord(**orm.model_dump())
            assert ticket_json(made) == orm.model_dump(mode="json")
            assert TICKETS.get(session, made.id) == made
    finally:
        engine.dispose()


waiting = st.lists(
    st.builds(
        dict,
        service=st.sampled_from(["company_setup", "license_change"]),
        channel=st.sampled_from(["normal", "priority", "appointment"]),
        head=st.booleans(),
        target_window=st.sampled_from([None, None, 1, 2]),
        due_minutes=st.integers(-30, 60),
        issued_minutes=st.integers(-120, 0),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tickets=waiting, priority_first=st.booleans())
def test_call_next_calls_the_first_by_the_queue_order(
    template: tuple[Settings, Path], tickets: list[dict[str, Any]], priority_first: bool
) -> None:
    engine = _copy(template, "order")
    config = QueueConfig(priority_first=priority_first)
    clock = Clock(MONDAY_9AM)
    try:
        queue = Queue(engine, template[0], config, EventBus(), clock)

        def seed(ctx: Ctx) -> list[TicketRecord]:
            out = []
            for spec in tickets:
                ticket = TICKETS.update(
                    ctx.session,
                    issue(ctx, spec["service"]),
                    channel=spec["channel"],
                    head=spec["head"],
                    target_window=spec["target_window"],
                    due_at=ctx.now + timedelta(minutes=spec["due_minutes"]),
                    issued_at=ctx.now + timedelta(minutes=spec["issued_minutes"]),
                )
                out.append(ticket)
            return out

        made = queue.write(seed)
        service_ids = queue.read(
            lambda ctx: list(lookup.window_by_number(ctx.session, 1).service_ids)
        )
        now = clock()
        mine = [t for t in made if t.service_id in service_ids and t.target_window in (None, 1)]

        def key(t: TicketRecord) -> tuple[int, int, Any, int]:
            rank, issued, tid = sort_key(t, now, config)
            return (rank, service_ids.index(t.service_id), issued, tid)

        called = queue.write(lambda ctx: calling.call_next(ctx, 1).id)
        assert called == min(mine, key=key).id
    except Conflict:
        assert not mine
    finally:
        engine.dispose()


def test_settle_heap_freezes_start_up_and_collects_young_objects_less_often() -> None:
    thresholds = gc.get_threshold()
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *thresholds[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)),
    days=st.integers(0, 90),
    overrides=st.dictionaries(st.integers(-100, 200), st.booleans(), max_size=60),
    earlier=st.integers(1, 40),
)
@example(start=date(2026, 12, 31), days=3, overrides={0: True}, earlier=1)  # shipped date
def test_promised_dates_read_only_the_overrides_they_need(
    template: tuple[Settings, Path],
    start: date,
    days: int,
    overrides: dict[int, bool],
    earlier: int,
) -> None:
    engine = _copy(template, "holidays")
    try:
        with Session(engine) as session:
            for offset, workday in overrides.items():
                day = start + timedelta(days=offset)
                # merge: the shipped hall file already overrides some dates (2026-12-31)
                session.merge(HolidayOverride(day=day, workday=workday, note=f"n{offset}"))
            session.commit()
        with Session(engine) as session:
            every = hall_workdays(session)
            narrow = hall_workdays(session, start)
            assert add_working_days(start, days, narrow) == add_working_days(start, days, every)
            before = start - timedelta(days=earlier)
            assert narrow(before) == every(before)
    finally:
        engine.dispose()
