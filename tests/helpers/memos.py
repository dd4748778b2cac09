"""The attendance engine's module-level memos, by entries: what must not grow with use."""

from __future__ import annotations

from attendance_engine import dayplan, evaluate, schedule


def engine_memo_sizes() -> dict[str, int]:
    """Every memo of the engine that an evaluation goes through, by entries."""
    return {
        "planned": len(evaluate._PLANNED),
        "schedule sets": len(evaluate._SCHEDULE_SETS),
        "day plans": len(dayplan._PLANS),
        "slots": len(dayplan._SLOTS),
        "offsets": schedule.at_offset.cache_info().currsize,
        "windows": schedule._cached_windows.cache_info().currsize,
    }
