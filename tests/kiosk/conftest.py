"""Fixtures for the queue: the real app on SQLite and PostgreSQL with a clock the test sets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.settings import Settings
from hallkeeper.app import create_app
from tests.auth_support import admin_headers
from tests.helpers.queue import MONDAY_9AM, Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY_9AM)


@pytest.fixture
def app(any_engine: Engine, settings: Settings, clock: Clock) -> FastAPI:
    # Every part of the app, the attendance scheduler included, runs on the test's clock.
    return create_app(settings, engine=any_engine, clock=clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    # An admin's token: the hall model and appointment slots are the admin's to change.
    with TestClient(app, headers=admin_headers(app)) as c:
        yield c
