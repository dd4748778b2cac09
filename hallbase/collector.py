"""Pausing Python's cyclic garbage collector while a batch builds many acyclic objects.

A month's evaluation makes ~250,000 small objects (facts, slot and day results) and an ADMS
batch tens of thousands; they survive until the batch is summarised or stored and hold no
reference cycles. Every collection their allocations trigger walks them again and frees
nothing (measured with `bench/attendance_month.py`: the evaluation takes about half as long
again with the collector running, even with the young-generation threshold that
`hallkeeper serve` sets). Reference counting frees them as usual while the collector rests.

Pauses nest and may overlap across threads: the collector resumes when the last one ends
(and stays off if it was off before the first). So that overlapping pauses under constant
load cannot starve it, a pause that ends after the collector has rested for `MAX_REST`
seconds runs a collection itself.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from time import monotonic

MAX_REST = 2.0  # seconds

_lock = threading.Lock()
_open = 0  # pauses in progress
_since = 0.0  # when the collector was last paused or last ran during pauses
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector paused (see the module docstring)."""
    global _open, _since, _was_enabled
    with _lock:
        if _open == 0:
            _was_enabled = gc.isenabled()
            _since = monotonic()
            gc.disable()
        _open += 1
    try:
        yield
    finally:
        collect = False
        with _lock:
            _open -= 1
            if _open == 0:
                if _was_enabled:
                    gc.enable()
            elif _was_enabled and monotonic() - _since > MAX_REST:
                _since = monotonic()
                collect = True
        if collect:
            gc.collect()
