"""Each device's availability as a retained state topic.

Every ``interval`` seconds `DeviceTopics` reads what the service knows of its devices - the
fingerprint terminals from the device watch (`attendance.terminals.supervisor.DeviceWatch`:
pulled and serial terminals by their link, ADMS terminals by their last call), and, on the
instance that drives the queue's devices (`kiosk.hardware.coordinator.QueueDevices`), each
ticket printer, the LED board bus and the keypad bus - and puts each one's availability on
``<prefix>/<hall>/device/<kind>/<id>/state`` as ``{"device", "kind", "name", "state",
"since", "problem"}``: ``state`` ``online`` or ``offline``; ``since`` the moment this
instance saw it change (or first saw it); ``problem`` what is known to be wrong beyond the
link, else null (a pulled terminal: ``left_disabled``, offline as it takes no punch, or
``clock_drift``, ``clock_reset``; a printer that answers: ``paper_out``, ``cover_open``,
``error``, ``offline`` as it reports itself). A
device whose availability is not known (an ADMS terminal that has not called in yet) has no
message. ``kind`` is ``terminal``, ``printer``, ``led`` or ``keypads``. The relay publishes
them retained with QoS 1 (`hallkeeper.mqtt_state`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from attendance.terminals.supervisor import DeviceWatch
from hallbase.background import BackgroundLoop, repeat
from hallbase.clock import Clock
from hallbase.words import t
from hallkeeper.mqtt import MqttRelay
from hallkeeper.mqtt_discovery import Discovery, safe
from hallkeeper.mqtt_state import Live
from kiosk.hardware.coordinator import QueueDevices

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Seen:
    """One device's availability as read now."""

    kind: str
    device_id: str
    name: str
    online: bool
    live: Live | None
    problem: str | None = None  # None: every instance knows it; else while this one drives it


def printer_problem(status: Mapping[str, Any], online: bool) -> str | None:
    """The incident of a printer that answers (``paper_out``, ``cover_open``, ``error``, or
    ``offline`` when it says so itself); None when it can print or does not answer at all."""
    if status["ok"] or not online:
        return None
    return str(status["state"]).removeprefix("printer_")


class DeviceTopics:
    """Background part: the devices' availability to retained topics."""

    def __init__(
        self,
        relay: MqttRelay,
        watch: DeviceWatch,
        clock: Clock,
        *,
        queue_devices: QueueDevices | None = None,
        discovery: Discovery | None = None,
        interval: float = 2.0,
    ) -> None:
        self.relay = relay
        self.watch = watch
        self.queue_devices = queue_devices
        self.discovery = discovery
        self.clock = clock
        self._since: dict[str, tuple[bool, datetime]] = {}
        rounds = repeat(
            self.check, every=interval, first=0.2, logger=log, failed="device topics failed"
        )
        self._background = BackgroundLoop("mqtt-devices", rounds)

    def topic(self, kind: str, device_id: str) -> str:
        """The retained topic of a device's availability."""
        return f"{self.relay.base}/device/{kind}/{safe(device_id)}/state"

    def seen(self) -> Iterator[Seen]:
        """Every device whose availability this instance knows now."""
        for status in self.watch.statuses(approved_only=True):
            if status["available"] is not None:
                serial = str(status["serial"])
                name = str(status["name"] or serial)
                online, problem = bool(status["available"]), status.get("problem")
                yield Seen("terminal", serial, name, online, None, str(problem or "") or None)
        devices = self.queue_devices
        if devices is None or not devices.lease.holds():
            return
        live = devices.lease.holds
        queue_status = devices.status()
        for printer in queue_status["printers"]:
            name = str(printer["name"])
            label = t("mqtt.discovery.printer_named", name=name)
            online = bool(printer["available"])
            yield Seen("printer", name, label, online, live, printer_problem(printer, online))
        for kind in ("led", "keypads"):
            if queue_status[kind] is not None:
                online = bool(queue_status[kind]["available"])
                yield Seen(kind, kind, t(f"mqtt.discovery.{kind}"), online, live)

    def check(self) -> None:
        """One look at every device; a changed availability is put on its topic."""
        now = self.clock()
        for device in self.seen():
            topic = self.topic(device.kind, device.device_id)
            last = self._since.get(topic)
            if last is None or last[0] != device.online:
                last = self._since[topic] = (device.online, now)
            if self.discovery is not None:
                self.discovery.device(
                    device.kind, device.device_id, device.name, topic, device.live
                )
            body = {
                "device": device.device_id,
                "kind": device.kind,
                "name": device.name,
                "state": "online" if device.online else "offline",
                "since": last[1].isoformat(),
                "problem": device.problem,
            }
            self.relay.retained.put(topic, json.dumps(body, ensure_ascii=False), device.live)

    def start(self) -> None:
        self._background.start()

    def stop(self) -> None:
        self._background.stop()
