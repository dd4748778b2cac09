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
from devices.keypad.keys import KeyEvent, KeyPress, Score, acknowledgement, encode_event
from devices.keypad.protocol import FrameParser, encode_frame
from devices.keypad.simulator import Fault, KeypadSimulator

CALL = KeyPress(3, "call")


def CallNext(address: int) -> KeyPress:
    return KeyPress(address, "call")


class Collector:
    def __init__(self, done: bool = True) -> None:
        self.events: list[KeyEvent] = []
        self.bad: list[BadRecord] = []
        self.done = done  # what the queue answers: acted on (acknowledge) or refused
        self._cond = threading.Condition()

    def event(self, event: KeyEvent) -> bool:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()
        return self.done

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
        CALL,
        KeyPress(3, "evaluate"),
        Score(103, 0, 5),
        KeyPress(3, "transfer", (8,)),
        KeyPress(3, "no_show"),
        KeyPress(3, "call_back"),
        KeyPress(3, "pause"),
    ]
    for event in presses:
        assert keypads.press(event)
    assert collector.wait(len(presses))
    assert collector.events == presses
    expected = [acknowledgement(FrameParser().feed(encode_event(e))[0]) for e in presses]
    assert keypads.acks == expected
    assert keypads.acks[2] == bytes.fromhex("ff 68 03 03 68 67 01 00 68 16")  # score: FUNC 0x01
    assert keypads.resends == 0


def test_a_refused_press_is_not_acknowledged(keypads: KeypadSimulator) -> None:
    collector = Collector(done=False)
    keypads.ack_timeout = 0.2
    keypads.retries = 1
    with KeypadBus(keypads.path, collector.event, dedupe_window=30) as bus:
        assert bus.wait_available()
        assert not keypads.press(CALL)  # the queue did nothing: the keypad hears nothing
        assert keypads.acks == [] and keypads.resends == 1
        # judged again when sent again (a refusal is not remembered as done)
        assert collector.events == [CALL, CALL] and bus.refused == 2
        collector.done = True
        assert keypads.press(CALL)
        assert keypads.acks == [encode_event(CALL)]


def test_displays_reach_the_keypad(keypads: KeypadSimulator, bus: KeypadBus) -> None:
    assert bus.show(3, number=12)
    assert keypads.wait_display(3, None, "012")
    assert bus.show(3, waiting=4)
    assert keypads.wait_display(3, "004", None)
    assert keypads.displays(3) == [(None, "012"), ("004", None)]
    assert keypads.acks == []  # a display is not an acknowledgement


@pytest.mark.parametrize("fault", list(Fault))
def test_line_faults(
    keypads: KeypadSimulator, bus: KeypadBus, collector: Collector, fault: Fault
) -> None:
    assert keypads.press(Score(6, 2, 3), fault)
    assert keypads.press(CallNext(6))
    assert collector.wait(2)
    assert collector.events == [Score(6, 2, 3), CallNext(6)]
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
    assert keypads.press(KeyPress(2, "pause"))
    assert collector.wait(2)
    assert collector.events == [CallNext(2), KeyPress(2, "pause")]


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


def test_unknown_key_is_not_acked_and_reported_with_its_bytes(
    keypads: KeypadSimulator, bus: KeypadBus, collector: Collector
) -> None:
    keypads.retries = 0
    frame = encode_frame(4, 0x42, b"\x01")
    assert not keypads.send_frame(frame)
    assert keypads.press(CallNext(4))
    assert collector.wait(1)
    assert collector.events == [CallNext(4)]
    assert len(collector.bad) == 1
    assert collector.bad[0].raw == frame
    assert "function 0x42" in collector.bad[0].reason and "unknown function" in (
        collector.bad[0].reason
    )


def test_no_ack_when_nobody_listens(keypads: KeypadSimulator) -> None:
    keypads.ack_timeout = 0.05
    keypads.retries = 2
    assert not keypads.press(CallNext(1))
    assert keypads.resends == 2
    assert len(keypads.sent) == 3


def test_failing_handler_does_not_stop_the_bus(keypads: KeypadSimulator) -> None:
    seen: list[KeyEvent] = []

    def handler(event: KeyEvent) -> bool:
        seen.append(event)
        if event.address == 1:
            raise RuntimeError("consumer bug")
        return True

    keypads.retries = 0
    with KeypadBus(keypads.path, handler) as bus:
        assert bus.wait_available()
        assert not keypads.press(CallNext(1))  # nothing was done: no acknowledgement
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
        assert keypads.press(Score(1, 1, 4))
        assert collector.wait(2)
    assert collector.events == [CallNext(1), Score(1, 1, 4)]
    messages = [r.message for r in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1
    assert sum(m.endswith("recovered") for m in messages) == 1
