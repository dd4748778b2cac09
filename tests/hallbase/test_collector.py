"""The collector pause: nests, resumes only when the last pause ends, never starves."""

from __future__ import annotations

import gc
import threading

import pytest

from hallbase import collector
from hallbase.collector import collector_paused


def test_pauses_nest_and_the_collector_resumes_after_the_last() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still open
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_pauses_in_threads_resume_once_both_end() -> None:
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with collector_paused():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with collector_paused():
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the other thread's pause is still open
    release.set()
    thread.join(10)
    assert gc.isenabled()


def test_a_long_rest_under_overlapping_pauses_runs_a_collection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = gc.get_stats()[2]["collections"]
    monkeypatch.setattr(collector, "MAX_REST", 0.0)
    with collector_paused():
        with collector_paused():
            pass  # ends while the outer pause is open, after more than MAX_REST
        assert gc.get_stats()[2]["collections"] == before + 1
        assert not gc.isenabled()
    assert gc.isenabled()
