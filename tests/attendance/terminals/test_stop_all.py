"""Stopping many ZK terminals at once: bounded in all, and none left disabled."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from attendance.terminals.supervisor import STOP_SECONDS, DeviceWatch, Sink, ZKTerminal
from devices.zk.simulator import ZKSimulator
from hallbase.hallconfig import DeviceEntry
from hallbase.settings import Settings
from hallkeeper import migrations
from tests.helpers.waiting import wait_until

TERMINALS = 30
READING = 5  # of them, in the middle of a log download when the service stops
DELAY = 0.5  # seconds each simulated terminal takes to answer once the stop is near


@pytest.mark.parametrize("any_engine", ["sqlite"], indirect=True)
def test_stopping_many_terminals_takes_one_stop_not_one_per_terminal(
    any_engine: Engine, settings: Settings
) -> None:
    migrations.upgrade(any_engine)
    sims = [ZKSimulator(serial=f"SIM{i:07d}") for i in range(TERMINALS)]
    readers = sims[:READING]
    for sim in readers:
        sim.generate_records(20_000)  # a dozen buffered chunks, DELAY each: seconds to read
        sim.faults.delay = DELAY
    for sim in sims:
        sim.start()
    sink = Sink(any_engine, settings, lambda: datetime.now(UTC))
    terminals = [
        ZKTerminal(
            DeviceEntry(serial=s.device.serial, protocol="zk_tcp", address=f"127.0.0.1:{s.port}"),
            sink,
        )
        for s in sims
    ]
    watch = DeviceWatch(any_engine, terminals, sink.clock)
    try:
        watch.start()
        wait_until(lambda: all(s.subscribers() == 1 for s in sims[READING:]), timeout=60)
        wait_until(lambda: not any(s.enabled for s in readers), timeout=60)  # being read
        for sim in sims[READING:]:
            sim.faults.delay = DELAY
        started = time.monotonic()
        watch.stop()
        took = time.monotonic() - started
        # One by one, each link's goodbye alone waits DELAY for its answer.
        assert took < TERMINALS * DELAY, f"{took:.1f} s: the links were stopped one by one"
        assert took < STOP_SECONDS + 1
        names = {f"zk-{s.device.serial}" for s in sims}
        assert not [t.name for t in threading.enumerate() if t.name in names]
        assert all(s.enabled for s in readers), "a terminal read at stop was left disabled"
        assert not any(t.outages for t in terminals)  # a stop is no outage
    finally:
        watch.stop()
        for sim in sims:
            sim.stop()
