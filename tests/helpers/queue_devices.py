"""The real app with its queue devices on the simulators (printer on TCP, LED and keypad buses
on ptys), for the tests of `kiosk.hardware`: the sections that point at them, the running hall
and what a test reads back."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.hallconfig.queue_devices import QueueDevicesSection, WindowDevices
from hallbase.settings import Settings
from hallkeeper.app import create_app
from kiosk.hardware.coordinator import QueueDevices, install_queue_devices
from kiosk.hardware.simulated import QueueSimulators, start_simulators
from tests.helpers.queue import MONDAY_9AM, Clock, as_admin

LED_GAP_MS = 50
HALL_BOARD = 200


@dataclass
class Hall:
    client: TestClient
    sims: QueueSimulators
    engine: Engine
    clock: Clock
    devices: QueueDevices

    def refused(self, after: int, window: int) -> list[Mapping[str, Any]]:
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


@dataclass
class DeviceHall:
    """A running app with its devices, the simulators behind them and an admin's client."""

    app: FastAPI
    client: TestClient
    sims: QueueSimulators
    engine: Engine
    clock: Clock
    devices: QueueDevices

    def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST ``/api/v1<path>`` as the admin; it must succeed."""
        response = self.client.post(f"/api/v1{path}", json=body)
        assert response.status_code in (200, 201, 202), response.text
        out: dict[str, Any] = response.json()
        return out

    def prints(self) -> dict[str, dict[str, Any] | None]:
        """Today's tickets' print states by code (None: not handled by the printer yet)."""
        body = self.client.get("/api/v1/ticket-prints").json()
        return {row["code"]: row["print"] for row in body["data"]}

    def print_state(self, code: str) -> tuple[str, str | None] | None:
        """(state, cause) of ticket ``code``, or None."""
        found = self.prints().get(code)
        return None if found is None else (found["state"], found["cause"])


def devices_section(sims: QueueSimulators, **extra: Any) -> QueueDevicesSection:
    """Printer, the boards of windows 3, 5 and 7 and the hall board, on the simulators."""
    return QueueDevicesSection(
        printer=f"127.0.0.1:{sims.printer.port}",
        printer_poll_s=0,
        led_bus=sims.boards.path,
        led_min_gap_ms=LED_GAP_MS,
        hall_board=HALL_BOARD,
        windows=(
            WindowDevices(number=3, board=3),
            WindowDevices(number=5, board=5),
            WindowDevices(number=7, board=7),
        ),
        **extra,
    )


@contextmanager
def device_hall(
    engine: Engine,
    settings: Settings,
    sims: QueueSimulators,
    **extra: Any,
) -> Iterator[DeviceHall]:
    """The app on ``engine`` with its devices on ``sims`` (``extra``: `[queue_devices]` keys)."""
    clock = Clock(MONDAY_9AM)
    app = create_app(settings, engine=engine, clock=clock)
    component = install_queue_devices(app, devices_section(sims, **extra))
    assert component is not None
    with TestClient(app) as client:
        as_admin(app, client)
        yield DeviceHall(app, client, sims, engine, clock, component)


@contextmanager
def simulators(where: Path) -> Iterator[QueueSimulators]:
    """The printer and bus simulators, stopped afterwards."""
    sims = start_simulators(where)
    try:
        yield sims
    finally:
        for sim in (sims.keypads, sims.boards, sims.printer):
            sim.stop()
