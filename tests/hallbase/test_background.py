"""The background loop: one named daemon thread between start and stop; `repeat`'s rounds."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

import pytest

from hallbase.background import BackgroundLoop, repeat

WAIT = 5.0  # seconds an event may take to come on a slow machine


class Recorder:
    """A loop that notes its thread and runs until its stop event is set."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.events: list[threading.Event] = []
        self.running = threading.Event()

    def __call__(self, stop: threading.Event) -> None:
        self.threads.append(threading.current_thread())
        self.events.append(stop)
        self.running.set()
        stop.wait()


def test_start_and_stop_are_idempotent_and_restartable() -> None:
    loop = Recorder()
    background = BackgroundLoop("test-loop", loop)
    assert background.stop() is True  # never started: nothing to wait for
    background.start()
    background.start()
    assert loop.running.wait(WAIT) and background.running
    assert [t.name for t in loop.threads] == ["test-loop"] and loop.threads[0].daemon
    assert background.stop() is True
    assert not background.running and not loop.threads[0].is_alive()
    assert background.stop() is True
    loop.running.clear()
    background.start()
    assert loop.running.wait(WAIT)
    assert len(loop.threads) == 2 and loop.events[0] is not loop.events[1]
    assert not loop.events[1].is_set()
    assert background.stop() is True and not loop.threads[1].is_alive()


def test_request_stop_does_not_wait() -> None:
    release = threading.Event()
    stopped = threading.Event()

    def loop(stop: threading.Event) -> None:
        stop.wait()
        stopped.set()
        release.wait(WAIT)

    background = BackgroundLoop("test-loop", loop)
    background.start()
    background.request_stop()
    assert stopped.wait(WAIT) and background.running  # told, still finishing
    release.set()
    assert background.stop() is True


def test_a_loop_that_does_not_stop_is_reported(caplog: pytest.LogCaptureFixture) -> None:
    release = threading.Event()
    background = BackgroundLoop("stubborn", lambda _stop: release.wait(WAIT), stop_seconds=0.05)
    background.start()
    with caplog.at_level(logging.WARNING, logger="hallbase.background"):
        assert background.stop() is False
    assert "stubborn: still running after its stop" in caplog.text
    release.set()


def test_an_error_ending_the_loop_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    def loop(_stop: threading.Event) -> None:
        raise RuntimeError("broken wire")

    background = BackgroundLoop("failing", loop)
    with caplog.at_level(logging.ERROR, logger="hallbase.background"):
        background.start()
        assert background.stop() is True
    assert "failing: the background loop ended on an error" in caplog.text
    assert "broken wire" in caplog.text


def test_repeat_keeps_going_after_a_failed_round(caplog: pytest.LogCaptureFixture) -> None:
    rounds: list[timedelta | None] = [None, timedelta(milliseconds=1)]  # None: the default wait
    done = threading.Event()
    calls = 0
    steps = logging.getLogger("test.steps")

    def step() -> timedelta | None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ValueError("bad row")
        if calls == 4:
            done.set()
        return rounds[calls % 2]

    loop = repeat(step, every=0.001, first=0.0, logger=steps, failed="round failed; retrying")
    background = BackgroundLoop("repeating", loop)
    with caplog.at_level(logging.ERROR, logger="test.steps"):
        background.start()
        assert done.wait(WAIT)
        assert background.stop() is True
    assert calls >= 4
    failures = [r for r in caplog.records if r.name == "test.steps"]
    assert [r.getMessage() for r in failures] == ["round failed; retrying"]
    assert failures[0].exc_info is not None


def test_repeat_waits_first_and_returns_on_stop() -> None:
    calls = 0

    def step() -> None:
        nonlocal calls
        calls += 1

    stop = threading.Event()
    stop.set()  # stopped before the first wait is over: no round at all
    repeat(step, every=3600.0, logger=logging.getLogger("test"), failed="x")(stop)
    assert calls == 0
    fresh = threading.Event()
    runner = threading.Thread(
        target=repeat(step, every=3600.0, logger=logging.getLogger("test"), failed="x"),
        args=(fresh,),
    )
    runner.start()
    fresh.set()  # ends the hour's wait at once
    runner.join(WAIT)
    assert not runner.is_alive() and calls == 0
