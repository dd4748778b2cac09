"""Networked boards over MQTT: what each window's board shows, retained per window.

The instance that drives the queue's devices (it holds their lease, `hallbase.lease`) publishes
every change of a window's board to ``<prefix>/<hall>/window/<n>/board`` as JSON
``{"window", "text", "blinking", "state", "number", "at"}``, with QoS 1 and retained, so that a
board that connects late (or again) gets the current content at once. ``state`` is
``calling`` (blinking), ``serving`` (steady) or the window's state (``idle``, ``paused``,
``closed`` ...) when the board shows it, with ``number`` null. When an instance takes the
devices over it publishes every window's state again.

It goes out through this instance's `MqttRelay` connection; paho keeps what is published
while the broker is away and sends it on reconnect.
"""

from __future__ import annotations

import json
import logging

from hallkeeper.mqtt import MqttRelay
from kiosk.hardware.boards import BoardContent

log = logging.getLogger(__name__)


class BoardTopics:
    """A board watcher (`kiosk.hardware.boards.BoardWatcher`) publishing on the relay's broker."""

    def __init__(self, relay: MqttRelay) -> None:
        self.relay = relay

    def topic(self, window: int) -> str:
        """The retained topic of window ``window``'s board."""
        return f"{self.relay.prefix}/{self.relay.hall_code}/window/{window}/board"

    def __call__(self, content: BoardContent) -> None:
        """Publish what the window's board shows now (retained, replacing the last)."""
        body = json.dumps(content.body(), ensure_ascii=False)
        info = self.relay.client.publish(self.topic(content.window), body, qos=1, retain=True)
        if info.rc != 0:
            log.warning("board of window %d not queued for MQTT (code %d)", content.window, info.rc)
