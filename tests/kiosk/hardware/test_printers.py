"""Several printers: each kiosk prints on its own (a network printer with native QR, a USB
printer-class device that only takes raster images), a window's notices on the window's
printer, and the ticket's QR code opens the citizen's page at the configured public address."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import qrcode
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from devices.printer.lp_simulator import LpPrinterSimulator
from devices.printer.simulator import PrinterSimulator
from hallbase.hallconfig.printers import PrinterEntry
from hallbase.hallconfig.queue_devices import QueueDevicesSection, WindowDevices
from hallbase.settings import load_settings
from hallkeeper.app import create_app
from kiosk.hardware.coordinator import QueueDevices, install_queue_devices
from tests.helpers.auth import machine_key
from tests.helpers.queue import MONDAY_9AM, Clock, as_admin
from tests.helpers.queue_devices import post
from tests.helpers.waiting import wait_until

PUBLIC = "https://hall.example.gov.cn"


@dataclass
class Hall:
    client: TestClient
    p1: PrinterSimulator
    p2: LpPrinterSimulator
    devices: QueueDevices
    keys: dict[str, str]

    def take(self, kiosk: str, service: str) -> dict[str, Any]:
        """A ticket taken at ``kiosk`` (its machine key)."""
        answer = self.client.post(
            "/api/v1/tickets", json={"service": service}, headers={"X-Hall-Key": self.keys[kiosk]}
        )
        assert answer.status_code == 201, answer.text
        out: dict[str, Any] = answer.json()
        return out


@pytest.fixture
def hall(any_engine: Engine, tmp_path: Path) -> Iterator[Hall]:
    settings = load_settings(data_dir=tmp_path, database_url="", mqtt_url="", public_url=PUBLIC)
    p1 = PrinterSimulator(chinese_default=True)
    p2 = LpPrinterSimulator(tmp_path / "lp0")
    p1.start()
    p2.start()
    section = QueueDevicesSection(
        printer_poll_s=0,
        printers=(
            PrinterEntry(name="P1", address=f"127.0.0.1:{p1.port}", kiosks=("kiosk-east",)),
            PrinterEntry(
                name="P2",
                address=f"usblp:{p2.path}",
                profile="POS-5890",
                kiosks=("kiosk-west",),
            ),
        ),
        windows=(WindowDevices(number=5, printer="P2"),),
    )
    app = create_app(settings, engine=any_engine, clock=Clock(MONDAY_9AM))
    devices = install_queue_devices(app, section)
    assert devices is not None
    try:
        with TestClient(app) as client:
            as_admin(app, client)
            keys = {k: machine_key(app, "kiosk", name=k) for k in ("kiosk-east", "kiosk-west")}
            yield Hall(client, p1, p2, devices, keys)
    finally:
        p1.stop()
        p2.stop()


def _matrix(data: bytes) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def _modules(dots: list[list[bool]], size: int) -> list[list[bool]]:
    dark = [(x, y) for y, row in enumerate(dots) for x, on in enumerate(row) if on]
    left, top = min(x for x, _ in dark), min(y for _, y in dark)
    module = (max(x for x, _ in dark) - left + 1) // size
    return [
        [dots[top + r * module + module // 2][left + c * module + module // 2] for c in range(size)]
        for r in range(size)
    ]


def test_each_kiosk_prints_on_its_own_printer_with_the_qr_of_its_ticket(hall: Hall) -> None:
    east = hall.take("kiosk-east", "social_security")
    assert hall.p1.wait_for_cuts(1)
    west = hall.take("kiosk-west", "social_security")
    # POS-5890 has no cutter: the job is done when its QR image and last line are in.
    assert hall.p2.wait_for(west["code"]) and hall.p2.wait_for("取号时间")
    assert east["code"] in hall.p1.jobs[0] and west["code"] not in hall.p1.text
    assert east["code"] not in hall.p2.text and hall.p2.cuts == 0

    # P1 (generic profile): native GS ( k, the stored bytes exactly the ticket's page.
    (symbol,) = hall.p1.qr_symbols
    assert symbol.data == f"{PUBLIC}/my-ticket/{east['public_token']}".encode()
    assert hall.p1.images == []
    # P2 (POS-5890, no native QR): the same kind of address as a raster image.
    assert hall.p2.qr_symbols == [] and b"\x1d(k" not in hall.p2.received
    (image,) = hall.p2.images
    expected = _matrix(f"{PUBLIC}/my-ticket/{west['public_token']}".encode())
    assert _modules(image.dots(), len(expected)) == expected
    assert east["public_token"] != west["public_token"]


def test_a_windows_notice_prints_on_the_windows_printer(hall: Hall) -> None:
    ticket = hall.take("kiosk-east", "housing_fund")
    assert hall.p1.wait_for_cuts(1)
    post(hall.client, "/windows/5/call-next")
    post(hall.client, "/windows/5/start")
    body = {"outcome": "missing_documents", "missing_documents": ["银行卡"]}
    post(hall.client, "/windows/5/finish", body)
    assert hall.p2.wait_for("1. 银行卡")
    assert "一次性告知单" in hall.p2.text and ticket["code"] in hall.p2.text
    assert "一次性告知单" not in hall.p1.text


def test_a_kiosk_sees_its_own_printers_state(hall: Hall) -> None:
    answer = hall.client.get(
        "/api/v1/queue-devices", headers={"X-Hall-Key": hall.keys["kiosk-west"]}
    )
    assert answer.status_code == 200
    status = answer.json()
    assert status["printer"]["name"] == "P2"
    assert [p["name"] for p in status["printers"]] == ["P1", "P2"]


def test_a_reprint_goes_to_the_printer_the_ticket_printed_on(hall: Hall) -> None:
    west = hall.take("kiosk-west", "social_security")
    assert hall.p2.wait_for(west["code"]) and hall.p2.wait_for("取号时间")

    def printed() -> dict[str, Any] | None:
        rows = hall.client.get("/api/v1/ticket-prints").json()["data"]
        found: dict[str, Any] | None = next(r["print"] for r in rows if r["id"] == west["id"])
        return found

    wait_until(lambda: (p := printed()) is not None and p["state"] == "printed")
    assert (printed() or {})["printer"] == "P2"
    answer = hall.client.post(f"/api/v1/tickets/{west['id']}/reprint")
    assert answer.status_code == 202, answer.text
    wait_until(lambda: (p := printed()) is not None and p["prints"] == 2)
    assert (printed() or {})["printer"] == "P2"
    assert hall.p2.text.count(west["code"]) >= 2 and west["code"] not in hall.p1.text
