"""Waking the relay when another instance commits an alert: PostgreSQL LISTEN/NOTIFY.

A transaction that queued an alert on PostgreSQL sends ``NOTIFY hallkeeper_alerts``
(`hallbase.alerts.ALERT_CHANNEL`), delivered when it commits. `PgWake` holds one connection of
its own (outside the engine's pool) that LISTENs on the channel, and calls ``wake`` for every
notification, so an alert committed by any instance leaves within milliseconds. A lost
connection is opened again after a pause; the relay's poll finds the alerts in between.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

from hallbase.alerts import ALERT_CHANNEL
from hallbase.background import BackgroundLoop

log = logging.getLogger(__name__)
RETRY_SECONDS = 2.0  # pause before opening a lost connection again
CHECK_SECONDS = 0.5  # how often the listener looks whether it is asked to stop


def libpq_url(engine: Engine) -> str:
    """The engine's database as a libpq URL (without the SQLAlchemy driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


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

    def _run(self, stop: threading.Event) -> None:
        failed = False
        while not stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {ALERT_CHANNEL}")
                    self.listening.set()
                    if failed:
                        log.info("alert notifications: listening again")
                        failed = False
                    self.wake()  # alerts committed while nobody listened
                    while not stop.is_set():
                        for _note in conn.notifies(timeout=CHECK_SECONDS):
                            self.notifications += 1
                            self.wake()
            except psycopg.Error as exc:
                self.listening.clear()
                if not failed:
                    log.warning("alert notifications: %s; the relay polls until it is back", exc)
                    failed = True
                stop.wait(RETRY_SECONDS)
        self.listening.clear()
