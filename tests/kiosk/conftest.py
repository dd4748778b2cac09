"""Fixtures for the queue: the real app on SQLite and PostgreSQL with a clock the test sets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.settings import Settings
from hallkeeper.app import create_app
from tests.auth_support import admin_headers

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday 2026-11-23, 09:00 in the hall: a working day within every service's opening hours.
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)

    def advance(self, minutes: float = 0, seconds: float = 0) -> None:
        self.now += timedelta(minutes=minutes, seconds=seconds)

    def set_local(self, hour: int, minute: int = 0, day: int | None = None) -> None:
        local = self.now.astimezone(SHANGHAI)
        self.now = local.replace(hour=hour, minute=minute, day=day or local.day)


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


def take(client: TestClient, service: str, **extra: object) -> dict[str, object]:
    """Take a ticket and insist it worked."""
    response = client.post("/api/v1/tickets", json={"service": service, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def act(client: TestClient, window: int, action: str, **body: object) -> dict[str, object]:
    """A window action that must succeed."""
    response = client.post(f"/api/v1/windows/{window}/{action}", json=body or None)
    assert response.status_code == 200, response.text
    out: dict[str, object] = response.json()
    return out
