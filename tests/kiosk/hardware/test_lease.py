"""Two service instances on one PostgreSQL with one set of queue devices: one drives them.

Both instances hear every queue event (`kiosk.pgrelay`); the printer simulator counts what
reaches it, so a ticket printed by both would show up twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.db import make_engine
from hallbase.lease import current
from hallbase.settings import Settings
from hallkeeper.app import create_app
from kiosk.hardware.coordinator import LEASE_NAME, QueueDevices, install_queue_devices
from kiosk.hardware.simulated import QueueSimulators, start_simulators
from tests.helpers.queue import MONDAY_9AM, Clock, as_admin
from tests.helpers.queue_devices import post, section
from tests.helpers.waiting import wait_until

RENEW_S = 0.2  # the configured renewal; a non-owner tries as often


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[QueueSimulators]:
    sims = start_simulators(tmp_path / "sims")
    try:
        yield sims
    finally:
        for sim in (sims.keypads, sims.boards, sims.printer):
            sim.stop()


def instance(
    engine: Engine, settings: Settings, clock: Clock, sims: QueueSimulators
) -> tuple[Any, QueueDevices]:
    """One service instance with the hall's devices configured (the same devices for all)."""
    app = create_app(settings, engine=engine, clock=clock)
    devices = install_queue_devices(app, section(sims, lease_renew_s=RENEW_S))
    assert devices is not None
    return app, devices


@contextmanager
def two_instances(
    pg_database: str, settings: Settings, sims: QueueSimulators
) -> Iterator[tuple[Clock, list[Engine], list[tuple[Any, QueueDevices]]]]:
    """Two instances on one fresh PostgreSQL database, their shared clock and engines."""
    from tests.helpers.services import reset_pg

    reset_pg(pg_database)
    clock = Clock(MONDAY_9AM)
    engines = [make_engine(pg_database), make_engine(pg_database)]
    try:
        yield clock, engines, [instance(e, settings, clock, sims) for e in engines]
    finally:
        for engine in engines:
            engine.dispose()


def printed_once(sims: QueueSimulators, codes: list[str]) -> None:
    """Each ticket in ``codes`` is on exactly one printed job, and nothing else was printed."""
    jobs = sims.printer.jobs
    assert sorted(code for code in codes for job in jobs if code in job) == sorted(codes), jobs
    assert len(jobs) == len(codes) == sims.printer.cuts


def untouched(devices: QueueDevices) -> bool:
    """The instance opened none of the devices."""
    assert devices.keypads is not None and devices.led is not None
    return not (devices.keypads.available or devices.led.available or devices._threads)


@pytest.mark.postgres
def test_two_instances_print_once_and_the_other_takes_over_on_a_clean_stop(
    pg_database: str, settings: Settings, sims: QueueSimulators
) -> None:
    with two_instances(pg_database, settings, sims) as (_clock, engines, pair):
        (app1, one), (app2, two) = pair
        with ExitStack() as first:
            c1 = first.enter_context(TestClient(app1))
            c2 = TestClient(app2).__enter__()
            try:
                as_admin(app1, c1)
                as_admin(app2, c2)
                assert app1.state.bus.remote and app2.state.bus.remote  # events cross
                assert one.lease.held and not two.lease.held
                assert one.keypads is not None and one.keypads.wait_available()
                codes = [
                    post(client, "/tickets", {"service": "consult"})["code"]
                    for client in (c1, c2, c2, c1)
                ]
                assert sims.printer.wait_for_cuts(4)
                printed_once(sims, codes)
                assert untouched(two)
                assert sims.printer.connections == 1
                row = current(engines[0], LEASE_NAME)
                assert row is not None and row.owner == one.lease.owner
                # The owner stops: it gives the lease back, and the other takes the devices
                # over at its next try and prints the next ticket.
                first.close()
                wait_until(lambda: two.lease.held, timeout=5 * RENEW_S + 5)
                assert two.keypads is not None and two.keypads.wait_available()
                codes.append(post(c2, "/tickets", {"service": "consult"})["code"])
                assert sims.printer.wait_for_cuts(5)
                printed_once(sims, codes)
                assert two.led is not None
                wait_until(lambda: two.led is not None and two.led.available)
            finally:
                c2.__exit__(None, None, None)


@pytest.mark.postgres
def test_an_owner_that_stops_renewing_is_replaced_when_its_lease_expires(
    pg_database: str, settings: Settings, sims: QueueSimulators
) -> None:
    with two_instances(pg_database, settings, sims) as (clock, engines, pair):
        (app1, one), (app2, two) = pair
        with TestClient(app1) as c1, TestClient(app2) as c2:
            as_admin(app1, c1)
            as_admin(app2, c2)
            codes = [post(c2, "/tickets", {"service": "consult"})["code"]]
            assert sims.printer.wait_for_cuts(1)
            assert one.lease.held and untouched(two)
            # The owner hangs: its renewals stop, it still hears events. Before the lease
            # ends (30 s on the clock) the other keeps off the devices...
            one.lease.halt()
            seen = two.lease.steps
            clock.advance(seconds=25)
            wait_until(lambda: two.lease.steps >= seen + 2)
            assert not two.lease.held
            # ... and after, takes them over within its next try and prints the next ticket;
            # the hung owner, its lease over by the clock, prints nothing more.
            clock.advance(seconds=6)
            wait_until(lambda: two.lease.held, timeout=5 * RENEW_S + 5)
            assert not one.lease.confirm()
            codes.append(post(c1, "/tickets", {"service": "consult"})["code"])
            codes.append(post(c2, "/tickets", {"service": "consult"})["code"])
            assert sims.printer.wait_for_cuts(3)
            assert sims.printer.wait_for(codes[-1])
            printed_once(sims, codes)
            row = current(engines[1], LEASE_NAME)
            assert row is not None and row.owner == two.lease.owner


def test_a_single_instance_holds_the_lease_on_sqlite(
    settings: Settings, sims: QueueSimulators
) -> None:
    app = create_app(settings, clock=Clock(MONDAY_9AM))  # the data directory's SQLite
    engine = app.state.engine
    assert engine.dialect.name == "sqlite"
    devices = install_queue_devices(app, section(sims))
    assert devices is not None
    with TestClient(app) as client:
        as_admin(app, client)
        assert devices.lease.held
        row = current(engine, LEASE_NAME)
        assert row is not None and row.owner == devices.lease.owner
        assert row.expires_at == MONDAY_9AM + timedelta(seconds=devices.config.lease_s)
        code = post(client, "/tickets", {"service": "consult"})["code"]
        assert sims.printer.wait_for_cuts(1)
        printed_once(sims, [code])
    assert current(engine, LEASE_NAME) is None  # given back on the way out
