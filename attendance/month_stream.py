"""The month as a download that is built a chunk of people at a time, off the event loop.

Each chunk is evaluated and written in a worker thread; between chunks the stream looks whether
its client is still there and whether the service is stopping, and ends the work if not. A
CSV or JSON month is sent as it is built; an XLSX month is written to a temporary file (a
write-only workbook) and sent from it.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import AsyncIterator, Collection
from datetime import datetime
from typing import Any

from anyio import to_thread
from fastapi import Request
from fastapi.responses import StreamingResponse

from attendance.month_build import MEDIA, PIECE, month_pieces
from hallbase.settings import Settings

log = logging.getLogger(__name__)


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
        steps = month_pieces(engine, settings, year, month, now, fmt, out, staff_nos)
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
