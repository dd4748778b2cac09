"""Serial punch reader adapter: a thread that reads, parses, reconnects and reports health.

It logs one line when the reader goes down and one when it comes back, keeps an
``available`` flag, reconnects with exponential backoff, and hands every Punch (and every
BadRecord, if asked) to callbacks on its own thread.  ``on_idle`` is called whenever the open
line stays quiet for a read timeout with no record half-read: everything the reader sent
has been handed on by then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import tzinfo

from devices.common.health import LinkHealth
from devices.common.worker import BackgroundWorker
from devices.errors import DeviceUnavailable
from devices.events import BadRecord, Punch
from devices.serial_reader.protocol import DEFAULT_ZONE, LineFormat, StreamParser
from devices.serial_reader.transport import SerialTransport

_log = logging.getLogger(__name__)


class SerialReaderAdapter(BackgroundWorker):
    """Reads punches from one serial reader at ``url`` until ``stop``."""

    def __init__(
        self,
        url: str,
        *,
        device_sn: str,
        on_punch: Callable[[Punch], None],
        on_bad: Callable[[BadRecord], None] | None = None,
        on_idle: Callable[[], None] | None = None,
        zone: tzinfo = DEFAULT_ZONE,
        line_format: LineFormat | None = None,
        baudrate: int = 9600,
        parity: str = "N",
        read_timeout: float = 0.2,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
    ) -> None:
        super().__init__(f"serial-{device_sn}")
        if not 0 < backoff_initial <= backoff_max:
            raise ValueError("need 0 < backoff_initial <= backoff_max")
        self.url = url
        self.device_sn = device_sn
        self._on_punch = on_punch
        self._on_bad = on_bad
        self._on_idle = on_idle
        self._transport = SerialTransport(
            url, baudrate=baudrate, parity=parity, read_timeout=read_timeout
        )
        self._parser = StreamParser(device_sn, zone, line_format)
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._health = LinkHealth(
            _log,
            f"serial reader {device_sn}",
            recovered=f"available again on {url}",
            recovered_level=logging.WARNING,
            connected=f"connected on {url}",
        )
        self.punches = 0
        self.bad_records = 0

    @property
    def available(self) -> bool:
        """True while the port is open and reading."""
        return self._health.available

    def start(self) -> None:
        """Start the reading thread."""
        if self._thread is not None:
            raise RuntimeError("adapter already started")
        self._start_thread()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and close the port."""
        self._stop_thread(timeout)

    def _went_down(self, exc: DeviceUnavailable) -> None:
        self._health.clear()
        for bad in self._parser.flush():
            self._dispatch_bad(bad)
        self._health.down(exc)

    def _dispatch_bad(self, bad: BadRecord) -> None:
        self.bad_records += 1
        _log.debug("serial reader %s: %s", self.device_sn, bad.reason)
        if self._on_bad is not None:
            try:
                self._on_bad(bad)
            except Exception:
                _log.exception("serial reader %s: on_bad callback failed", self.device_sn)

    def _dispatch(self, data: bytes) -> None:
        for event in self._parser.feed(data):
            if isinstance(event, BadRecord):
                self._dispatch_bad(event)
                continue
            self.punches += 1
            try:
                self._on_punch(event)
            except Exception:
                # The reader keeps reading; the punch's raw bytes are in the log for recovery.
                _log.exception(
                    "serial reader %s: on_punch failed for %r", self.device_sn, event.raw
                )

    def _idle(self) -> None:
        """The port is open, nothing arrived for a read timeout and no record is half-read."""
        assert self._on_idle is not None
        try:
            self._on_idle()
        except Exception:
            _log.exception("serial reader %s: on_idle callback failed", self.device_sn)

    def _run(self) -> None:
        delay = self._backoff_initial
        try:
            while not self._stop.is_set():
                try:
                    if not self._transport.is_open:
                        self._transport.open()
                        self._health.up()
                        delay = self._backoff_initial
                    data = self._transport.read()
                except DeviceUnavailable as exc:
                    self._transport.close()
                    self._went_down(exc)
                    self._stop.wait(delay)
                    delay = min(delay * 2, self._backoff_max)
                    continue
                if data:
                    self._dispatch(data)
                elif self._on_idle is not None and not self._parser.buffered:
                    self._idle()
        finally:
            self._transport.close()
            self._health.clear()
