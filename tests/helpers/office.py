"""The office pages (办公管理) as a browser asks for them: the app with its people, a logged-in
browser client and a page's title."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.settings import Settings
from hallkeeper.app import create_app
from tests.helpers.auth import add_account, login
from tests.helpers.queue import MONDAY_9AM, Clock


def office_app(engine: Engine, settings: Settings) -> Any:
    """The app on Monday 9:00 with an admin, a supervisor, a duty chief and a staff member."""
    app = create_app(settings, engine=engine, clock=Clock(MONDAY_9AM))
    add_account(app, "admin", "admin")
    add_account(app, "watch", "supervisor")
    add_account(app, "chief", "duty_chief", staff_no="ZW003")
    add_account(app, "liming", "staff", staff_no="SC002")
    return app


def browser(app: Any, username: str | None) -> TestClient:
    """A client that asks for pages as a browser does, logged in as ``username``."""
    client = TestClient(app, headers={"Accept": "text/html"}, follow_redirects=False)
    if username:
        login(client, username)
    return client


def title(html: str) -> str:
    """The text of a page's ``page-title`` element."""
    start = html.index('id="page-title">') + len('id="page-title">')
    return html[start : html.index("<", start)]
