"""Transport, adapter and simulator together over real pseudo-terminals and loop://."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from devices.errors import DeviceUnavailable
from devices.events import BadRecord, Punch
from devices.serial_reader.adapter import SerialReaderAdapter
from devices.serial_reader.simulator import SerialReaderSimulator
from devices.serial_reader.transport import SerialTransport
from tests.helpers.waiting import wait_until

SH = ZoneInfo("Asia/Shanghai")
ADAPTER_LOG = "devices.serial_reader.adapter"


# --- transport -----------------------------------------------------------------------------


def test_transport_loopback_url() -> None:
    transport = SerialTransport("loop://", read_timeout=0.05)
    transport.open()
    try:
        assert transport.read() == b""  # nothing yet: timeout, not an error
        transport.write(b"1001,2024-03-04 08:00:00\n")
        assert transport.read() == b"1001,2024-03-04 08:00:00\n"
    finally:
        transport.close()
    assert not transport.is_open
    with pytest.raises(DeviceUnavailable, match="not open"):
        transport.read()


def test_transport_reports_missing_port(tmp_path: Path) -> None:
    transport = SerialTransport(str(tmp_path / "no-such-port"))
    with pytest.raises(DeviceUnavailable, match="cannot open"):
        transport.open()


def test_transport_on_real_pty_and_unplug() -> None:
    with SerialReaderSimulator() as sim:
        transport = SerialTransport(sim.path, read_timeout=0.5)
        transport.open()
        sim.punch("7", datetime(2024, 3, 4, 8, tzinfo=SH))
        data = b""
        deadline = time.monotonic() + 5
        while not data.endswith(b"\r\n") and time.monotonic() < deadline:
            data += transport.read()
        assert data == b"7,2024-03-04 08:00:00\r\n"
        sim.close()
        with pytest.raises(DeviceUnavailable, match="read failed"):
            for _ in range(10):
                transport.read()
        transport.close()


# --- adapter -------------------------------------------------------------------------------


@pytest.fixture
def link(tmp_path: Path) -> str:
    return str(tmp_path / "reader0")


@pytest.fixture
def sim(link: str) -> Iterator[SerialReaderSimulator]:
    simulator = SerialReaderSimulator(link, seed=7)
    simulator.open()
    yield simulator
    simulator.close()


class Collector:
    def __init__(self) -> None:
        self.punches: list[Punch] = []
        self.bad: list[BadRecord] = []
        self.idle = threading.Event()  # set when the reader has handed on all it was sent


@pytest.fixture
def collected() -> Collector:
    return Collector()


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every attempt of a serial transport to open its port: True when it opened."""
    attempts: list[bool] = []
    real_open = SerialTransport.open

    def counted(transport: SerialTransport) -> None:
        try:
            real_open(transport)
        except DeviceUnavailable:
            attempts.append(False)
            raise
        attempts.append(True)

    monkeypatch.setattr(SerialTransport, "open", counted)
    return attempts


@pytest.fixture
def adapter(link: str, collected: Collector) -> Iterator[SerialReaderAdapter]:
    reader = SerialReaderAdapter(
        link,
        device_sn="READER-1",
        on_punch=collected.punches.append,
        on_bad=collected.bad.append,
        on_idle=collected.idle.set,
        zone=SH,
        read_timeout=0.05,
        backoff_initial=0.02,
        backoff_max=0.1,
    )
    yield reader
    reader.stop()


def test_punches_arrive(
    sim: SerialReaderSimulator, adapter: SerialReaderAdapter, collected: Collector
) -> None:
    adapter.start()
    assert wait_until(lambda: adapter.available)
    moments = [datetime(2024, 3, 4, 8, minute, tzinfo=SH) for minute in range(3)]
    sim.punch("1001", moments[0], verify=1)
    sim.split_punch("1002", moments[1], parts=4)
    sim.punch("1003", moments[2])
    assert wait_until(lambda: len(collected.punches) == 3)
    assert [(p.pin, p.time, p.verify) for p in collected.punches] == [
        ("1001", moments[0], 1),
        ("1002", moments[1], None),
        ("1003", moments[2], None),
    ]
    assert all(p.device_sn == "READER-1" for p in collected.punches)
    assert collected.bad == []


def test_noise_is_skipped_and_good_records_kept(
    sim: SerialReaderSimulator, adapter: SerialReaderAdapter, collected: Collector
) -> None:
    adapter.start()
    assert wait_until(lambda: adapter.available)
    moment = datetime(2024, 3, 4, 9, 0, tzinfo=SH)
    sim.punch("2001", moment)
    sim.noise(24)
    sim.punch("2002", moment)
    sim.garbage(600)
    sim.punch("2003", moment)
    sim.partial("2004", moment)
    sim.punch("2005", moment)
    assert wait_until(lambda: len(collected.punches) >= 4)
    collected.idle.clear()  # the line goes quiet with nothing half-read: all is handed on
    assert collected.idle.wait(5)
    assert [p.pin for p in collected.punches] == ["2001", "2002", "2003", "2005"]
    assert len(collected.bad) >= 3  # the noise, the garbage, the cut line
    assert any(b.raw.startswith(b"2004,2024") for b in collected.bad)


def test_reconnects_after_unplug_and_logs_once_each_way(
    sim: SerialReaderSimulator,
    adapter: SerialReaderAdapter,
    collected: Collector,
    opens: list[bool],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger=ADAPTER_LOG)
    adapter.start()
    assert wait_until(lambda: adapter.available)
    sim.punch("3001", datetime(2024, 3, 4, 10, tzinfo=SH))
    assert wait_until(lambda: len(collected.punches) == 1)
    sim.close()
    assert wait_until(lambda: not adapter.available)
    failed = opens.count(False)
    assert wait_until(lambda: opens.count(False) >= failed + 3)  # reopening fails while unplugged
    sim.open()
    assert wait_until(lambda: adapter.available)
    sim.punch("3002", datetime(2024, 3, 4, 10, 5, tzinfo=SH))
    assert wait_until(lambda: len(collected.punches) == 2)
    assert [p.pin for p in collected.punches] == ["3001", "3002"]
    messages = [r.getMessage() for r in caplog.records if r.name == ADAPTER_LOG]
    assert len([m for m in messages if "unavailable" in m]) == 1
    assert len([m for m in messages if "available again" in m]) == 1


def test_port_missing_at_start_then_plugged_in(
    link: str, adapter: SerialReaderAdapter, collected: Collector, opens: list[bool]
) -> None:
    adapter.start()
    assert wait_until(lambda: opens.count(False) >= 2)  # no port yet: opening fails, again
    assert not adapter.available
    with SerialReaderSimulator(link) as simulator:
        assert wait_until(lambda: adapter.available)
        simulator.punch("4001", datetime(2024, 3, 4, 11, tzinfo=SH))
        assert wait_until(lambda: len(collected.punches) == 1)
        adapter.stop()
    assert not adapter.available


def test_failing_callback_does_not_stop_reading(sim: SerialReaderSimulator, link: str) -> None:
    seen: list[str] = []

    def on_punch(punch: Punch) -> None:
        seen.append(punch.pin)
        if punch.pin == "5001":
            raise RuntimeError("database down")

    reader = SerialReaderAdapter(link, device_sn="R5", on_punch=on_punch, read_timeout=0.05)
    reader.start()
    try:
        assert wait_until(lambda: reader.available)
        sim.punch("5001")
        sim.punch("5002")
        assert wait_until(lambda: seen == ["5001", "5002"])
        assert reader.available and reader.punches == 2
    finally:
        reader.stop()
