"""A tiny app guarded by `allow`, on a migrated database holding the shipped hall."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.auth import PUBLIC, AuthError, Principal, allow, auth_error, staff_in, window_in
from hallbase.auth.login import AddressLimiter
from hallbase.db import make_engine, write_session
from hallbase.settings import Settings
from hallkeeper import migrations
from hallkeeper.seed import apply_config
from tests.helpers.auth import Clock

WINDOW_RULE = allow(
    "window_lead", "staff", "supervisor", machines=("window_board",), scope=window_in("number")
)


def tiny_app(engine: Engine, settings: Settings, clock: Clock) -> FastAPI:
    """Routes that say who may call them, and nothing else."""
    app = FastAPI()
    app.state.engine, app.state.settings, app.state.clock = engine, settings, clock
    app.state.auth_limiter = AddressLimiter()
    app.add_exception_handler(AuthError, auth_error)

    def show(who: Principal) -> dict[str, Any]:
        return who.public()

    @app.get("/public")
    def public(who: Annotated[Principal, PUBLIC]) -> dict[str, Any]:
        return show(who)

    @app.get("/office")
    def office(who: Annotated[Principal, allow("admin", "supervisor", "director")]) -> Any:
        return show(who)

    @app.post("/office")
    def office_change(who: Annotated[Principal, allow("admin", "supervisor")]) -> Any:
        return show(who)

    @app.post("/windows/{number}/away")
    def away(number: int, who: Annotated[Principal, WINDOW_RULE]) -> Any:
        return show(who)

    @app.get("/staff/{staff_no}/month")
    def month(
        staff_no: str,
        who: Annotated[Principal, allow("window_lead", "staff", "director", scope=staff_in())],
    ) -> Any:
        return show(who)

    @app.get("/board")
    def board(who: Annotated[Principal, allow(machines=("hall_board", "kiosk"))]) -> Any:
        return show(who)

    return app


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def hall_engine(settings: Settings) -> Iterator[Engine]:
    """A migrated SQLite database with the shipped hall's units, staff and windows."""
    engine = make_engine(settings.effective_database_url)
    migrations.upgrade(engine)
    with write_session(engine) as session:
        apply_config(session, settings.hall)
    yield engine
    engine.dispose()


@pytest.fixture
def app(hall_engine: Engine, settings: Settings, clock: Clock) -> FastAPI:
    return tiny_app(hall_engine, settings, clock)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c
