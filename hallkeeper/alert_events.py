"""Supervisors' pages learn of a new alert at once: a commit that queued one publishes
``alert.raised`` on the queue's event bus (`/api/v1/events`).

The outbox calls back after the commit (`hallbase.alerts.on_commit`), never before nor on a
rollback, so a page that reads the alerts on the event finds them. The event carries no data
(the page reads the list through `GET /api/v1/alerts`, which checks who asks), and the stream
gives alert events to the people who may read the alerts only (`kiosk.api.events.shown_to`).
The bus is per process: an alert committed by another instance reaches the page at its next
poll.
"""

from __future__ import annotations

from collections.abc import Callable

from hallbase.alerts import on_commit
from kiosk.events import ALERT_RAISED, EventBus


class AlertEvents:
    """Publishes ``alert.raised`` after each commit that queued an alert; a Component."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self._unhook: Callable[[], None] | None = None

    def _publish(self) -> None:
        self.bus.publish(ALERT_RAISED, {})

    def start(self) -> None:
        if self._unhook is None:
            self._unhook = on_commit(self._publish)

    def stop(self) -> None:
        if self._unhook is not None:
            self._unhook()
            self._unhook = None
