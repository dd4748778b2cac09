"""Waiting for what a test expects instead of sleeping a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(check: Callable[[], T], timeout: float = 15.0, interval: float = 0.02) -> T:
    """Poll ``check`` until it returns something truthy and return that; fail the test with
    the last value when ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    value = check()
    while not value:
        assert time.monotonic() < deadline, f"not reached within {timeout}s: last {value!r}"
        time.sleep(interval)
        value = check()
    return value
