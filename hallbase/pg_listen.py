"""A PostgreSQL LISTEN kept open: one connection of its own (outside the engine's pool) that
hands every notification on, and is opened again after a pause when it is lost.

Both the queue's events across instances (`kiosk.pgrelay`) and the alert relay's wake-up
(`hallkeeper.mqtt_wake`) listen this way; each says what listening, a notification and a
lost connection mean to it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

log = logging.getLogger(__name__)
CHECK_SECONDS = 0.5  # how often a listener looks whether it is asked to stop


def libpq_url(engine: Engine) -> str:
    """The engine's database as a libpq URL (without the SQLAlchemy driver name)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def listen(
    url: str,
    channel: str,
    stop: threading.Event,
    *,
    what: str,
    on_up: Callable[[], None],
    on_note: Callable[[str], None],
    on_down: Callable[[], None],
    retry_seconds: float,
    connect_timeout: int | None = None,
) -> None:
    """LISTEN on ``channel`` until ``stop``: ``on_up`` once each connection listens, ``on_note``
    with each notification's payload, ``on_down`` when the connection is lost (then a pause of
    ``retry_seconds``). ``what`` names the listener in the log (a loss logged once, until back);
    ``connect_timeout`` None: libpq's (psycopg leaves a None setting out)."""
    down = False
    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=connect_timeout) as conn:
                conn.execute(f"LISTEN {channel}")
                on_up()
                if down:
                    log.info("%s: listening on PostgreSQL again", what)
                    down = False
                while not stop.is_set():
                    for note in conn.notifies(timeout=CHECK_SECONDS):
                        on_note(note.payload)
        except psycopg.Error as exc:
            on_down()
            if not down:
                log.warning("%s: PostgreSQL listener down: %s", what, exc)
                down = True
            stop.wait(retry_seconds)
