"""The attendance service: facts from the database into the engine, verdicts and alerts out.

No rules live here (they are `attendance_engine`'s): this package stores punches
(`ingest.store_punches`), re-derives staff-days (`derive.rederive`), ticks deadlines
(`scheduler.AttendanceScheduler`), and serves the API and the pages; `terminals/` supervises
the fingerprint terminals. The shell runs its CLI (`hallkeeper.cli_attendance`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from attendance.ingest import IngestResult, store_punches
from hallbase.errors import CodedError
from hallbase.pages import link_page
from hallbase.words import each

__all__ = ["IngestResult", "install_attendance", "store_punches"]

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"  # the room's pages, in the app's one template loader


async def coded_error(_request: Request, exc: Exception) -> JSONResponse:
    """A coded refusal as JSON: detail (English), code, message in zh and en."""
    assert isinstance(exc, CodedError)
    return JSONResponse(exc.body(), status_code=exc.status)


def install_attendance(
    app: Any, api: str = "/api/v1", clock: Callable[[], datetime] | None = None
) -> None:
    """Add attendance's routes and pages to ``app``; ``clock`` is the app's (tests inject one)."""
    from attendance import (
        api_away,
        api_checks,
        api_days,
        api_punches,
        api_report_jobs,
        api_requests,
        approvals_page,
        duty_page,
        pages,
        self_page,
    )
    from attendance.month_stream import report_work
    from attendance.report_jobs import report_jobs
    from attendance.terminals import api as devices
    from attendance.terminals import iclock
    from attendance.terminals import page as devices_page

    app.state.attendance_clock = clock
    app.add_exception_handler(CodedError, coded_error)
    parts = getattr(app.state, "parts", None)
    if parts is not None:  # the app's shutdown ends running reports and report jobs
        parts.components += [report_work(app), report_jobs(app)]

    app.include_router(devices.router, prefix=f"{api}/devices", tags=["devices"])
    app.include_router(iclock.router)
    # The same endpoints with a terminal's push key as a path (attendance.terminals.binding).
    app.include_router(iclock.router, prefix="/adms/{push_key}")
    app.include_router(devices_page.router)
    app.include_router(api_punches.router, prefix=f"{api}/punches", tags=["attendance"])
    app.include_router(api_days.router, prefix=f"{api}/attendance", tags=["attendance"])
    app.include_router(api_requests.router, prefix=f"{api}/attendance", tags=["attendance"])
    app.include_router(api_away.router, prefix=f"{api}/attendance", tags=["attendance"])
    app.include_router(api_checks.router, prefix=f"{api}/attendance", tags=["attendance"])
    app.include_router(api_report_jobs.router, prefix=f"{api}/attendance", tags=["attendance"])
    app.include_router(api_report_jobs.pages)
    app.include_router(pages.router)
    app.include_router(duty_page.router)
    app.include_router(self_page.router)
    app.include_router(approvals_page.router)
    link_page(app, devices_page.PATH, each("titles.devices"))
    link_page(app, pages.BOARD_PATH, each("titles.attendance_board"))
    link_page(app, pages.MONTH_PATH, each("titles.attendance_month"))
    link_page(app, api_report_jobs.REPORTS_PATH, each("titles.attendance_reports"))
    link_page(app, duty_page.DUTY_PATH, each("titles.duty"))
    link_page(app, self_page.ME_PATH, each("titles.self"))
    link_page(app, approvals_page.APPROVALS_PATH, each("titles.approvals"))
