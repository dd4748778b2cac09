"""The pty standing in for an RS-485 adapter now lives in :mod:`devices.common.pty`."""

from __future__ import annotations

from devices.common.pty import PtyPort

__all__ = ["PtyPort"]
