"""The month streamed a chunk of people at a time: it ends when its client has gone away or the
service is asked to stop, and a whole download is the same as before."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from attendance import month_build, reports
from attendance.month_stream import report_work
from tests.helpers.attendance import Hall
from tests.helpers.auth import admin_headers

Message = dict[str, Any]


def _counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One person per chunk; the people of each chunk built, in order."""
    built: list[int] = []
    chunks = reports.month_chunks

    def counting(*args: Any, **kwargs: Any) -> Iterator[reports.MonthReport]:
        for chunk in chunks(*args, **kwargs):
            built.append(len(chunk.rows))
            yield chunk

    monkeypatch.setattr(reports, "CHUNK", 1)
    monkeypatch.setattr(month_build, "month_chunks", counting)
    return built


def _admin(app: FastAPI) -> list[tuple[bytes, bytes]]:
    """The month is the office's: the admin's bearer token (a test account)."""
    return [(b"authorization", admin_headers(app)["Authorization"].encode())]


def _download(app: FastAPI, query: str, on_first_piece: Callable[[asyncio.Event], None]) -> bytes:
    """GET the month through the ASGI app; ``on_first_piece`` runs when the first bytes arrive
    (it may set the event, which the client's side reports as a disconnect)."""

    async def run() -> bytes:
        gone = asyncio.Event()
        asked = False
        body = bytearray()

        async def receive() -> Message:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.body" and message.get("body"):
                if not body:
                    on_first_piece(gone)
                body.extend(message["body"])

        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1", "method": "GET", "scheme": "http", "root_path": "",
            "path": "/api/v1/attendance/months/2026-03", "raw_path": b"",
            "query_string": query.encode(), "headers": [(b"host", b"test"), *_admin(app)],
            "client": ("127.0.0.1", 1), "server": ("test", 80),
        }  # fmt: skip
        await app(scope, receive, send)
        return bytes(body)

    return asyncio.run(run())


@pytest.mark.parametrize("any_engine", ["sqlite"], indirect=True)
def test_a_client_gone_away_ends_the_month(hall: Hall, monkeypatch: pytest.MonkeyPatch) -> None:
    people = len(hall.client.get("/api/v1/attendance/months/2026-03").json()["data"])
    assert people >= 4
    built = _counted(monkeypatch)
    app: FastAPI = hall.client.app  # type: ignore[assignment]
    body = _download(app, "format=csv", lambda gone: gone.set())
    assert 1 <= len(built) <= 2 < people  # the work ended within a chunk of the client leaving
    assert "合计" not in body.decode()  # the totals line never came
    built.clear()
    whole = _download(app, "format=csv", lambda gone: None)
    assert len(built) == people
    rows = list(csv.reader(io.StringIO(whole.decode())))
    assert rows[-1][0] == "合计" and len(rows) == people + 2


@pytest.mark.parametrize("any_engine", ["sqlite"], indirect=True)
def test_a_service_asked_to_stop_ends_the_month(
    hall: Hall, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = len(hall.client.get("/api/v1/attendance/months/2026-03").json()["data"])
    built = _counted(monkeypatch)
    app: FastAPI = hall.client.app  # type: ignore[assignment]
    work = report_work(app)
    try:
        body = _download(app, "format=json", lambda _gone: work.stop())
        assert len(built) <= 2 < people  # its head is sent before the first chunk
        assert not body.endswith(b"}}")  # cut short
        work.stop()
        built.clear()
        assert _download(app, "format=xlsx", lambda _gone: None) == b""  # a stopping service
        assert len(built) == 0
    finally:
        work.start()
    answer = hall.client.get("/api/v1/attendance/months/2026-03").json()
    assert len(answer["data"]) == people and set(answer["days"]) >= {"SC001"}
