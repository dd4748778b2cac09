"""The ticket queue under test: a Monday morning in the hall, a clock moved by hand, actions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient

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


def as_admin(app: FastAPI, client: TestClient, username: str = "admin") -> TestClient:
    """Give ``client`` an administrator's bearer token (the account is made once per app)."""
    from sqlmodel import col, select

    from hallbase.auth.models import Account
    from hallbase.db import read_session
    from tests.helpers.auth import add_account, api_token

    with read_session(app.state.engine) as session:
        found = select(Account.id).where(col(Account.username) == username)
        exists = session.exec(found).first() is not None
    if not exists:
        add_account(app, username, "admin")
    client.headers["Authorization"] = f"Bearer {api_token(app, username)}"
    return client


def rating_pad(app: FastAPI, window: int) -> dict[str, str]:
    """The headers of window ``window``'s rating pad."""
    from tests.helpers.auth import machine_key

    return {"X-Hall-Key": machine_key(app, "rating_pad", f"window:{window}", f"pad {window}")}
