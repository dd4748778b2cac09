"""The bus writer: gaps and resends decided on a fake clock, then over a real pty."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.led.adapter import BusScheduler, LedBus
from devices.led.protocol import encode_window_frame
from devices.led.simulator import BoardBusSimulator
from devices.led.transport import SerialBus
from tests.helpers.waiting import wait_until


class FakeClock:
    """Stands still until the test moves it; counts how often the writer looked at it."""

    def __init__(self) -> None:
        self.now = 100.0
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return self.now


def test_scheduler_keeps_the_gap_and_the_order() -> None:
    sched = BusScheduler(min_gap=0.25, resend_interval=10)
    sched.set(1, b"one")
    sched.set(2, b"two")
    assert sched.next(100.0) == (1, 0.0)
    sched.sent(1, 100.0)
    address, wait = sched.next(100.1)
    assert address is None and wait == pytest.approx(0.15)
    assert sched.next(100.25) == (2, 0.0)


def test_scheduler_latest_content_replaces_unsent() -> None:
    sched = BusScheduler(min_gap=0.25, resend_interval=10)
    sched.set(1, b"A012")
    sched.set(1, b"A013")
    assert sched.pending == 1
    assert sched.next(0.0) == (1, 0.0)
    assert sched.content(1) == b"A013"


def test_scheduler_resends_oldest_board_when_due() -> None:
    sched = BusScheduler(min_gap=0.25, resend_interval=10)
    for board in (1, 2):
        sched.set(board, b"x")
    assert sched.next(0.0) == (1, 0.0)
    sched.sent(1, 0.0)
    assert sched.next(0.3) == (2, 0.0)
    sched.sent(2, 0.3)
    address, wait = sched.next(1.0)
    assert address is None and wait == pytest.approx(9.0)
    assert sched.next(10.0) == (1, 0.0)
    sched.sent(1, 10.0)
    assert sched.next(10.3) == (2, 0.0)


def test_bus_uses_the_injected_clock() -> None:
    clock = FakeClock()
    with BoardBusSimulator() as sim, LedBus(sim.path, min_gap=0.25, clock=clock) as bus:
        bus.show(1, "A001")
        assert sim.wait_for(1, "A001")
        bus.show(2, "A002")
        # The fake clock stands still: the gap never elapses, nothing more is sent. The writer
        # reads the clock when it plans (and when it has sent) a frame: four reads after show()
        # are a whole round with A002 queued, whatever the writer was doing when it was called.
        seen = clock.reads
        wait_until(lambda: clock.reads >= seen + 4)
        assert bus.frames_sent == 1 and sim.showing(2) is None
        clock.now += 0.25
        assert sim.wait_for(2, "A002")


@pytest.fixture
def sim() -> Iterator[BoardBusSimulator]:
    with BoardBusSimulator(min_gap=0.1) as simulator:
        yield simulator


def test_boards_show_text_with_gaps_kept(sim: BoardBusSimulator) -> None:
    with LedBus(sim.path, min_gap=0.2, text_limits={99: 128}) as bus:
        bus.show(1, "请A012号到1号窗口", blink_times=3)
        bus.show(2, "暂停服务", blink=True)
        bus.show(99, "请A012号到1号窗口　请B003号到2号窗口　请C101号到5号窗口")
        assert bus.flush()
        assert bus.available
    first, second = sim.showing(1), sim.showing(2)
    assert first is not None and first.blink_times == 3
    assert second is not None and second.blinking
    assert sim.wait_for(99, "请A012号到1号窗口　请B003号到2号窗口　请C101号到5号窗口")
    assert [f.frame.address for f in sim.frames] == [1, 2, 99]
    assert sim.violations == []
    assert sim.dropped_bytes == 0


def test_simulator_detects_frames_sent_too_close(sim: BoardBusSimulator) -> None:
    port = SerialBus(sim.path)
    port.open()
    try:
        port.write(encode_window_frame(1, "A") + encode_window_frame(2, "B"))
        port.write(encode_window_frame(3, "C"))
    finally:
        port.close()
    assert sim.wait_for(3, "C")
    assert len(sim.violations) == 2
    assert all(v.gap < 0.1 for v in sim.violations)


def test_boards_get_their_content_again_after_a_power_blink(sim: BoardBusSimulator) -> None:
    with LedBus(sim.path, min_gap=0.05, resend_interval=0.3) as bus:
        bus.show(4, "B020")
        bus.show(5, "B021")
        assert sim.wait_for(5, "B021")
        sim.power_cycle()
        assert sim.showing(4) is None
        assert sim.wait_for(4, "B020")
        assert sim.wait_for(5, "B021")


def test_bad_text_fails_in_the_caller(sim: BoardBusSimulator) -> None:
    with LedBus(sim.path) as bus, pytest.raises(ValueError, match="at most 64 allowed"):
        bus.show(1, "很长的文字" * 10)


def test_unplugged_adapter_then_plugged_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    link = str(tmp_path / "ttyRS485")
    with (
        caplog.at_level(logging.INFO, logger="devices.led.adapter"),
        BoardBusSimulator(link_path=link) as sim,
        LedBus(link, min_gap=0.05, resend_interval=0.2, reopen_interval=0.1) as bus,
    ):
        bus.show(1, "A001")
        assert sim.wait_for(1, "A001")
        sim.pty.close()  # unplugged: writes now fail
        wait_until(lambda: not bus.available, timeout=5)
        os.unlink(link)
        sim.pty.open()  # a new adapter appears behind the same link
        assert sim.wait_for(1, "A001")
        wait_until(lambda: bus.available, timeout=5)
    messages = [r.message for r in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1
    assert sum(m.endswith("recovered") for m in messages) == 1
