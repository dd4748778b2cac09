"""Helpers the attendance routes share: the clock, the context, instants given by people."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Request
from sqlmodel import Session

from attendance.context import AttendanceContext, cached_context
from attendance.requests import RequestError
from hallbase.clock import Clock, utcnow
from hallbase.errors import CodedError
from hallbase.fields import FIRST_DAY, LAST_DAY
from hallbase.settings import Settings


def now_of(request: Request) -> datetime:
    """The app's clock (tests inject one as ``create_app(..., clock=)``), else the real one."""
    state = request.app.state
    clock: Clock = (
        getattr(state, "attendance_clock", None) or getattr(state, "clock", None) or utcnow
    )
    return clock()


def now_and_today(request: Request, settings: Settings) -> tuple[datetime, date]:
    """The app's clock now and the hall's date at that instant."""
    now = now_of(request)
    return now, now.astimezone(settings.zone).date()


def context(session: Session, settings: Settings, days: Iterable[date]) -> AttendanceContext:
    """The evaluation context covering the years of ``days``, reused while its rows are
    unchanged (a report builds no new context, so nothing keyed by one accumulates)."""
    years: set[int] = set()
    for d in days:  # a UTC date near new year may belong to the neighbouring local year
        years |= {d.year} | ({d.year + 1} if d.month == 12 else set())
        years |= {d.year - 1} if d.month == 1 else set()
    return cached_context(session, settings, years)


def parse_instant(value: str | datetime, tz: ZoneInfo, what: str = "time") -> datetime:
    """An ISO 8601 instant; without an offset it is hall-local time."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(value.strip())
        except (ValueError, AttributeError) as exc:
            raise ValueError(f"{what} {value!r} is not an ISO 8601 date-time") from exc
    if not FIRST_DAY <= parsed.date() <= LAST_DAY:
        raise ValueError(f"{what} {value!r} is not between {FIRST_DAY} and {LAST_DAY}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def http_error(exc: RequestError | ValueError) -> HTTPException | CodedError:
    """The HTTP answer for a refused request (with its code and zh/en message when coded)."""
    if isinstance(exc, RequestError) and exc.code is not None:
        return CodedError(exc.status, exc.code, exc.message)
    status = exc.status if isinstance(exc, RequestError) else 422
    return HTTPException(status_code=status, detail=str(exc))
