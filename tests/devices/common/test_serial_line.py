"""The shared serial line over a real pty: bytes both ways, and every failure an OSError."""

from __future__ import annotations

import termios
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devices.common.pty import PtyPort
from devices.common.serial_line import SerialLine
from devices.errors import DeviceUnavailable
from devices.led.transport import SerialBus
from devices.printer.transport import SerialTransport as PrinterSerial
from devices.serial_reader.transport import SerialTransport as ReaderSerial


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[PtyPort]:
    port = PtyPort(str(tmp_path / "ttyUSB0"))
    port.open()
    yield port
    port.close()


def test_write_reaches_the_far_end(pty: PtyPort) -> None:
    line = SerialLine(pty.path, timeout=0.1, write_timeout=1.0)
    line.open()
    try:
        assert line.is_open
        line.write(b"\x01\x02hello\x07")
        received = b""
        while len(received) < 8:
            chunk = pty.read(2.0)
            assert chunk, "nothing arrived"
            received += chunk
        assert received == b"\x01\x02hello\x07"
    finally:
        line.close()
    assert not line.is_open


def test_unopened_line_is_connection_error() -> None:
    line = SerialLine("loop://", timeout=0.1)
    with pytest.raises(ConnectionError, match="loop:// is not open"):
        line.write(b"x")
    with pytest.raises(ConnectionError, match="not open"):
        line.discard_input()


def test_missing_device_is_oserror(tmp_path: Path) -> None:
    line = SerialLine(str(tmp_path / "nothing-here"), timeout=0.1)
    with pytest.raises(OSError, match="nothing-here"):
        line.open()
    assert not line.is_open


LINES: dict[str, Callable[[str], SerialLine]] = {
    "led": SerialBus,
    "printer": lambda path: PrinterSerial(path, timeout=0.5),
}


@pytest.mark.parametrize("kind", sorted(LINES))
def test_vanished_device_is_oserror_never_termios(pty: PtyPort, kind: str) -> None:
    line = LINES[kind](pty.path)
    line.open()
    try:
        pty.close()  # the USB adapter is pulled out
        with pytest.raises(OSError, match="Input/output error"):
            line.write(b"after unplug")
        # nothing to send, so only the drain (tcdrain) touches the device: termios.error
        with pytest.raises(ConnectionError) as info:
            line.write(b"")
        assert isinstance(info.value.__cause__, termios.error)
        with pytest.raises(ConnectionError) as info:
            line.discard_input()  # tcflush
        assert isinstance(info.value.__cause__, termios.error)
    finally:
        line.close()
        line.close()  # closing twice never raises
    assert not line.is_open


def test_reader_transport_maps_everything_to_device_unavailable(pty: PtyPort) -> None:
    transport = ReaderSerial(pty.path, read_timeout=0.2)
    transport.open()
    pty.write(b"1001\r\n")
    data = b""
    while b"\r\n" not in data:
        chunk = transport.read()
        assert chunk, "nothing arrived"
        data += chunk
    assert data == b"1001\r\n"
    pty.close()
    with pytest.raises(DeviceUnavailable, match="read failed"):
        transport.read()
    with pytest.raises(DeviceUnavailable, match="write failed"):
        transport.write(b"")  # the drain's termios.error, too
    transport.close()
    with pytest.raises(DeviceUnavailable, match="is not open"):
        transport.write(b"x")
