"""ZK clients for a simulated terminal on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devices.zk.adapter import ZKClient, ZKSettings
from devices.zk.simulator import ZKSimulator

ClientFactory = Callable[..., ZKClient]


def zk_client(sim: ZKSimulator, transport: str = "tcp", **options: Any) -> ZKClient:
    """A client (not connected yet) for ``sim`` over ``transport`` with ``options``."""
    return ZKClient(ZKSettings("127.0.0.1", sim.port, transport=transport, **options))  # type: ignore[arg-type]
