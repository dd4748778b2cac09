"""The browser tests: the app served over HTTP and screenshots of its pages."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine

from tests.helpers.queue import Clock

SHOTS = Path(os.environ.get("HALLKEEPER_TEST_SHOTS", "/tmp/hallkeeper-shots"))


@dataclass
class Hall:
    """The app served over HTTP, its clock and database, and an administrator's headers."""

    app: FastAPI
    url: str
    clock: Clock
    engine: Engine
    headers: dict[str, str] = field(default_factory=dict)


def log_in(context: Any, url: str, username: str, password: str) -> None:
    """Log a browser context in: its pages then send the session cookie."""
    answer = context.request.post(
        f"{url}/api/v1/auth/login", data={"username": username, "password": password}
    )
    assert answer.ok, answer.text()


def shot(page: Any, name: str) -> Path:
    """Save a screenshot under SHOTS and return its path."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path
