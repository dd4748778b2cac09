"""The simulators' pty: raw mode, a link that follows a replugged adapter, a reader thread."""

from __future__ import annotations

import os
import termios
import threading
from pathlib import Path

import serial

from devices.common.pty import PtyDevice, PtyPort, open_raw_pty


def test_open_raw_pty_is_raw_and_linked(tmp_path: Path) -> None:
    link = str(tmp_path / "by-id")
    master, slave, name = open_raw_pty(link)
    try:
        assert os.path.realpath(link) == os.path.realpath(name)
        lflag = termios.tcgetattr(slave)[3]
        assert not lflag & (termios.ECHO | termios.ICANON)
        os.write(master, b"a\r\n\x03")  # no line editing, no CR/LF translation, no signals
        assert os.read(slave, 16) == b"a\r\n\x03"
        assert [p.name for p in tmp_path.iterdir()] == ["by-id"]  # no temporary left behind
    finally:
        os.close(master)
        os.close(slave)


def test_reopen_moves_the_link_to_a_new_pty(tmp_path: Path) -> None:
    port = PtyPort(str(tmp_path / "ttyRS485"))
    port.open()
    try:
        port.reopen()
        assert os.path.realpath(port.path) == os.path.realpath(port.slave_name)
        with serial.serial_for_url(port.path, timeout=1) as host:
            host.write(b"ping")
            assert port.read(2.0) == b"ping"
            port.write(b"pong")
            assert host.read(4) == b"pong"
    finally:
        port.close()
    assert port.read(0.01) == b""  # closed: nothing, and no error


class Recorder(PtyDevice):
    def __init__(self) -> None:
        super().__init__(None, "recorder")
        self.data = b""
        self.got = threading.Event()

    def _received(self, data: bytes, now: float) -> None:
        self.data += data
        if self.data.endswith(b"!"):
            self.got.set()


def test_pty_device_hands_on_what_the_host_wrote() -> None:
    with Recorder() as device:
        with serial.serial_for_url(device.path, timeout=1) as host:
            host.write(b"hello!")
            host.flush()
            assert device.got.wait(5)
        assert device.data == b"hello!"
    assert device.pty.master_fd == -1
    assert not [t for t in threading.enumerate() if t.name == "recorder"]
