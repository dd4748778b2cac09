"""The one error type an adapter raises when its device cannot be reached or misbehaves."""

from __future__ import annotations


class DeviceUnavailable(Exception):
    """The device did not answer in time, closed the link, or answered with garbage."""


class ProtocolError(ValueError):
    """Bytes from the device do not follow the protocol (the device's fault, not ours)."""
