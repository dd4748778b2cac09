"""Two service instances on one PostgreSQL: a call made through one reaches the other's boards."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.db import make_engine
from hallbase.settings import Settings
from hallkeeper.app import create_app
from kiosk.events import ALERT_EVENT_PREFIX
from tests.helpers.queue import MONDAY_9AM, Clock, as_admin


@pytest.mark.postgres
def test_events_cross_instances_through_postgres(pg_database: str, settings: Settings) -> None:
    from tests.helpers.services import reset_pg

    reset_pg(pg_database)
    engines: list[Engine] = [make_engine(pg_database), make_engine(pg_database)]
    apps = [create_app(settings, engine=e, clock=Clock(MONDAY_9AM)) for e in engines]
    try:
        with TestClient(apps[0]) as one, TestClient(apps[1]) as two:
            assert apps[0].state.bus.remote and apps[1].state.bus.remote
            as_admin(apps[0], one)
            as_admin(apps[1], two)  # the same account: one database
            board = apps[1].state.bus.subscribe()
            local = apps[0].state.bus.subscribe()
            assert one.post("/api/v1/tickets", json={"service": "consult"}).status_code == 201
            assert one.post("/api/v1/windows/8/call-next").status_code == 200
            refused = one.post("/api/v1/windows/8/call-next")
            assert refused.status_code == 409
            kinds = []
            while (event := board.get(timeout=2)) is not None:
                if event.kind.startswith(ALERT_EVENT_PREFIX):
                    continue  # the instances' schedulers raise alerts of their own
                kinds.append(event.kind)
                if event.kind == "ticket.called":
                    assert event.data["text"]["zh"] == "请Z001号到8号窗口办理"
                    break
            assert kinds[0] == "ticket.issued" and kinds[-1] == "ticket.called"
            # the instance that made the change hears it once, through PostgreSQL too
            heard = []
            while (event := local.get(timeout=0.5)) is not None:
                heard.append(event.kind)
            assert heard.count("ticket.called") == 1
            assert two.get("/api/v1/windows-live").json()["data"][7]["ticket"] == "Z001"
    finally:
        for engine in engines:
            engine.dispose()
