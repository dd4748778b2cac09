"""The attendance service: facts from the database into the engine, verdicts and alerts out.

No rules live here (they are `attendance_engine`'s): this package stores punches
(`ingest.store_punches`), re-derives staff-days (`derive.rederive`), ticks deadlines
(`scheduler.AttendanceScheduler`), and serves the API, the CLI and the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from hallbase.errors import CodedError
from hallkeeper.attendance.ingest import IngestResult, store_punches

__all__ = ["IngestResult", "install_attendance", "store_punches"]


async def coded_error(_request: Request, exc: Exception) -> JSONResponse:
    """A coded refusal as JSON: detail (English), code, message in zh and en."""
    assert isinstance(exc, CodedError)
    return JSONResponse(exc.body(), status_code=exc.status)


def install_attendance(
    app: Any, api: str = "/api/v1", clock: Callable[[], datetime] | None = None
) -> None:
    """Add attendance's routes and pages to ``app``; ``clock`` is the app's (tests inject one)."""
    from hallkeeper.attendance import api_days, api_punches, api_requests, duty_page, pages

    app.state.attendance_clock = clock
    app.add_exception_handler(CodedError, coded_error)

    app.include_router(api_punches.router, prefix=f"{api}/punches", tags=["attendance"])
    app.include_router(api_days.router, prefix=f"{api}/attendance", tags=["attendance"])
    app.include_router(api_requests.router, prefix=f"{api}/attendance", tags=["attendance"])
    app.include_router(pages.router)
    app.include_router(duty_page.router)
