"""Home Assistant MQTT discovery for the windows' state and the devices' availability.

With ``HALLKEEPER_MQTT_DISCOVERY`` set to Home Assistant's discovery prefix (usually
``homeassistant``), the relay publishes, retained, one config per entity before its state:

- ``<discovery>/sensor/hallkeeper_<hall>_window_<n>/config``: the window's state (``idle``,
  ``calling``, ``serving``, ``paused`` ...) from ``<prefix>/<hall>/window/<n>/state``, with
  the number called (and the rest of the message) as attributes;
- ``<discovery>/binary_sensor/hallkeeper_<hall>_<kind>_<id>/config``: a device's availability
  (connectivity: ``online`` / ``offline``) from ``<prefix>/<hall>/device/<kind>/<id>/state``.

Each entity is available while the publishing instance's status
(``<prefix>/<hall>/status/<instance>``) says ``online``. The windows belong to one device, the
hall; each terminal, printer and bus is a device of its own, connected through the hall.
"""

from __future__ import annotations

import json
import re
from typing import Any

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

    def _availability(self) -> dict[str, Any]:
        return {
            "availability_topic": self.relay.status_topic,
            "availability_template": "{{ value_json.state }}",
            "payload_available": "online",
            "payload_not_available": "offline",
        }

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
            **self._availability(),
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
            **self._availability(),
        }
        self._put("binary_sensor", unique, config, live)

    def _put(self, component: str, unique: str, config: dict[str, Any], live: Live | None) -> None:
        topic = f"{self.prefix}/{component}/{unique}/config"
        self.relay.retained.put(topic, json.dumps(config, ensure_ascii=False), live)
