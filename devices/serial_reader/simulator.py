"""A serial punch reader on a pseudo-terminal, with line faults on demand.

The simulator holds the pty's master side and writes punch lines into it; open ``path`` with
pyserial as if it were the reader's port. With ``link_path`` the path is a symlink that
follows the current pty (as ``/dev/serial/by-id/...`` follows a USB adapter), so ``close``
then ``open`` looks to the adapter like a reader unplugged and plugged back in.

    python -m devices.serial_reader.simulator --link /tmp/reader0 --pins 1001,1002 --every 5
"""

from __future__ import annotations

import argparse
import os
import random
import select
import signal
import sys
import time
from datetime import datetime, tzinfo
from types import TracebackType

from devices.common.pty import open_raw_pty
from devices.serial_reader.protocol import DEFAULT_ZONE, LineFormat


class SerialReaderSimulator:
    """Writes reader lines into a pty; faults: noise, split writes, garbage, cut lines."""

    def __init__(
        self,
        link_path: str | None = None,
        *,
        fmt: LineFormat | None = None,
        terminator: bytes = b"\r\n",
        zone: tzinfo = DEFAULT_ZONE,
        seed: int | None = None,
        write_timeout: float = 5.0,
    ) -> None:
        self.fmt = fmt if fmt is not None else LineFormat()
        self.terminator = terminator
        self.zone = zone
        self.link_path = link_path
        self._rng = random.Random(seed)
        self._write_timeout = write_timeout
        self._master: int | None = None
        self._slave: int | None = None
        self._slave_name = ""

    @property
    def path(self) -> str:
        """What to open with pyserial: the symlink if one was asked for, else the pty."""
        return self.link_path or self._slave_name

    @property
    def is_open(self) -> bool:
        """True while the pty exists."""
        return self._master is not None

    def open(self) -> str:
        """Create a fresh pty (raw mode) and point the link at it; returns ``path``."""
        if self._master is not None:
            raise RuntimeError("simulator already open")
        master, slave, self._slave_name = open_raw_pty(self.link_path)
        os.set_blocking(master, False)
        self._master, self._slave = master, slave
        return self.path

    def close(self) -> None:
        """Unplug: close the pty (the port's reader gets an error) and remove the link."""
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None
        if self.link_path and os.path.lexists(self.link_path):
            os.unlink(self.link_path)

    def __enter__(self) -> SerialReaderSimulator:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def write(self, data: bytes) -> None:
        """Write raw bytes to the line; raises TimeoutError if nobody drains the port."""
        if self._master is None:
            raise RuntimeError("simulator is closed")
        view = memoryview(data)
        deadline = time.monotonic() + self._write_timeout
        while view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"pty {self._slave_name}: {len(view)} bytes not written")
            _, writable, _ = select.select([], [self._master], [], remaining)
            if writable:
                try:
                    view = view[os.write(self._master, view) :]
                except BlockingIOError:
                    continue

    def line(self, pin: str, when: datetime | None = None, verify: int | None = None) -> bytes:
        """The bytes of one record (``when`` aware, or naive reader-local; None: now)."""
        moment = datetime.now(self.zone) if when is None else when
        if moment.tzinfo is not None:
            moment = moment.astimezone(self.zone).replace(tzinfo=None)
        record = self.fmt.encode(pin, moment, verify)
        return record[: -len(self.fmt.terminator)] + self.terminator

    def punch(self, pin: str, when: datetime | None = None, verify: int | None = None) -> bytes:
        """Write one punch line; returns the bytes written."""
        data = self.line(pin, when, verify)
        self.write(data)
        return data

    def split_punch(
        self,
        pin: str,
        when: datetime | None = None,
        verify: int | None = None,
        parts: int = 3,
        pause: float = 0.02,
    ) -> bytes:
        """Write one punch in ``parts`` chunks with pauses, as a slow UART delivers it."""
        data = self.line(pin, when, verify)
        cuts = sorted(self._rng.sample(range(1, len(data)), min(parts - 1, len(data) - 1)))
        for start, end in zip([0, *cuts], [*cuts, len(data)], strict=True):
            self.write(data[start:end])
            time.sleep(pause)
        return data

    def noise(self, count: int = 16) -> bytes:
        """Line noise glued before the next record: random bytes ending in a non-PIN byte.

        The bytes never include the terminator or PIN characters, so the next record can be
        recovered; use ``garbage`` for arbitrary bytes.
        """
        banned = set(self.terminator) | set(self.fmt.pin_alphabet.encode())
        pool = [b for b in range(256) if b not in banned]
        data = bytes(self._rng.choice(pool) for _ in range(max(1, count - 1))) + b"\xff"
        self.write(data)
        return data

    def garbage(self, count: int = 512) -> bytes:
        """Arbitrary random bytes (may hold terminators), then a terminator to end it."""
        data = self._rng.randbytes(count) + self.terminator
        self.write(data)
        return data

    def partial(self, pin: str, when: datetime | None = None) -> bytes:
        """A record cut short (reader reset mid-line), then a terminator."""
        data = self.line(pin, when)
        cut = data[: len(data) // 2] + self.terminator
        self.write(cut)
        return cut


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print the port path, then punch PINs in turn."""
    parser = argparse.ArgumentParser(description="Simulated serial punch reader on a pty.")
    parser.add_argument("--link", help="stable symlink path for the port")
    parser.add_argument("--pins", default="1001", help="comma-separated PINs to punch in turn")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between punches")
    parser.add_argument("--noise", type=float, default=0.0, help="probability of line noise")
    args = parser.parse_args(argv)
    pins = [pin for pin in args.pins.split(",") if pin]
    # SIGTERM (systemd, timeout) cleans up like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with SerialReaderSimulator(args.link) as sim:
        print(sim.path, flush=True)
        index = 0
        try:
            while True:
                time.sleep(args.every)
                if sim._rng.random() < args.noise:
                    sim.noise()
                try:
                    sim.punch(pins[index % len(pins)])
                except TimeoutError:
                    print("nobody reads the port; punch dropped", file=sys.stderr)
                index += 1
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
