"""Pseudo-terminals standing in for serial adapters, for the simulators.

The device side (simulator) holds the master; the software under test opens the slave by
its path with pyserial, exactly as it would open ``/dev/ttyUSB0``.  With ``link_path`` the
slave is reached through a symlink (like ``/dev/serial/by-id/...``) that follows the current
pty, so a test can unplug the "adapter" and plug a new one in.
"""

from __future__ import annotations

import contextlib
import os
import select
import time
import tty

from devices.common.worker import BackgroundWorker


def open_raw_pty(link_path: str | None = None) -> tuple[int, int, str]:
    """A new pty in raw mode as (master fd, slave fd, slave path); ``link_path`` points at it."""
    master, slave = os.openpty()
    # Raw mode before anyone opens the port: no echo, no line editing, no CR/LF translation.
    tty.setraw(slave)
    slave_name = os.ttyname(slave)
    if link_path:
        # Replace the link atomically: whoever opens it meanwhile gets the old or the new pty.
        temporary = f"{link_path}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        os.symlink(slave_name, temporary)
        os.replace(temporary, link_path)
    return master, slave, slave_name


class PtyPort:
    """One pty pair; the master side is read and written here."""

    def __init__(self, link_path: str | None = None) -> None:
        self.link_path = link_path
        self.master_fd = -1
        self._slave_fd = -1
        self.slave_name = ""

    @property
    def path(self) -> str:
        """What the software under test opens."""
        return self.link_path or self.slave_name

    def open(self) -> None:
        """Create the pty in raw mode (and point the symlink at it)."""
        master, slave, self.slave_name = open_raw_pty(self.link_path)
        tty.setraw(master)
        self.master_fd, self._slave_fd = master, slave

    def close(self) -> None:
        """Close both sides; the slave's users then get I/O errors (an unplugged adapter)."""
        for fd in (self.master_fd, self._slave_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.master_fd = self._slave_fd = -1

    def reopen(self) -> None:
        """Unplug and plug in a new adapter behind the same ``link_path``."""
        self.close()
        self.open()

    def read(self, timeout: float) -> bytes:
        """Bytes the software wrote, ``b""`` after ``timeout`` with nothing to read."""
        fd = self.master_fd
        if fd < 0:
            return b""
        try:
            ready, _, _ = select.select([fd], [], [], timeout)
            return os.read(fd, 4096) if ready else b""
        except (OSError, ValueError):
            return b""  # closed under us by close(); the owner's loop checks its stop flag

    def write(self, data: bytes) -> None:
        """Bytes for the software to read."""
        view = memoryview(data)
        while view:
            written = os.write(self.master_fd, view)
            view = view[written:]


class PtyDevice(BackgroundWorker):
    """A simulated device: a thread hands what the software wrote to ``_received``."""

    def __init__(self, link_path: str | None, thread_name: str = "pty-device") -> None:
        super().__init__(thread_name)
        self.pty = PtyPort(link_path)

    @property
    def path(self) -> str:
        """The port the software under test opens."""
        return self.pty.path

    def start(self) -> None:
        """Create the pty and start reading."""
        self.pty.open()
        self._start_thread()

    def stop(self) -> None:
        """Stop reading and close the pty."""
        self._stop_thread()
        self.pty.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            data = self.pty.read(0.02)
            if data:
                self._received(data, time.monotonic())

    def _received(self, data: bytes, now: float) -> None:
        raise NotImplementedError
