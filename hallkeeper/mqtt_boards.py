"""Networked boards over MQTT: what each window's board shows, retained per window.

The instance that drives the queue's devices (it holds their lease, `hallbase.lease`) publishes
every change of a window's board to ``<prefix>/<hall>/window/<n>/board`` as JSON
``{"window", "text", "blinking", "state", "number", "at"}``, retained, so that a board that
connects late (or again) gets the current content at once. ``state`` is ``calling``
(blinking), ``serving`` (steady) or the window's state (``idle``, ``paused``, ``closed`` ...)
when the board shows it, with ``number`` null. When an instance takes the devices over it
publishes every window's state again.

The window's state and number called for screens and Home Assistant are on
``<prefix>/<hall>/window/<n>/state``, for every window whether or not the hall has devices
(`hallkeeper.mqtt_windows`).

The board goes out through this instance's `MqttRelay` connection with QoS 0: a message published
while the broker is away is dropped rather than kept, and every window's latest content is
published again as soon as the connection is back. (Kept QoS 1 messages would be sent after
that, and a stale one would then stay retained.)
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable

from paho.mqtt.enums import MQTTErrorCode

from hallkeeper.mqtt import MqttRelay
from kiosk.hardware.boards import BoardContent

log = logging.getLogger(__name__)


class BoardTopics:
    """A board watcher (`kiosk.hardware.boards.BoardWatcher`) publishing on the relay's broker.

    ``live`` tells whether this instance drives the devices now; an instance that lost them
    does not publish its last contents again on a reconnect.
    """

    def __init__(self, relay: MqttRelay, live: Callable[[], bool]) -> None:
        self.relay = relay
        self.live = live
        self._latest: dict[int, str] = {}
        self._lock = threading.Lock()  # a change and a republish never cross
        relay.on_connected.append(self.republish)

    def topic(self, window: int) -> str:
        """The retained topic of window ``window``'s board."""
        return f"{self.relay.base}/window/{window}/board"

    def __call__(self, content: BoardContent) -> None:
        """Publish what the window's board shows now (retained, replacing the last)."""
        body = json.dumps(content.body(), ensure_ascii=False)
        with self._lock:
            self._latest[content.window] = body
            self._send(content.window, body)

    def republish(self) -> None:
        """Publish every window's latest content again (the connection is back)."""
        with self._lock:
            if not self.live():
                self._latest.clear()
                return
            for window, body in sorted(self._latest.items()):
                self._send(window, body)

    def _send(self, window: int, body: str) -> None:
        info = self.relay.client.publish(self.topic(window), body, qos=0, retain=True)
        if info.rc not in (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_NO_CONN):
            log.warning("board of window %d not published on MQTT: %s", window, info.rc)
