"""Leave, out-of-office registrations, make-up punches and window away periods, with approval."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as dtime
from typing import Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, SQLModel, col, select

from attendance import makeups
from attendance import requests as rq
from attendance.away import rederive_away
from attendance.common import context, http_error, now_of, parse_instant
from attendance.context import AttendanceContext
from attendance.models import LeaveRequest, MakeUpPunch, OutRegistration, WindowAway
from attendance.requests import RequestError
from hallbase.deps import Admin, ReadSessionDep, SessionDep, SettingsDep
from hallbase.fields import Day, DbInt
from hallbase.models import Window

router = APIRouter()
M = TypeVar("M", bound=SQLModel)
Action = Literal["approve", "reject", "cancel"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LeaveIn(_In):
    staff_no: str
    kind: str = Field(description="personal/sick/annual/... (or 事假/病假/年休假/...)")
    start: str | None = Field(default=None, description="ISO 8601; hall-local when naive")
    end: str | None = None
    start_date: Day | None = Field(default=None, description="instead of start: a half day")
    start_half: Literal["am", "pm"] = "am"
    end_date: Day | None = None
    end_half: Literal["am", "pm"] = "pm"
    reason: str = Field(default="", max_length=500)
    substitute: str | None = None


class Decision(_In):
    approver: str = Field(description="staff_no of the person deciding")


class SubstituteIn(_In):
    substitute: str = Field(description="staff_no of the new stand-in")


class OutIn(_In):
    staff_no: str
    start: str
    end: str
    reason: str = Field(default="", max_length=500)


class MakeUpIn(_In):
    staff_no: str
    date: Day
    slot: str
    time: str | None = Field(
        default=None, description="HH:MM on `date`, or an ISO instant; default: the slot's due"
    )
    reason: str = Field(default="", max_length=500)
    filed_by: str | None = None


class AwayIn(_In):
    window: DbInt
    staff_no: str | None = Field(default=None, description="default: the window's A post")
    start: str
    end: str | None = None


class AwayEnd(_In):
    end: str


def _get(session: Session, model: type[M], ident: int, name: str) -> M:
    row = session.get(model, ident)
    if row is None:
        raise HTTPException(404, detail=f"{name} {ident} not found")
    return row


def _instant(value: str, request: Request, what: str) -> datetime:
    try:
        return parse_instant(value, request.app.state.settings.zone, what)
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from None


HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def _makeup_time(value: str, day: date, request: Request) -> datetime:
    """A make-up's time: `HH:MM[:SS]` on its date (hall-local), or a full ISO instant."""
    found = HHMM.match(value.strip())
    if found is None:
        return _instant(value, request, "time")
    hour, minute, second = int(found[1]), int(found[2]), int(found[3] or 0)
    zone = request.app.state.settings.zone
    return datetime.combine(day, dtime(hour, minute, second), tzinfo=zone)


def _list_route(kind: str, model: Any, summary: str) -> None:
    """``GET /<kind>s``: the newest thousand rows, by staff number and status when given."""

    def listing(
        session: ReadSessionDep, staff_no: str | None = None, status: str | None = None
    ) -> Any:
        query = select(model).order_by(col(model.id).desc())
        if staff_no:
            query = query.where(model.staff_no == staff_no)
        if status:
            query = query.where(model.status == status)
        rows = session.exec(query.limit(1000)).all()
        return {"data": rows, "count": len(rows)}

    router.get(f"/{kind}s", name=f"list_{kind}s", summary=summary)(listing)


def _decision_route(
    kind: str,
    model: type[SQLModel],
    what: str,
    first_day: Callable[[Any], date],
    decide: Callable[..., Any],
) -> None:
    """``POST /<kind>s/{ident}/{action}``: approve, reject or cancel one request."""

    def act(
        ident: DbInt,
        action: Action,
        request: Request,
        session: SessionDep,
        settings: SettingsDep,
        body: Decision | None = None,
    ) -> Any:
        row = _get(session, model, ident, what)
        now = now_of(request)
        ctx = context(session, settings, [first_day(row), now.date()])
        _act(session, ctx, row, action, body, now, decide)
        return row

    router.post(
        f"/{kind}s/{{ident}}/{{action}}",
        dependencies=[Admin],
        summary="approve/reject/cancel",
        response_model=model,
        name=f"act_on_{kind}",
    )(act)


@router.post("/leaves", status_code=201, dependencies=[Admin], summary="File a leave (请假)")
def file_leave(
    body: LeaveIn, request: Request, session: SessionDep, settings: SettingsDep
) -> LeaveRequest:
    now = now_of(request)
    if body.start_date is not None:
        first, last = body.start_date, body.end_date or body.start_date
        ctx = context(session, settings, [first, last, now.date()])
        if body.staff_no not in ctx.staff:
            raise HTTPException(404, detail=f"unknown staff_no {body.staff_no!r}")
        start = rq.half_bounds(ctx, body.staff_no, first, body.start_half)[0]
        end = rq.half_bounds(ctx, body.staff_no, last, body.end_half)[1]
    elif body.start and body.end:
        start, end = _instant(body.start, request, "start"), _instant(body.end, request, "end")
        ctx = context(session, settings, [start.date(), end.date(), now.date()])
    else:
        raise HTTPException(422, detail="give start and end, or start_date (with halves)")
    try:
        return rq.file_leave(
            session, ctx, staff_no=body.staff_no, kind=body.kind, start=start, end=end,
            now=now, reason=body.reason, substitute=body.substitute,
        )  # fmt: skip
    except RequestError as exc:
        raise http_error(exc) from None


def _act(
    session: Session,
    ctx: AttendanceContext,
    row: Any,
    action: str,
    body: Decision | None,
    now: datetime,
    decide: Callable[..., Any],
) -> None:
    """Cancel a request, or approve / reject it with ``decide`` (the approver is checked there)."""
    try:
        if action == "cancel":
            rq.cancel(session, ctx, row, now)
        elif body is None:
            raise RequestError("approve/reject needs {'approver': staff_no}")
        else:
            decide(session, ctx, row, approve=action == "approve", approver=body.approver, now=now)
    except RequestError as exc:
        raise http_error(exc) from None


_list_route("leave", LeaveRequest, "Leave requests")


@router.post(
    "/leaves/{ident}/{action}", dependencies=[Admin], summary="approve/reject/close/cancel"
)
def act_on_leave(
    ident: DbInt,
    action: Literal["approve", "reject", "close", "cancel"],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    body: Decision | None = None,
) -> LeaveRequest:
    row = _get(session, LeaveRequest, ident, "leave")
    now = now_of(request)
    ctx = context(session, settings, [row.start.date(), row.end.date(), now.date()])
    if action == "close":
        try:
            rq.close_leave(session, ctx, row, now)
        except RequestError as exc:
            raise http_error(exc) from None
    else:
        _act(session, ctx, row, action, body, now, rq.decide_leave)
    return row


@router.put(
    "/leaves/{ident}/substitute", dependencies=[Admin], summary="Name another stand-in (顶岗)"
)
def put_substitute(
    ident: DbInt, body: SubstituteIn, request: Request, session: SessionDep, settings: SettingsDep
) -> LeaveRequest:
    row = _get(session, LeaveRequest, ident, "leave")
    ctx = context(session, settings, [row.start.date(), now_of(request).date()])
    try:
        return rq.change_substitute(session, ctx, row, body.substitute)
    except RequestError as exc:
        raise http_error(exc) from None


@router.post(
    "/outs", status_code=201, dependencies=[Admin], summary="Register going out (外出备案)"
)
def file_out(
    body: OutIn, request: Request, session: SessionDep, settings: SettingsDep
) -> OutRegistration:
    start, end = _instant(body.start, request, "start"), _instant(body.end, request, "end")
    now = now_of(request)
    ctx = context(session, settings, [start.date(), now.date()])
    try:
        return rq.file_out(
            session, ctx, staff_no=body.staff_no, start=start, end=end, now=now, reason=body.reason
        )
    except RequestError as exc:
        raise http_error(exc) from None


_list_route("out", OutRegistration, "Out-of-office registrations")
_decision_route(
    "out", OutRegistration, "out registration", lambda row: row.start.date(), rq.decide_out
)


@router.post("/makeups", status_code=201, dependencies=[Admin], summary="Record a make-up (补卡)")
def file_makeup(
    body: MakeUpIn, request: Request, session: SessionDep, settings: SettingsDep
) -> MakeUpPunch:
    now = now_of(request)
    at = _makeup_time(body.time, body.date, request) if body.time else None
    ctx = context(session, settings, [body.date, now.date()])
    try:
        return makeups.file_makeup(
            session, ctx, staff_no=body.staff_no, day=body.date, slot=body.slot, now=now,
            at=at, reason=body.reason, filed_by=body.filed_by,
            limit=settings.hall.attendance.makeup_monthly_limit,
        )  # fmt: skip
    except RequestError as exc:
        raise http_error(exc) from None


_list_route("makeup", MakeUpPunch, "Make-up punches with their approvals (audit)")
_decision_route("makeup", MakeUpPunch, "make-up", lambda row: row.day, makeups.decide_makeup)


def _rederive_away(session: Session, request: Request, row: WindowAway, now: datetime) -> None:
    # The same path as the queue's own `away` (console, keypad): see attendance.away.
    rederive_away(session, request.app.state.settings, [row.staff_no], row.start, row.end, now)


@router.post("/away", status_code=201, dependencies=[Admin], summary="A window shows `away`")
def start_away(body: AwayIn, request: Request, session: SessionDep) -> WindowAway:
    window = session.exec(select(Window).where(Window.number == body.window)).first()
    if window is None:
        raise HTTPException(404, detail=f"window {body.window} not found")
    start = _instant(body.start, request, "start")
    end = _instant(body.end, request, "end") if body.end else None
    if end is not None and end < start:
        raise HTTPException(422, detail="the away period ends before it starts")
    now = now_of(request)
    row = WindowAway(
        window_number=body.window, staff_no=body.staff_no or window.a_post,
        start=start, end=end, recorded_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    _rederive_away(session, request, row, now)
    return row


@router.post("/away/{ident}/end", dependencies=[Admin], summary="The window is staffed again")
def end_away(ident: DbInt, body: AwayEnd, request: Request, session: SessionDep) -> WindowAway:
    row = _get(session, WindowAway, ident, "away period")
    end = _instant(body.end, request, "end")
    if end < row.start:
        raise HTTPException(422, detail="the away period ends before it starts")
    row.end = end
    session.add(row)
    session.flush()
    _rederive_away(session, request, row, now_of(request))
    return row


@router.get("/away", summary="Window away periods (from the API)")
def list_away(session: ReadSessionDep, window: DbInt | None = None) -> dict[str, Any]:
    query = select(WindowAway).order_by(col(WindowAway.start).desc()).limit(1000)
    if window is not None:
        query = query.where(WindowAway.window_number == window)
    rows = session.exec(query).all()
    return {"data": rows, "count": len(rows)}
