"""The ticket's QR code, native (``GS ( k``) or as a raster image (``GS v 0``), read back by the
simulator's reader; and a USB printer-class device (a FIFO here) receiving a job."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import qrcode

from devices.errors import DeviceUnavailable
from devices.printer.adapter import TicketPrinter
from devices.printer.images import raster
from devices.printer.lp_simulator import LpPrinterSimulator
from devices.printer.protocol import RenderOptions, TicketPrint, render_ticket
from devices.printer.reader import EscPosReader, RasterImage
from devices.printer.transport import UsbLpTransport

TOKEN = "k3Vb9xQ2mR7tLw4pZs8nYc1d"  # 24 characters, as secrets.token_urlsafe(18) makes
URL = f"https://hall.example.gov.cn/my-ticket/{TOKEN}"


def ticket(**changes: object) -> TicketPrint:
    fields: dict[str, object] = {
        "hall_name": "某某区政务服务中心",
        "service_name": "社保业务",
        "number": "C001",
        "people_ahead": 0,
        "issued_at": datetime(2026, 11, 23, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        "qr_payload": URL,
    }
    fields.update(changes)
    return TicketPrint(**fields)  # type: ignore[arg-type]


def test_native_qr_commands_are_exact_for_a_token_url() -> None:
    data = render_ticket(ticket(), RenderOptions())
    stored = URL.encode()
    expected = b"".join(
        [
            b"\x1d(k\x04\x00" + b"1A2\x00",  # fn 65: model 2
            b"\x1d(k\x03\x00" + b"1C\x06",  # fn 67: module size 6 dots
            b"\x1d(k\x03\x00" + b"1E1",  # fn 69: error correction M (49)
            b"\x1d(k" + bytes([len(stored) + 3, 0]) + b"1P0" + stored,  # fn 80: store
            b"\x1d(k\x03\x00" + b"1Q0",  # fn 81: print
        ]
    )
    assert data.count(expected) == 1
    reader = EscPosReader()
    reader.feed(data)
    (symbol,) = reader.qr_symbols
    assert symbol.data == stored  # the stored bytes exactly
    assert (symbol.model, symbol.module_size, symbol.error_level) == (50, 6, 49)
    assert reader.qr_codes == [URL] and reader.images == []


def _modules(image: RasterImage) -> list[list[bool]]:
    """The image's QR modules: the quiet zone found, each module read at its centre."""
    dots = image.dots()
    dark = [(x, y) for y, row in enumerate(dots) for x, on in enumerate(row) if on]
    left = min(x for x, _ in dark)
    top = min(y for _, y in dark)
    right = max(x for x, _ in dark)
    # The top-left finder pattern is 7 modules wide: its first row is one run of dark dots.
    run = next(x for x in range(left, right + 2) if not dots[top][x]) - left
    module = run // 7
    count = (right - left + 1) // module
    return [
        [
            dots[top + r * module + module // 2][left + c * module + module // 2]
            for c in range(count)
        ]
        for r in range(count)
    ]


def test_printer_without_native_qr_gets_a_raster_of_the_same_symbol() -> None:
    data = render_ticket(ticket(), RenderOptions(qr="raster", qr_module=5))
    assert b"\x1d(k" not in data
    reader = EscPosReader(chinese_default=True)
    reader.feed(data)
    assert reader.qr_codes == [] and reader.unknown == []
    (image,) = reader.images
    assert image.mode == 0 and image.width <= 384
    # The symbol qrcode makes of the same bytes at level M, independently of our code.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(URL.encode())
    code.make(fit=True)
    expected = [[bool(cell) for cell in row] for row in code.get_matrix()]
    assert _modules(image) == expected
    assert "C001" in reader.text  # the ticket around it still reads


def test_raster_shrinks_modules_to_fit_the_paper() -> None:
    data = render_ticket(ticket(), RenderOptions(qr="raster", qr_module=16))
    reader = EscPosReader(chinese_default=True)
    reader.feed(data)
    (image,) = reader.images
    assert image.width <= 384 and len(image.rows) <= 384


def test_raster_bytes_msb_is_leftmost_dot() -> None:
    assert raster([[True, False, False, False, False, False, False, False, True]]) == (
        b"\x1dv0\x00\x02\x00\x01\x00" + b"\x80\x80"
    )


def test_no_qr_mode_prints_none() -> None:
    reader = EscPosReader(chinese_default=True)
    reader.feed(render_ticket(ticket(), RenderOptions(qr="none")))
    assert reader.qr_codes == [] and reader.images == []


def test_usb_printer_class_device_receives_the_job(tmp_path: Path) -> None:
    path = tmp_path / "lp0"
    with LpPrinterSimulator(path) as sim:
        transport = UsbLpTransport(str(path), timeout=2)
        with TicketPrinter(transport, options=RenderOptions(qr="raster"), check_status=False) as p:
            p.print_ticket(ticket())
            assert sim.wait_for_cuts(1)
            p.print_ticket(ticket(number="C002"))
            assert sim.wait_for_cuts(2)
        assert "C001" in sim.jobs[0] and "C002" in sim.jobs[1]
        assert len(sim.images) == 2 and sim.received.startswith(b"\x1b@")


def test_usb_printer_unplugged_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "lp0"
    os.mkfifo(path)  # the node is there, nobody reads it: as an unplugged printer
    printer = TicketPrinter(UsbLpTransport(str(path), timeout=1), check_status=False)
    with pytest.raises(DeviceUnavailable, match="usblp:"):
        printer.print_ticket(ticket())
    assert not printer.available
    with pytest.raises(DeviceUnavailable):
        TicketPrinter(UsbLpTransport(str(tmp_path / "none")), check_status=False).print_ticket(
            ticket()
        )
