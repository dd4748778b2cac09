"""A hall with its queue devices on simulators (printer, LED bus, keypad bus), for the tests of
`kiosk.hardware`: the section that points at them and what a test reads back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.hallconfig.queue_devices import QueueDevicesSection, WindowDevices
from kiosk.hardware.coordinator import QueueDevices
from kiosk.hardware.simulated import QueueSimulators
from tests.helpers.queue import Clock

LED_GAP_MS = 50


@dataclass
class Hall:
    client: TestClient
    sims: QueueSimulators
    engine: Engine
    clock: Clock
    devices: QueueDevices

    def refused(self, after: int, window: int) -> list[dict[str, Any]]:
        """Keypad presses at ``window`` the queue refused, published after event ``after``."""
        events, _ = self.devices.bus.since(after)
        return [
            e.data
            for e in events
            if e.kind == "device.keypad_refused" and e.data["window"] == window
        ]


def section(sims: QueueSimulators, **extra: Any) -> QueueDevicesSection:
    """Windows 3 (board, keypad, evaluator 103) and 5 (board, keypad) on the simulators."""
    return QueueDevicesSection(
        printer=f"127.0.0.1:{sims.printer.port}",
        printer_poll_s=0,
        led_bus=sims.boards.path,
        led_min_gap_ms=LED_GAP_MS,
        hall_board=200,
        keypad_bus=sims.keypads.path,
        keypad_dedupe_s=0.6,  # longer than the keypad's resend delay (0.5 s)
        windows=(
            WindowDevices(number=3, board=3, keypad=3, evaluator=103),
            WindowDevices(number=5, board=5, keypad=5),
        ),
        **extra,
    )


def post(client: TestClient, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """POST to the API, expecting success."""
    response = client.post(f"/api/v1{path}", json=body)
    assert response.status_code in (200, 201), response.text
    out: dict[str, Any] = response.json()
    return out
