"""Queue settings that differ between halls: day boundary, priority channel, limits, events.

The hall file (`config/hall.toml`) has no `[queue]` section yet, so these live here with the
defaults most halls use; `install_queue(app, config=...)` takes another set.
"""

from __future__ import annotations

from dataclasses import dataclass

PRIORITY_REASONS = ("elderly", "disabled", "military")


@dataclass(frozen=True, slots=True)
class QueueConfig:
    """How this hall runs its queue."""

    reset_hour: int = 0  # numbers restart at this hall-local hour (0 = midnight)
    priority_reasons: tuple[str, ...] = PRIORITY_REASONS  # 绿色通道 categories accepted
    priority_first: bool = True  # priority tickets go before ordinary ones
    recall_limit: int = 3  # recalls allowed before the window must mark a no-show
    appointment_early_minutes: int = 0  # an appointment counts as due this long before its slot
    appointment_late_minutes: int = 30  # check-in still accepted this long after the slot ends
    max_waiting: int = 100  # waiting tickets per service above which an alert is raised
    default_service_minutes: float = 8.0  # for the estimate before any ticket was served today
    id_pepper: str = ""  # secret mixed into ID-card hashes (set per installation)
    event_ring: int = 1000  # events kept for Last-Event-ID resume
    subscriber_queue: int = 256  # events a subscriber may lag before it is dropped
    heartbeat_seconds: float = 15.0

    def __post_init__(self) -> None:
        if not 0 <= self.reset_hour <= 23:
            raise ValueError(f"reset_hour must be 0..23, got {self.reset_hour}")
        if self.recall_limit < 0:
            raise ValueError("recall_limit must be >= 0")
