"""A pseudo-terminal standing in for an RS-485 adapter, for the simulators.

The device side (simulator) holds the master; the software under test opens the slave by
its path with pyserial, exactly as it would open ``/dev/ttyUSB0``.  With ``link_path`` the
slave is reached through a symlink (like ``/dev/serial/by-id/...``) that survives
:meth:`PtyPort.reopen`, so a test can unplug the "adapter" and plug a new one in.
"""

from __future__ import annotations

import contextlib
import os
import select
import tty


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
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line editing, no newline translation
        tty.setraw(master)
        self.master_fd, self._slave_fd = master, slave
        self.slave_name = os.ttyname(slave)
        if self.link_path:
            tmp = f"{self.link_path}.tmp"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            os.symlink(self.slave_name, tmp)
            os.replace(tmp, self.link_path)

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
