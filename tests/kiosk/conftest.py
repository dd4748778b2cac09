"""Fixtures for the queue: the real app on SQLite and PostgreSQL with a clock the test sets.

``client`` calls as an administrator (a bearer token); ``anonymous`` with no credential; a
test about a machine gives that machine's key (`tests.helpers.auth.machine_key`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.settings import Settings
from hallkeeper.app import create_app
from tests.helpers.queue import MONDAY_9AM, Clock, as_admin


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_9AM)


@pytest.fixture
def app(any_engine: Engine, settings: Settings, clock: Clock) -> FastAPI:
    # Every part of the app, the attendance scheduler included, runs on the test's clock.
    return create_app(settings, engine=any_engine, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield as_admin(app, c)


@pytest.fixture
def anonymous(app: FastAPI, client: TestClient) -> TestClient:
    """A client without any credential (the app is already started by ``client``)."""
    return TestClient(app)
