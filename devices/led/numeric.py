"""A cheap numeric display on Modbus RTU: write the value or raw segments, check the answer."""

from __future__ import annotations

import logging
import threading
import time

from devices.common.health import LinkHealth
from devices.errors import DeviceUnavailable, ProtocolError
from devices.led.protocol import (
    ModbusAck,
    ModbusDeviceError,
    display_segments,
    display_value,
    parse_response,
)
from devices.led.transport import BusTransport, SerialBus

log = logging.getLogger(__name__)


class NumericDisplay:
    """One display (unit 1 by default) on its own serial line; thread-safe."""

    def __init__(
        self, transport: BusTransport | str, *, unit: int = 1, timeout: float = 0.5
    ) -> None:
        self.transport = SerialBus(transport) if isinstance(transport, str) else transport
        self.unit = unit
        self.timeout = timeout
        self._lock = threading.Lock()
        self._open = False
        self._health = LinkHealth(log, f"numeric display {self.transport.name}")

    @property
    def available(self) -> bool:
        """True after the last request was answered."""
        return self._health.available

    def close(self) -> None:
        """Close the line; the next request reopens it."""
        with self._lock:
            self.transport.close()
            self._open = False

    def show_value(self, value: int) -> ModbusAck:
        """Show ``value`` (0-65535); raises DeviceUnavailable without an answer."""
        return self._request(display_value(value, self.unit))

    def show_segments(self, segments: bytes) -> ModbusAck:
        """Light raw segment patterns, one byte per digit."""
        return self._request(display_segments(segments, self.unit))

    def _request(self, request: bytes) -> ModbusAck:
        with self._lock:
            try:
                if not self._open:
                    self.transport.open()
                    self._open = True
                self.transport.write(request)
                ack = self._answer(request)
            except ModbusDeviceError:
                self._health.up()  # it answered: the request was wrong, not the line
                raise
            except (OSError, ProtocolError) as exc:
                self.transport.close()
                self._open = False
                self._health.down(exc)
                raise DeviceUnavailable(f"numeric display {self.transport.name}: {exc}") from exc
            self._health.up()
            return ack

    def _answer(self, request: bytes) -> ModbusAck:
        data = b""
        deadline = time.monotonic() + self.timeout
        while True:
            ack = parse_response(request, data)
            if ack is not None:
                return ack
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no complete answer within {self.timeout}s (got {data.hex()})")
            data += self.transport.read(64, left)
