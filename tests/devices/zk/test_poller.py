"""The poller against the simulator: catch-up, live punches, one log line down, one up."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import pytest

from devices.events import Punch
from devices.zk.adapter import ZKClient
from devices.zk.poller import ZKPoller
from devices.zk.simulator import ZKSimulator
from tests.helpers.waiting import wait_until
from tests.helpers.zk import zk_client


def test_poller_catches_up_listens_and_logs_down_and_up_once(
    sim: ZKSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    sim.generate_records(20)
    got: list[Punch] = []

    def on_punches(punches: Sequence[Punch]) -> None:
        got.extend(punches)

    def make_client() -> ZKClient:
        return zk_client(sim, timeout=0.3, transfer_timeout=2.0)

    failures: list[Exception] = []
    poller = ZKPoller(
        make_client,
        on_punches,
        on_down=lambda client, exc: failures.append(exc),
        keepalive=0.3,
        backoff_initial=0.05,
        backoff_max=0.2,
    )
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,))
    caplog.set_level(logging.INFO, logger="devices.zk.poller")
    thread.start()
    try:
        assert wait_until(lambda: len(got) == 20 and sim.subscribers() == 1)
        sim.inject_punches([("1001", 1, 0), ("1003", 2, 1)])
        assert wait_until(lambda: len(got) == 22)
        assert [p.pin for p in got[-2:]] == ["1001", "1003"]

        sim.faults.silent = True
        assert wait_until(lambda: poller.available is False)
        # Three failed attempts in a row: still one "unavailable" line (checked below).
        assert wait_until(lambda: len(failures) >= 3)
        sim.faults.silent = False
        assert wait_until(lambda: poller.available is True)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    downs = [r for r in caplog.records if "unavailable" in r.getMessage()]
    ups = [r for r in caplog.records if "is back" in r.getMessage()]
    assert len(downs) == 1 and len(ups) == 1
    assert sim.enabled
