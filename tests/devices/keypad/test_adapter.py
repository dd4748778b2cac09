"""The keypad bus adapter over a real pty, against simulated keypads with line faults."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.events import BadRecord
from devices.keypad.adapter import KeypadBus
from devices.keypad.protocol import (
    CallBack,
    CallNext,
    Evaluate,
    KeyEvent,
    NoShow,
    Pause,
    Transfer,
    encode_event,
    encode_frame,
)
from devices.keypad.simulator import Fault, KeypadSimulator


class Collector:
    def __init__(self) -> None:
        self.events: list[KeyEvent] = []
        self.bad: list[BadRecord] = []
        self._cond = threading.Condition()

    def event(self, event: KeyEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def bad_record(self, record: BadRecord) -> None:
        with self._cond:
            self.bad.append(record)
            self._cond.notify_all()

    def wait(self, count: int, timeout: float = 5.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: len(self.events) >= count, timeout)


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def keypads() -> Iterator[KeypadSimulator]:
    with KeypadSimulator(ack_timeout=0.5, retries=3) as sim:
        yield sim


@pytest.fixture
def collector() -> Collector:
    return Collector()


@pytest.fixture
def bus(keypads: KeypadSimulator, collector: Collector) -> Iterator[KeypadBus]:
    with KeypadBus(
        keypads.path, collector.event, on_bad=collector.bad_record, dedupe_window=30
    ) as keypad_bus:
        assert keypad_bus.wait_available()
        yield keypad_bus


def test_presses_are_acknowledged_and_delivered(
    keypads: KeypadSimulator, bus: KeypadBus, collector: Collector
) -> None:
    presses: list[KeyEvent] = [
        CallNext(3),
        Evaluate(3, 5),
        Transfer(3, 8),
        NoShow(3, "012"),
        CallBack(3, "012"),
        Pause(3),
    ]
    for event in presses:
        assert keypads.press(event)
    assert collector.wait(len(presses))
    assert collector.events == presses
    assert keypads.acks == [encode_event(e) for e in presses]
    assert keypads.resends == 0


@pytest.mark.parametrize("fault", list(Fault))
def test_line_faults(
    keypads: KeypadSimulator, bus: KeypadBus, collector: Collector, fault: Fault
) -> None:
    assert keypads.press(Evaluate(6, 4), fault)
    assert keypads.press(CallNext(6))
    assert collector.wait(2)
    assert collector.events == [Evaluate(6, 4), CallNext(6)]
    # only a corrupted frame needs the keypad to send again
    assert keypads.resends == (1 if fault is Fault.BAD_CHECKSUM else 0)
    if fault is not Fault.SPLIT:
        assert bus.parser.dropped > 0


def test_lost_ack_resend_is_not_delivered_twice(
    keypads: KeypadSimulator, bus: KeypadBus, collector: Collector
) -> None:
    keypads.ignore_acks = 1
    assert keypads.press(CallNext(2))
    assert keypads.resends == 1
    assert bus.duplicates == 1
    assert keypads.press(Pause(2))
    assert collector.wait(2)
    assert collector.events == [CallNext(2), Pause(2)]


def test_same_press_after_the_dedupe_window_counts_again(keypads: KeypadSimulator) -> None:
    clock = FakeClock()
    collector = Collector()
    with KeypadBus(keypads.path, collector.event, dedupe_window=1.0, clock=clock) as bus:
        assert bus.wait_available()
        assert keypads.press(CallNext(5))
        assert keypads.press(CallNext(5))  # within the window: acknowledged, not delivered
        clock.now += 1.0
        assert keypads.press(CallNext(5))
        assert collector.wait(2)
        assert bus.acks == 3 and bus.duplicates == 1
    assert collector.events == [CallNext(5), CallNext(5)]


def test_unknown_key_is_acked_and_reported_with_its_bytes(
    keypads: KeypadSimulator, bus: KeypadBus, collector: Collector
) -> None:
    frame = encode_frame(4, 0x42, b"\x01")
    assert keypads.send_frame(frame)
    assert keypads.press(CallNext(4))
    assert collector.wait(1)
    assert collector.events == [CallNext(4)]
    assert len(collector.bad) == 1
    assert collector.bad[0].raw == frame
    assert "unknown function 0x42" in collector.bad[0].reason


def test_no_ack_when_nobody_listens(keypads: KeypadSimulator) -> None:
    keypads.ack_timeout = 0.05
    keypads.retries = 2
    assert not keypads.press(CallNext(1))
    assert keypads.resends == 2
    assert len(keypads.sent) == 3


def test_failing_handler_does_not_stop_the_bus(keypads: KeypadSimulator) -> None:
    seen: list[KeyEvent] = []

    def handler(event: KeyEvent) -> None:
        seen.append(event)
        raise RuntimeError("consumer bug")

    with KeypadBus(keypads.path, handler) as bus:
        assert bus.wait_available()
        assert keypads.press(CallNext(1))
        assert keypads.press(CallNext(2))
    assert seen == [CallNext(1), CallNext(2)]


def test_unplugged_line_then_back(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    link = str(tmp_path / "ttyKEYPAD")
    collector = Collector()
    with (
        caplog.at_level(logging.INFO, logger="devices.keypad.adapter"),
        KeypadSimulator(link_path=link) as keypads,
        KeypadBus(link, collector.event, reopen_interval=0.05) as bus,
    ):
        assert bus.wait_available()
        assert keypads.press(CallNext(1))
        assert collector.wait(1)  # read before the line is pulled: bytes in flight die with it
        keypads.pty.close()
        deadline = time.monotonic() + 5
        while bus.available and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not bus.available
        os.unlink(link)
        keypads.pty.open()
        assert bus.wait_available()
        assert keypads.press(Evaluate(1, 3))
        assert collector.wait(2)
    assert collector.events == [CallNext(1), Evaluate(1, 3)]
    messages = [r.message for r in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1
    assert sum(m.endswith("recovered") for m in messages) == 1
