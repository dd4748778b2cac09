"""The one clock type and the real clock: every part takes a `Clock` so tests can set the hour."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The real time, timezone-aware (UTC)."""
    return datetime.now(UTC)
