"""Request bodies over their route's limit are refused with 413 before they are read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine
from starlette.types import Message, Receive, Scope, Send

from hallbase.settings import Settings
from hallkeeper.app import create_app
from hallkeeper.request_gate import MB, RequestGate
from tests.helpers.auth import admin_headers
from tests.helpers.live_server import live_server

CHUNK = 64 * 1024
ADMIN: dict[str, dict[str, str]] = {}  # an admin's headers, by the server's address


@pytest.fixture
def url(settings: Settings, any_engine: Engine) -> Iterator[str]:
    app = create_app(settings, engine=any_engine)
    with live_server(app) as base:
        ADMIN[base] = admin_headers(app)
        yield base


def chunks(total: int) -> Iterator[bytes]:
    """A streamed body with no Content-Length: httpx sends it chunked."""
    sent = 0
    while sent < total:
        yield b"x" * CHUNK
        sent += CHUNK


def test_terminal_post_over_8_mb_is_refused_with_the_limit(url: str) -> None:
    body = b"1001\t2026-03-02 08:00:00\t0\t1\t0\n" * (9 * MB // 31)
    answer = httpx.post(f"{url}/iclock/cdata?SN=BIG1&table=ATTLOG&Stamp=1", content=body)
    assert answer.status_code == 413
    assert str(8 * MB) in answer.text  # the terminal can split its batch


def test_chunked_body_is_counted_while_read(url: str) -> None:
    answer = httpx.post(
        f"{url}/api/v1/punches",
        content=chunks(5 * MB),
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 413
    assert answer.json()["limit"] == 4 * MB
    # Other JSON routes are small; the answer says so.
    units = httpx.post(f"{url}/api/v1/units", content=b" " * (2 * MB))
    assert (units.status_code, units.json()["limit"]) == (413, 1 * MB)
    # A body within the limit still reaches its route.
    assert httpx.post(f"{url}/api/v1/punches", json=[], headers=ADMIN[url]).status_code == 200


def test_middleware_stops_reading_at_the_limit() -> None:
    reads = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal reads
        reads += 1  # an endless chunked body
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        while True:  # reads everything, as `await request.body()` does
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ConnectionResetError("client went away")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    limited = RequestGate(app, limits=[("/iclock", 10 * CHUNK)], default=CHUNK)
    scope = {"type": "http", "path": "/iclock/cdata", "headers": []}
    asyncio.run(limited(scope, receive, send))
    assert reads == 11  # the chunk that passed the limit, then nothing more
    assert [m.get("status") for m in sent[:1]] == [413]
    assert b"655360" in sent[1]["body"] and len(sent) == 2
    # A declared length over the limit is refused without reading at all.
    reads, sent[:] = 0, []
    scope = {"type": "http", "path": "/x", "headers": [(b"content-length", b"999999")]}
    asyncio.run(limited(scope, receive, send))
    assert (reads, sent[0]["status"]) == (0, 413)


def test_an_endless_json_body_is_refused_at_the_limit(
    settings: Settings, any_engine: Engine
) -> None:
    """The JSON depth check reads a JSON body whole; the app counts what it reads, so an
    endless chunked JSON body stops at the limit (1 MB here) instead of filling the memory."""
    reads = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal reads
        reads += 1
        return {"type": "http.request", "body": b"[" * CHUNK, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": "POST", "path": "/api/v1/units", "query_string": b"",
        "headers": [(b"content-type", b"application/json")], "scheme": "http",
        "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": "",
    }  # fmt: skip
    asyncio.run(create_app(settings, engine=any_engine)(scope, receive, send))
    assert reads == MB // CHUNK + 1  # the chunk that passed the limit, then nothing more
    assert sent[0]["status"] == 413 and (b"x-frame-options", b"DENY") in sent[0]["headers"]
    assert json.loads(sent[1]["body"])["limit"] == MB
