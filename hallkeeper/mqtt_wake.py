"""Waking the relay when another instance commits an alert: PostgreSQL LISTEN/NOTIFY.

A transaction that queued an alert on PostgreSQL sends ``NOTIFY hallkeeper_alerts``
(`hallbase.alerts.ALERT_CHANNEL`), delivered when it commits. `PgWake` holds one connection of
its own (outside the engine's pool) that LISTENs on the channel, and calls ``wake`` for every
notification, so an alert committed by any instance leaves within milliseconds. A lost
connection is opened again after a pause; the relay's poll finds the alerts in between.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import Engine

from hallbase.alerts import ALERT_CHANNEL
from hallbase.background import BackgroundLoop
from hallbase.pg_listen import libpq_url, listen

RETRY_SECONDS = 2.0  # pause before opening a lost connection again


class PgWake:
    """Background part: calls ``wake`` whenever an alert was committed on the database."""

    def __init__(self, engine: Engine, wake: Callable[[], None]) -> None:
        self.url = libpq_url(engine)
        self.wake = wake
        self.listening = threading.Event()  # set while a LISTEN is in place
        self.notifications = 0
        self._background = BackgroundLoop("mqtt-relay-listen", self._run)

    def start(self) -> None:
        self._background.start()

    def stop(self) -> None:
        self._background.request_stop()
        self._background.stop()

    def _up(self) -> None:
        self.listening.set()
        self.wake()  # alerts committed while nobody listened

    def _note(self, _payload: str) -> None:
        self.notifications += 1
        self.wake()

    def _run(self, stop: threading.Event) -> None:
        listen(
            self.url,
            ALERT_CHANNEL,
            stop,
            what="alert notifications (the relay polls meanwhile)",
            on_up=self._up,
            on_note=self._note,
            on_down=self.listening.clear,
            retry_seconds=RETRY_SECONDS,
            connect_timeout=5,
        )
        self.listening.clear()
