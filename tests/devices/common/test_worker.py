"""The background worker: the thread runs until stopped, in and out of ``with`` blocks."""

from __future__ import annotations

import threading

from devices.common.worker import BackgroundWorker


class Ticker(BackgroundWorker):
    def __init__(self) -> None:
        super().__init__("ticker")
        self.ticks = 0
        self.thread_names: set[str] = set()
        self.started = threading.Event()

    def _run(self) -> None:
        self.thread_names.add(threading.current_thread().name)
        self.started.set()
        while not self._stop.is_set():
            self.ticks += 1
            self._stop.wait(0.01)


class Sleeper(BackgroundWorker):
    """Waits on its own condition, not on the stop flag: needs ``_wake``."""

    def __init__(self) -> None:
        super().__init__("sleeper")
        self.cond = threading.Condition()
        self.woken = 0

    def _wake(self) -> None:
        with self.cond:
            self.woken += 1
            self.cond.notify_all()

    def _run(self) -> None:
        with self.cond:
            while not self._stop.is_set():
                self.cond.wait(60)


def _worker_threads(name: str) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name]


def test_runs_until_stopped_and_restarts() -> None:
    ticker = Ticker()
    for _ in range(2):
        ticker.started.clear()
        ticker.start()
        assert ticker.started.wait(5)
        assert all(t.daemon for t in _worker_threads("ticker"))
        ticker.stop()
        assert _worker_threads("ticker") == []
    assert ticker.thread_names == {"ticker"}
    assert ticker.ticks >= 2


def test_with_block_starts_and_stops() -> None:
    with Ticker() as ticker:
        assert isinstance(ticker, Ticker)
        assert ticker.started.wait(5)
        assert len(_worker_threads("ticker")) == 1
    assert _worker_threads("ticker") == []


def test_stop_wakes_a_thread_waiting_elsewhere() -> None:
    sleeper = Sleeper()
    sleeper.start()
    sleeper.stop()  # would hang for the join timeout without the wake-up
    assert sleeper.woken == 1
    assert _worker_threads("sleeper") == []


def test_stop_before_start_is_harmless() -> None:
    Ticker().stop()
    assert _worker_threads("ticker") == []
