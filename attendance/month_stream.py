"""The month as a download that is built a chunk of people at a time, off the event loop.

Each chunk is evaluated and written in a worker thread; between chunks the stream looks whether
its client is still there and whether the service is stopping, and ends the work if not. A
CSV or JSON month is sent as it is built; an XLSX month is written to a temporary file (a
write-only workbook) and sent from it.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from collections.abc import AsyncIterator, Collection, Generator, Iterator
from datetime import datetime
from typing import IO, Any

from anyio import to_thread
from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import StreamingResponse
from sqlalchemy import Engine
from sqlmodel import select

from attendance.common import context
from attendance.export import csv_parts
from attendance.reports import MonthReport, month_chunks, month_dates
from attendance.sheet import sheet_steps
from hallbase.db import read_session
from hallbase.models import Hall
from hallbase.settings import Settings

log = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "xlsx": XLSX}
PIECE = 64 * 1024


class ReportWork:
    """The app's report work: told to stop when the service is asked to stop."""

    def __init__(self) -> None:
        self.stopping = threading.Event()

    def start(self) -> None:
        """Reports may run."""
        self.stopping.clear()

    def stop(self) -> None:
        """Running reports end after their current chunk; new ones end at once."""
        self.stopping.set()


def report_work(app: Any) -> ReportWork:
    """The app's report work (one per app)."""
    work: ReportWork | None = getattr(app.state, "report_work", None)
    if work is None:
        work = app.state.report_work = ReportWork()
    return work


def _json_parts(year: int, month: int, chunks: Iterator[MonthReport]) -> Iterator[str]:
    """``{"month", "dates", "data", "days"}`` as the route always answered, chunk by chunk;
    the days wait in a temporary file until the rows are out."""
    dates = [d.isoformat() for d in month_dates(year, month)]
    head = json.dumps({"month": f"{year}-{month:02d}", "dates": dates}, ensure_ascii=False)
    yield head[:-1] + ',"data":['
    sep = ""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as days:
        for chunk in chunks:
            rows = jsonable_encoder(chunk.rows)
            text = ",".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows)
            yield sep + text if text else ""
            sep = "," if text or sep else ""
            for no, statuses in chunk.days.items():
                days.write(("," if days.tell() else "") + json.dumps(no) + ":")
                days.write(json.dumps(statuses, separators=(",", ":")))
        yield '],"days":{'
        days.seek(0)
        while piece := days.read(PIECE):
            yield piece
    yield "}}"


def _build(
    engine: Engine,
    settings: Settings,
    year: int,
    month: int,
    now: datetime,
    fmt: str,
    out: IO[bytes],
    staff_nos: Collection[str] | None = None,
) -> Generator[bytes]:
    """The month's pieces to send (CSV, JSON), or b"" after each chunk written to ``out``."""
    with read_session(engine) as session:
        ctx = context(session, settings, [month_dates(year, month)[0]])
        chunks = month_chunks(session, ctx, year, month, now, staff_nos=staff_nos)
        if fmt == "xlsx":
            hall = session.exec(select(Hall)).first()
            for _ in sheet_steps(out, year, month, chunks, hall.name if hall else ""):
                yield b""
            return
        dates = month_dates(year, month)
        parts = csv_parts(dates, chunks) if fmt == "csv" else _json_parts(year, month, chunks)
        for part in parts:
            yield part.encode()


async def _stream(
    request: Request,
    settings: Settings,
    year: int,
    month: int,
    now: datetime,
    fmt: str,
    staff_nos: Collection[str] | None = None,
) -> AsyncIterator[bytes]:
    """Each step in a worker thread; ends early when the client or the service goes away."""
    work = report_work(request.app)
    with tempfile.TemporaryFile() as out:
        engine = request.app.state.engine
        steps = _build(engine, settings, year, month, now, fmt, out, staff_nos)
        try:
            while True:
                if work.stopping.is_set() or await request.is_disconnected():
                    log.info("month report ended early: client gone or service stopping")
                    return
                piece = await to_thread.run_sync(next, steps, None)
                if piece is None:
                    break
                if piece:
                    yield piece
            out.seek(0)
            while piece := await to_thread.run_sync(out.read, PIECE):
                yield piece
        finally:
            await to_thread.run_sync(steps.close)


def month_response(
    request: Request,
    settings: Settings,
    year: int,
    month: int,
    fmt: str,
    now: datetime,
    staff_nos: Collection[str] | None = None,
) -> StreamingResponse:
    """The month as ``fmt`` (json, csv, xlsx), streamed as it is built; ``staff_nos``: only
    these people (None: everyone)."""
    headers = {}
    if fmt == "xlsx":
        name = f"attendance-{year}-{month:02d}.xlsx"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    body = _stream(request, settings, year, month, now, fmt, staff_nos)
    return StreamingResponse(body, media_type=MEDIA[fmt], headers=headers)
