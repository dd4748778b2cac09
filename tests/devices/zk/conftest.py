"""Fixtures: a simulated terminal on 127.0.0.1 (free port) and a client factory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devices.zk.adapter import ZKClient
from devices.zk.simulator import ZKSimulator
from tests.helpers.zk import ClientFactory, zk_client


@pytest.fixture(params=["tcp", "udp"])
def transport(request: pytest.FixtureRequest) -> str:
    """Run the test over TCP and over UDP."""
    return str(request.param)


@pytest.fixture
def sim() -> Iterator[ZKSimulator]:
    """A running simulator with three users, one with a Chinese name."""
    with ZKSimulator() as simulator:
        simulator.add_user(1, "1001", "张伟")
        simulator.add_user(2, "1002", "李娜")
        simulator.add_user(3, "1003", "Wang")
        yield simulator


@pytest.fixture
def make_client(sim: ZKSimulator, transport: str) -> Iterator[ClientFactory]:
    """Build connected clients for ``sim``; all are closed at the end."""
    clients: list[ZKClient] = []

    def factory(**overrides: object) -> ZKClient:
        options: dict[str, object] = {
            "transport": transport,
            "timeout": 1.0,
            "transfer_timeout": 10.0,
        }
        options.update(overrides)
        client = zk_client(sim, **options)
        clients.append(client)
        client.connect()
        return client

    yield factory
    for client in clients:
        client.close()
