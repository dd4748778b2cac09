"""Retained state topics: the latest message of each, published with QoS 1 by the relay.

What a supervisor's screen or Home Assistant reads as "the state now" (a window's state and
the number it called, a device's availability, the discovery configs describing them) is a
retained message per topic. `RetainedTopics` keeps the latest payload of each topic and the
relay's thread publishes the ones that changed (`flush`) while connected; on every new
connection all of them are published again (`again`), so a broker that restarted without its
retained store, or lost messages, gets the current state at once. Only the latest payload of a
topic is kept: a change made while the broker is away replaces the one before it.

A topic may be tied to a ``live`` condition (the instance drives the queue's devices): once it
no longer holds, the topic is forgotten here, so that an instance that lost the devices never
publishes their state again; the instance that took them over publishes it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt

Live = Callable[[], bool]


@dataclass
class _Entry:
    payload: str
    live: Live | None


class RetainedTopics:
    """The latest retained payload of each state topic; ``wake`` asks the relay to flush."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self.wake = wake
        self._latest: dict[str, _Entry] = {}  # in the order first put (configs before states)
        self._dirty: dict[str, None] = {}  # topics to publish, in that order
        self._lock = threading.Lock()

    def put(self, topic: str, payload: str, live: Live | None = None) -> None:
        """Make ``payload`` the retained message of ``topic`` (published soon, if it changed)."""
        with self._lock:
            entry = self._latest.get(topic)
            if entry is not None and entry.payload == payload:
                entry.live = live
                return
            self._latest[topic] = _Entry(payload, live)
            self._dirty[topic] = None
        self.wake()

    def get(self, topic: str) -> str | None:
        """The latest payload of ``topic`` (None: none)."""
        with self._lock:
            entry = self._latest.get(topic)
            return entry.payload if entry is not None else None

    def again(self) -> None:
        """Publish every topic again at the next flush (a new connection)."""
        with self._lock:
            self._dirty = dict.fromkeys(self._latest)
        self.wake()

    def flush(self, client: mqtt.Client) -> int:
        """Publish the changed topics (retained, QoS 1); returns how many were published."""
        with self._lock:
            for topic, entry in list(self._latest.items()):
                if entry.live is not None and not entry.live():
                    del self._latest[topic]
            topics = [(t, self._latest[t].payload) for t in self._dirty if t in self._latest]
            self._dirty = {}
        for topic, payload in topics:
            client.publish(topic, payload, qos=1, retain=True)
        return len(topics)
