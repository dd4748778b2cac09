"""Home Assistant MQTT discovery for the windows' state and the devices' availability.

With ``HALLKEEPER_MQTT_DISCOVERY`` set to Home Assistant's discovery prefix (usually
``homeassistant``), the relay publishes, retained, one config per entity before its state:

- ``<discovery>/sensor/hallkeeper_<hall>_window_<n>/config``: the window's state (``idle``,
  ``calling``, ``serving``, ``paused`` ...) from ``<prefix>/<hall>/window/<n>/state``, with
  the number called (and the rest of the message) as attributes;
- ``<discovery>/binary_sensor/hallkeeper_<hall>_<kind>_<id>/config``: a device's availability
  (connectivity: ``online`` / ``offline``) from ``<prefix>/<hall>/device/<kind>/<id>/state``.

Each entity is available while any instance of the service on the broker is online: its
``availability`` lists the status topic of every instance of the hall
(``<prefix>/<hall>/status/<instance>``, each ``online`` or ``offline``) with
``availability_mode: any``. Each instance reads the hall's status topics (retained, so it
learns of instances that are down too) and publishes the configs again when it learns of
another one, so that every instance sends the same config and the last one written holds for
all of them. An instance whose retained status is cleared (an empty message on its status
topic, for an instance retired for good) is left out of the list. The windows belong to one
device, the hall; each terminal, printer and bus is a device of its own, connected through
the hall.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

import paho.mqtt.client as mqtt

from hallbase.words import t
from hallkeeper.mqtt import MqttRelay
from hallkeeper.mqtt_state import Live

ORIGIN = {"name": "HallKeeper"}


def safe(part: str) -> str:
    """``part`` as one topic level and id: letters, digits, ``_`` and ``-`` only."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", part) or "_"


class Discovery:
    """Publishes the discovery configs through the relay's retained topics."""

    def __init__(self, relay: MqttRelay, prefix: str, hall_name: str) -> None:
        self.relay = relay
        self.prefix = prefix.rstrip("/")
        self.hall_id = f"hallkeeper_{safe(relay.hall_code)}"
        self.hall_device = {
            "identifiers": [self.hall_id],
            "name": hall_name,
            "manufacturer": "HallKeeper",
            "model": "service hall",
        }
        self.statuses = f"{relay.base}/status/+"  # every instance's status topic
        self._instances = {relay.status_topic}  # the status topics the configs list
        self._configs: dict[str, tuple[dict[str, Any], Live | None]] = {}  # by config topic
        self._lock = threading.Lock()
        relay.client.message_callback_add(self.statuses, self._on_status)
        relay.on_connected.append(self._subscribe)

    def _subscribe(self) -> None:
        self.relay.client.subscribe(self.statuses, qos=1)

    def _on_status(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        """An instance's status (on paho's thread: in memory only): list its topic."""
        with self._lock:
            before = set(self._instances)
            if msg.payload:
                self._instances.add(msg.topic)
            elif msg.topic != self.relay.status_topic:
                self._instances.discard(msg.topic)
            if self._instances == before:
                return
            for topic, (config, live) in self._configs.items():
                self._send(topic, config, live)

    def _availability(self) -> dict[str, Any]:
        """Available while any instance's status says ``online`` (call with the lock)."""
        return {
            "availability": [
                {
                    "topic": topic,
                    "value_template": "{{ value_json.state }}",
                    "payload_available": "online",
                    "payload_not_available": "offline",
                }
                for topic in sorted(self._instances)
            ],
            "availability_mode": "any",
        }

    def instances(self) -> list[str]:
        """The status topics the configs list now."""
        with self._lock:
            return sorted(self._instances)

    def window(self, window: int, state_topic: str, live: Live | None = None) -> None:
        """The config of window ``window``'s state sensor."""
        unique = f"{self.hall_id}_window_{window}"
        config = {
            "name": t("mqtt.discovery.window", window=window),
            "unique_id": unique,
            "state_topic": state_topic,
            "value_template": "{{ value_json.state }}",
            "json_attributes_topic": state_topic,
            "icon": "mdi:counter",
            "device": self.hall_device,
            "origin": ORIGIN,
        }
        self._put("sensor", unique, config, live)

    def device(
        self, kind: str, device_id: str, name: str, state_topic: str, live: Live | None = None
    ) -> None:
        """The config of a device's availability (a connectivity binary sensor)."""
        unique = f"{self.hall_id}_{kind}_{safe(device_id)}"
        config = {
            "name": t("mqtt.discovery.availability"),
            "unique_id": unique,
            "state_topic": state_topic,
            "value_template": "{{ value_json.state }}",
            "payload_on": "online",
            "payload_off": "offline",
            "device_class": "connectivity",
            "json_attributes_topic": state_topic,
            "device": {
                "identifiers": [unique],
                "name": name,
                "manufacturer": "HallKeeper",
                "model": t(f"mqtt.discovery.{kind}"),
                "via_device": self.hall_id,
            },
            "origin": ORIGIN,
        }
        self._put("binary_sensor", unique, config, live)

    def _put(self, component: str, unique: str, config: dict[str, Any], live: Live | None) -> None:
        topic = f"{self.prefix}/{component}/{unique}/config"
        with self._lock:
            self._configs[topic] = (config, live)
            self._send(topic, config, live)

    def _send(self, topic: str, config: dict[str, Any], live: Live | None) -> None:
        """Put ``config`` with the availability list (call with the lock)."""
        body = {**config, **self._availability()}
        self.relay.retained.put(topic, json.dumps(body, ensure_ascii=False), live)
