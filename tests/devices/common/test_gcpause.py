"""The collector pause: nests, spans threads, restores the collector's state, cannot starve it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from devices.common import gcpause
from devices.common.gcpause import collector_paused


@pytest.fixture(autouse=True)
def _collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_pauses_nest_and_the_collector_resumes_after_the_last() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_the_collector_resumes_after_an_exception() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_overlapping_pauses_in_two_threads() -> None:
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with collector_paused():
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=hold)
    worker.start()
    assert inside.wait(10)
    with collector_paused():
        pass
    assert not gc.isenabled()  # the other thread's pause is still open
    release.set()
    worker.join(10)
    assert gc.isenabled()


def test_a_long_pause_collects_when_a_nested_one_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gcpause, "MAX_PAUSE", 0.0)
    before = gc.get_stats()[2]["collections"]
    with collector_paused():
        with collector_paused():
            pass
        assert gc.get_stats()[2]["collections"] == before + 1  # a full collection ran
        assert not gc.isenabled()
    assert gc.isenabled()


def test_bulk_decorator_runs_the_function_paused() -> None:
    @gcpause.bulk
    def state(x: int) -> tuple[int, bool]:
        return x * 2, gc.isenabled()

    assert state(21) == (42, False)
    assert gc.isenabled()
