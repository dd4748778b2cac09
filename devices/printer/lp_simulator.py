"""A USB printer-class device (``/dev/usb/lp0``) imitated by a named pipe (FIFO).

The kernel's ``usblp`` driver gives a plain character device: the host opens it and writes
the job; nothing more is needed to print. A FIFO behaves the same way for a writer, and opening
it for writing fails (``ENXIO`` with ``O_NONBLOCK``) while no reader holds it, as a device
node fails while the printer is unplugged. The simulator is that reader: it records what was
written (`PrintRecorder`) and answers nothing (a write-only link).
"""

from __future__ import annotations

import contextlib
import os
import select
import stat
from pathlib import Path

from devices.common.worker import BackgroundWorker
from devices.printer.recorder import PrintRecorder


class LpPrinterSimulator(BackgroundWorker, PrintRecorder):
    """A FIFO at ``path`` read on a background thread; see the module's docstring."""

    def __init__(self, path: str | Path, *, chinese_default: bool = True) -> None:
        BackgroundWorker.__init__(self, "lp-printer-sim")
        PrintRecorder.__init__(self, chinese_default=chinese_default)
        self.path = str(path)
        self._fd: int | None = None
        self._keep: int | None = None

    def start(self) -> None:
        """Create the FIFO (if needed), open it for reading and serve in a thread."""
        if not os.path.exists(self.path):
            os.mkfifo(self.path, 0o600)
        elif not stat.S_ISFIFO(os.stat(self.path).st_mode):
            raise ValueError(f"{self.path} exists and is not a FIFO")
        self._fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        # A writer of our own keeps the pipe from reading as closed between jobs.
        self._keep = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
        self._start_thread()

    def stop(self) -> None:
        """Stop reading; the FIFO stays (writers then fail to open it)."""
        self._stop_thread()
        for fd in (self._keep, self._fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._fd = self._keep = None

    def _run(self) -> None:
        fd = self._fd
        assert fd is not None
        while not self._stop.is_set():
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if data:
                self._record(data)
