"""Fixtures for the attendance service: the app on SQLite and PostgreSQL with a settable clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.settings import Settings
from hallkeeper.app import create_app
from tests.helpers.attendance import Clock, Hall, at
from tests.helpers.auth import admin_headers


@pytest.fixture
def hall(any_engine: Engine, settings: Settings) -> Iterator[Hall]:
    clock = Clock(at("07:00"))
    app = create_app(settings, engine=any_engine, clock=clock)
    # An admin by default; tests of who may do what send another's headers.
    yield Hall(TestClient(app, headers=admin_headers(app)), any_engine, clock, settings)
