"""What every queue operation gets: the session, the time, the hall's zone, the queue settings,
and the list of events to publish once the transaction has committed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from kiosk.config import QueueConfig
from kiosk.events import QueueEvent
from kiosk.numbering import business_day


@dataclass
class Ctx:
    """One operation's context; ``events`` are published by the caller after commit."""

    session: Session
    now: datetime
    zone: ZoneInfo
    config: QueueConfig
    events: list[QueueEvent] = field(default_factory=list)
    # People ahead of tickets issued in this transaction, counted by the issuing statement.
    ahead: dict[int, int] = field(default_factory=dict)

    @property
    def day(self) -> date:
        """Today's business day."""
        return business_day(self.now, self.zone, self.config.reset_hour)

    @property
    def postgres(self) -> bool:
        """True on PostgreSQL (row locks with SKIP LOCKED); SQLite serialises writers itself."""
        return self.session.get_bind().dialect.name == "postgresql"

    def emit(self, kind: str, **data: Any) -> None:
        """Queue an event for publication after commit."""
        self.events.append(QueueEvent(kind, data))
