"""The hall with its queue devices on simulators (`tests.helpers.queue_devices`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.settings import Settings
from hallkeeper.app import create_app
from kiosk.hardware.coordinator import install_queue_devices
from kiosk.hardware.simulated import start_simulators
from tests.helpers.queue import MONDAY_9AM, Clock, as_admin
from tests.helpers.queue_devices import Hall, section


@pytest.fixture
def hall(any_engine: Engine, settings: Settings, tmp_path: Path) -> Iterator[Hall]:
    sims = start_simulators(tmp_path / "sims")
    sims.keypads.ack_timeout = 2.0  # the queue acts before it acknowledges; a busy machine
    clock = Clock(MONDAY_9AM)
    app = create_app(settings, engine=any_engine, clock=clock)
    component = install_queue_devices(app, section(sims))
    assert component is not None and component in app.state.parts.components
    try:
        with TestClient(app) as client:
            as_admin(app, client)
            assert component.keypads is not None and component.keypads.wait_available()
            yield Hall(client, sims, any_engine, clock, component)
    finally:
        for sim in (sims.keypads, sims.boards, sims.printer):
            sim.stop()
