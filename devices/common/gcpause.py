"""Pausing the cyclic garbage collector while a report or a batch builds its results.

A month's report makes ~250,000 small objects (facts, slot and day results) that all
survive until it is summarised and contain no reference cycles; an ADMS batch makes tens
of thousands. The collection passes their allocations trigger visit them again and free
nothing: measured, a third of a month report's time and a quarter of a batch's. Reference
counting still frees everything as usual while the collector is paused.

Pauses nest and several threads may pause at once; the collector resumes when the last
pause ends (and stays off if it was off). So that overlapping pauses under constant load
cannot starve it, a pause that ends after the collector has been off for MAX_PAUSE runs a
collection itself.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from time import monotonic
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
MAX_PAUSE = 2.0  # seconds


class _Pauses:
    """How many pauses are open, since when, and whether the collector ran before them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.since = 0.0
        self.was_enabled = False


_pauses = _Pauses()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of the block (see module docstring)."""
    with _pauses.lock:
        if _pauses.depth == 0:
            _pauses.was_enabled = gc.isenabled()
            _pauses.since = monotonic()
            gc.disable()
        _pauses.depth += 1
    try:
        yield
    finally:
        collect = False
        with _pauses.lock:
            _pauses.depth -= 1
            if _pauses.depth == 0:
                if _pauses.was_enabled:
                    gc.enable()
            elif _pauses.was_enabled and monotonic() - _pauses.since > MAX_PAUSE:
                _pauses.since = monotonic()
                collect = True
        if collect:
            gc.collect()


def bulk(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a function so that it runs with the collector paused."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with collector_paused():
            return function(*args, **kwargs)

    return run
