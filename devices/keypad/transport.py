"""The keypads' RS-485 line: the same 9600 8N1 serial line class as the LED boards' bus."""

from __future__ import annotations

from devices.led.transport import BusTransport, SerialBus

__all__ = ["BusTransport", "SerialBus"]
