"""A client of the machine's Mosquitto that collects what arrives on a topic filter."""

from __future__ import annotations

import json
import queue
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tests.helpers.services import MQTT_URL, service_missing


def machine_broker() -> tuple[str, int]:
    """The test broker's host and port; skips (fails in CI) when nothing listens there."""
    parts = urlsplit(MQTT_URL)
    host, port = parts.hostname or "127.0.0.1", parts.port or 1883
    try:
        with socket.create_connection((host, port), timeout=1):
            pass
    except OSError:
        service_missing("Mosquitto", f"nothing listens on {host}:{port}")
    return host, port


class Listener:
    """Subscribes to ``topic`` (retained messages arrive first) and keeps every message as
    ``(topic, JSON body or None for an empty payload, retained)``."""

    def __init__(self, host: str, port: int, topic: str) -> None:
        self.messages: queue.Queue[tuple[str, Any, bool]] = queue.Queue()
        self.seen: list[tuple[str, Any, bool]] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.on_message = lambda _c, _u, msg: self.messages.put(
            (msg.topic, json.loads(msg.payload) if msg.payload else None, bool(msg.retain))
        )
        ready: queue.Queue[int] = queue.Queue()
        self.client.on_subscribe = lambda *_args: ready.put(1)
        self.client.connect(host, port)
        self.client.loop_start()
        self.client.subscribe(topic, qos=1)
        ready.get(timeout=5)

    def until(self, wanted: Any, timeout: float = 10.0) -> tuple[str, Any, bool]:
        """The first message from now on for which ``wanted(message)`` is true; fails after
        ``timeout`` seconds with what arrived."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no such message within {timeout}s; got {self.seen}"
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(message)
            if wanted(message):
                return message

    def clear_retained(self, topics: set[str]) -> None:
        """Remove the retained messages of ``topics`` from the broker."""
        for topic in topics:
            self.client.publish(topic, b"", qos=1, retain=True).wait_for_publish(timeout=5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
