"""What every queue operation gets: the session, the time, the hall's zone, the queue settings,
and the list of events to publish once the transaction has committed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from kiosk.config import QueueConfig
from kiosk.events import QueueEvent
from kiosk.numbering import business_day


@dataclass(frozen=True)
class WindowChange:
    """A window went away or came back (or changed hands while away), in the caller's
    transaction: what the hall's attendance must judge at once (off post, 脱岗)."""

    window: int
    state_before: str
    state: str
    staff_before: str | None
    staff_no: str | None
    since: datetime  # when the state before began
    at: datetime

    @property
    def away_from(self) -> datetime:
        """The start of the away period this change opens or closes."""
        return self.since if self.state_before == "away" else self.at


# Called in the transaction of the change; the shell wires attendance in (rooms never import
# each other).
WindowWatcher = Callable[[Session, WindowChange], None]


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
    window_watchers: Sequence[WindowWatcher] = ()

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
