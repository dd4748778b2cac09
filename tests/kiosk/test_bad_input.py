"""Every refused request answers with a clear JSON error and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers.queue import act, rating_pad, take
from tests.kiosk.snapshot import snapshot

RATING = {"attitude": 5, "quality": 5, "efficiency": 5, "integrity": 5, "overall": 5}


def refused(
    app: FastAPI, request: Callable[[], httpx.Response], status: int, words: str
) -> dict[str, Any]:
    """Send ``request``: it must fail with ``status`` and ``words`` and change no table."""
    before = snapshot(app.state.engine)
    response = request()
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert words in str(body["detail"]), body
    assert snapshot(app.state.engine) == before
    return body


def test_refusals_change_nothing(app: FastAPI, client: TestClient) -> None:
    post = client.post
    refused(app, lambda: post("/api/v1/windows/3/call-next"), 409, "nobody is waiting for window 3")
    refused(app, lambda: post("/api/v1/windows/99/call-next"), 404, "window 99 not found")
    refused(app, lambda: post("/api/v1/tickets", json={"service": "nope"}), 404, "unknown service")
    refused(app, lambda: post("/api/v1/windows/3/finish"), 409, "window 3 has no ticket in hand")

    social = take(client, "social_security")
    pad = rating_pad(app, 3)
    act(client, 3, "call-next")
    refused(app, lambda: post("/api/v1/windows/3/finish"), 409, "only a ticket in service")
    refused(
        app,
        lambda: post(f"/api/v1/tickets/{social['id']}/rating", json=RATING, headers=pad),
        409,
        "rate it after its service",
    )
    act(client, 3, "start")
    refused(app, lambda: post("/api/v1/windows/3/start"), 409, "only a called ticket")

    act(client, 5, "pause")
    refused(
        app,
        lambda: post("/api/v1/windows/3/transfer", json={"to_window": 5}),
        409,
        "window 5 is paused",
    )
    act(client, 5, "away")
    refused(
        app,
        lambda: post("/api/v1/windows/3/transfer", json={"to_window": 5}),
        409,
        "window 5 is away",
    )
    refused(
        app,
        lambda: post("/api/v1/windows/3/transfer", json={"to_window": 42}),
        404,
        "window 42 not found",
    )
    refused(
        app,
        lambda: post("/api/v1/windows/3/transfer", json={"to_service": "nope"}),
        404,
        "unknown service",
    )
    refused(
        app, lambda: post("/api/v1/windows/3/transfer", json={"to_window": 3}), 422, "to itself"
    )
    refused(
        app,
        lambda: post("/api/v1/windows/3/transfer", json={}),
        422,
        "give to_window or to_service",
    )
    refused(
        app,
        lambda: post("/api/v1/windows/3/transfer", json={"to_window": 6, "to_service": "consult"}),
        422,
        "window 6 does not serve 咨询服务",
    )
    refused(
        app,
        lambda: post("/api/v1/windows/3/finish", json={"outcome": "missing_documents"}),
        422,
        "list every missing document",
    )
    refused(app, lambda: post("/api/v1/windows/3/finish", json={"outcome": "lost"}), 422, "outcome")

    act(client, 3, "finish")
    post(f"/api/v1/tickets/{social['id']}/rating", json=RATING, headers=pad)
    refused(
        app,
        lambda: post(f"/api/v1/tickets/{social['id']}/rating", json=RATING, headers=pad),
        409,
        "already been rated",
    )
    refused(
        app,
        lambda: post("/api/v1/tickets/9999/rating", json=RATING, headers=pad),
        404,
        "ticket 9999 not found",
    )
    refused(
        app,
        lambda: post(
            f"/api/v1/tickets/{social['id']}/rating", json=RATING | {"overall": 6}, headers=pad
        ),
        422,
        "less than or equal to 5",
    )
    refused(app, lambda: client.get("/api/v1/tickets/9999"), 404, "ticket 9999 not found")
    refused(app, lambda: post("/api/v1/windows/3/resume"), 409, "only a paused window")
    refused(app, lambda: post("/api/v1/windows/3/back"), 409, "only a window marked away")
