"""The shortcut to the busiest queue routes answers exactly as FastAPI's own routing does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from hallbase.db import make_engine
from hallbase.settings import load_settings
from hallkeeper.app import create_app
from kiosk.api.common import Queue, get_queue, queue_of
from kiosk.api.fastpath import QueueFastPath
from tests.helpers.queue import Clock

JSON = {"content-type": "application/json"}
# (path, body, headers): successes, refusals, bad bodies, and paths the shortcut passes on.
REQUESTS: list[tuple[str, bytes, dict[str, str]]] = [
    ("/api/v1/windows/1/start", b"", {}),
    ("/api/v1/windows/1/call-next", b"", {}),
    ("/api/v1/tickets", b'{"service": "company_setup"}', JSON),
    ("/api/v1/tickets", b'{"service": "company_setup", "priority_reason": "elderly"}', JSON),
    ("/api/v1/tickets", b'{"service": "company_setup"}', {}),
    ("/api/v1/tickets", b'{"service": "company_setup"}', {"content-type": "text/plain"}),
    ("/api/v1/tickets", b'{"service": "nope"}', JSON),
    ("/api/v1/tickets", b'{"service": "consult", "extra": 1}', JSON),
    ("/api/v1/tickets", b'{"service": "consult", "priority_reason": "vip"}', JSON),
    ("/api/v1/tickets", b'{"service":', JSON),
    ("/api/v1/tickets", b"[1]", JSON),
    ("/api/v1/tickets", b"", JSON),
    ("/api/v1/windows/1/call-next", b"", {}),
    ("/api/v1/windows/1/call-next", b"", {}),
    ("/api/v1/windows/1/start", b"", {}),
    ("/api/v1/windows/1/start", b"", {}),
    ("/api/v1/windows/1/finish", b'{"outcome": "bad"}', JSON),
    ("/api/v1/windows/1/finish", b'{"outcome": "missing_documents"}', JSON),
    (
        "/api/v1/windows/1/finish",
        b'{"outcome": "missing_documents", "missing_documents": ["a"]}',
        JSON,
    ),
    ("/api/v1/windows/1/call-next", b'{"staff_no": "nobody"}', JSON),
    ("/api/v1/windows/1/call-next", b"null", JSON),
    ("/api/v1/windows/1/call-next", b"{}", JSON),
    ("/api/v1/windows/1/start", b'{"ignored": true}', JSON),
    ("/api/v1/windows/1/finish", b"", {}),
    ("/api/v1/windows/1/call-next", b"", {}),
    ("/api/v1/windows/999/call-next", b"", {}),
    ("/api/v1/windows/abc/call-next", b"", {}),
    ("/api/v1/windows/0001/start", b"", {}),
    ("/api/v1/windows/1/start/", b"", {}),
    ("/api/v1/tickets/", b'{"service": "consult"}', JSON),
]


def _app(tmp_path: Path, name: str, clock: Clock, *, shortcut: bool) -> FastAPI:
    settings = load_settings(data_dir=tmp_path / name, database_url="", admin_token="", mqtt_url="")
    engine = make_engine(f"sqlite:///{tmp_path / name / 'test.db'}")
    app = create_app(settings, engine=engine, clock=clock)
    assert any(m.cls is QueueFastPath for m in app.user_middleware)
    if not shortcut:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not QueueFastPath]
    return app


def _answers(app: FastAPI) -> list[tuple[int, list[tuple[str, str]], bytes]]:
    out = []
    with TestClient(app) as client:
        for path, body, headers in REQUESTS:
            response = client.post(path, content=body, headers=headers, follow_redirects=False)
            out.append((response.status_code, sorted(response.headers.items()), response.content))
    app.state.engine.dispose()
    return out


def test_shortcut_answers_as_fastapi_does(tmp_path: Path, clock: Clock) -> None:
    with_shortcut = _answers(_app(tmp_path, "shortcut", clock, shortcut=True))
    without = _answers(_app(tmp_path, "fastapi", clock, shortcut=False))
    for request, mine, theirs in zip(REQUESTS, with_shortcut, without, strict=True):
        assert mine == theirs, request
    assert {status for status, _, _ in without} >= {200, 201, 307, 404, 409, 422}


def test_overridden_queue_parts_are_used(tmp_path: Path, clock: Clock) -> None:
    app = _app(tmp_path, "override", clock, shortcut=True)
    night = Clock(clock.now.replace(hour=23))

    async def queue_at_night(request: Request) -> Queue:
        return replace(queue_of(request.app.state), clock=night)

    app.dependency_overrides[get_queue] = queue_at_night
    with TestClient(app) as client:
        response = client.post("/api/v1/tickets", json={"service": "company_setup"})
    app.state.engine.dispose()
    assert response.status_code == 409, response.text
    assert "is closed" in response.json()["detail"]
