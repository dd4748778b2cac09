"""Leave, out-of-office registrations and make-up punches, with approval (away: api_away).

Who: staff file for themselves (their login's 工号) and see their own; a window lead files for
and sees the staff of their scope; approvals are the logged-in person's, of the rank the
leave chain needs, never on their own request. Every change is audited.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from datetime import time as dtime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, SQLModel, col, select

from attendance import makeups
from attendance import requests as rq
from attendance.access import acting_for, approver_role, check_reach, identity, may_change, reach
from attendance.common import context, http_error, now_of, parse_instant
from attendance.context import AttendanceContext
from attendance.models import LeaveRequest, MakeUpPunch, OutRegistration
from attendance.requests import RequestError
from hallbase.auth import ROLES, AuthError, Principal, allow, log_change
from hallbase.deps import ReadSessionDep, SessionDep, SettingsDep
from hallbase.fields import Day, DbInt
from hallbase.settings import Settings

router = APIRouter()
M = TypeVar("M", bound=SQLModel)
Action = Literal["approve", "reject", "cancel"]
Person = Annotated[Principal, allow(*ROLES)]  # what each may do is checked in the route


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LeaveIn(_In):
    staff_no: str | None = Field(default=None, description="default: the caller's own")
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
    approver: str | None = Field(
        default=None, description="if given: the caller's staff number (the approver is the caller)"
    )
    reason: str = Field(default="", max_length=500, description="why (kept in the audit log)")


class SubstituteIn(_In):
    substitute: str = Field(description="staff_no of the new stand-in")


class OutIn(_In):
    staff_no: str | None = Field(default=None, description="default: the caller's own")
    start: str
    end: str
    reason: str = Field(default="", max_length=500)


class MakeUpIn(_In):
    staff_no: str | None = Field(default=None, description="default: the caller's own")
    date: Day
    slot: str
    time: str | None = Field(
        default=None, description="HH:MM on `date`, or an ISO instant; default: the slot's due"
    )
    reason: str = Field(default="", max_length=500)
    filed_by: str | None = Field(default=None, description="if given: the caller's staff number")


def get_row(session: Session, model: type[M], ident: int, name: str) -> M:
    row = session.get(model, ident)
    if row is None:
        raise HTTPException(404, detail=f"{name} {ident} not found")
    return row


def instant(value: str, request: Request, what: str) -> datetime:
    try:
        return parse_instant(value, request.app.state.settings.zone, what)
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from None


HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


def _makeup_time(value: str, day: date, request: Request) -> datetime:
    """A make-up's time: `HH:MM[:SS]` on its date (hall-local), or a full ISO instant."""
    found = HHMM.match(value.strip())
    if found is None:
        return instant(value, request, "time")
    hour, minute, second = int(found[1]), int(found[2]), int(found[3] or 0)
    zone = request.app.state.settings.zone
    return datetime.combine(day, dtime(hour, minute, second), tzinfo=zone)


def _list_route(kind: str, model: Any, summary: str) -> None:
    """``GET /<kind>s``: the newest thousand rows, by staff number and status when given."""

    def listing(
        session: ReadSessionDep, who: Person, staff_no: str | None = None, status: str | None = None
    ) -> Any:
        """Staff see their own, a window lead the staff of their scope."""
        query = select(model).order_by(col(model.id).desc())
        seen = reach(session, who)
        if staff_no:
            check_reach(session, who, staff_no)
            query = query.where(model.staff_no == staff_no)
        elif seen is not None:
            query = query.where(col(model.staff_no).in_(sorted(seen)))
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
        who: Person,
        body: Decision | None = None,
    ) -> Any:
        row = get_row(session, model, ident, what)
        now = now_of(request)
        ctx = context(session, settings, [first_day(row), now.date()])
        before = row.model_dump(mode="json")
        _act(session, ctx, row, action, body, now, decide, who)
        log_change(session, request, f"{kind}.{action}", f"{kind}:{ident}", before=before,
                   after=row.model_dump(mode="json"), reason=_why(body))  # fmt: skip
        return row

    router.post(
        f"/{kind}s/{{ident}}/{{action}}",
        summary="approve/reject (the chain's rank) or cancel (the requester, or the admin)",
        response_model=model,
        name=f"act_on_{kind}",
    )(act)


def leave_span(
    body: LeaveIn,
    request: Request,
    session: Session,
    settings: Settings,
    staff_no: str,
    now: datetime,
) -> tuple[AttendanceContext, datetime, datetime]:
    """The context and the instants a leave spans: ``start``..``end``, or half days."""
    if body.start_date is not None:
        first, last = body.start_date, body.end_date or body.start_date
        ctx = context(session, settings, [first, last, now.date()])
        if staff_no not in ctx.staff:
            raise HTTPException(404, detail=f"unknown staff_no {staff_no!r}")
        start = rq.half_bounds(ctx, staff_no, first, body.start_half)[0]
        end = rq.half_bounds(ctx, staff_no, last, body.end_half)[1]
    elif body.start and body.end:
        start, end = instant(body.start, request, "start"), instant(body.end, request, "end")
        ctx = context(session, settings, [start.date(), end.date(), now.date()])
    else:
        raise HTTPException(422, detail="give start and end, or start_date (with halves)")
    return ctx, start, end


@router.post("/leaves", status_code=201, summary="File a leave (请假)")
def file_leave(
    body: LeaveIn, request: Request, session: SessionDep, settings: SettingsDep, who: Person
) -> LeaveRequest:
    """For the caller, or (a window lead, the admin) for a person in their scope."""
    staff_no = acting_for(session, who, body.staff_no)
    now = now_of(request)
    ctx, start, end = leave_span(body, request, session, settings, staff_no, now)
    try:
        row = rq.file_leave(
            session, ctx, staff_no=staff_no, kind=body.kind, start=start, end=end,
            now=now, reason=body.reason, substitute=body.substitute,
        )  # fmt: skip
    except RequestError as exc:
        raise http_error(exc) from None
    _filed(session, request, "leave", row, body.reason)
    return row


def _why(body: Decision | None) -> str | None:
    return body.reason.strip() or None if body is not None else None


def _filed(session: Session, request: Request, kind: str, row: Any, reason: str) -> None:
    log_change(session, request, f"{kind}.file", f"{kind}:{row.id}",
               after=row.model_dump(mode="json"), reason=reason or None)  # fmt: skip


def _act(
    session: Session,
    ctx: AttendanceContext,
    row: Any,
    action: str,
    body: Decision | None,
    now: datetime,
    decide: Callable[..., Any],
    who: Principal,
) -> None:
    """Cancel a request (its requester while it is pending, or the admin), or approve /
    reject it with ``decide`` as the caller, at the rank of their role in the chain."""
    try:
        if action == "cancel":
            _may_withdraw(who, row)
            rq.cancel(session, ctx, row, now)
            return
        me = identity(who)
        if body is not None and body.approver not in (None, me):
            raise RequestError(f"the approver is the caller ({me}), not {body.approver}", 403)
        if who.staff_no is not None and who.staff_no == row.staff_no:
            raise RequestError("nobody approves their own request", 403)
        chain = [step.role for step in ctx.rules.approval_chain]
        role = approver_role(session, who, chain, row.staff_no)
        decide(session, ctx, row, approve=action == "approve", approver=me, now=now,
               approver_role=role)  # fmt: skip
    except RequestError as exc:
        raise http_error(exc) from None


def _may_withdraw(who: Principal, row: Any) -> None:
    """The requester withdraws their own pending request; the admin any."""
    if who.has_role("admin"):
        return
    if who.staff_no is None or who.staff_no != row.staff_no or row.status != "pending":
        raise AuthError(403, "forbidden")


_list_route("leave", LeaveRequest, "Leave requests")


@router.post("/leaves/{ident}/{action}", summary="approve/reject/close (销假)/cancel")
def act_on_leave(
    ident: DbInt,
    action: Literal["approve", "reject", "close", "cancel"],
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    who: Person,
    body: Decision | None = None,
) -> LeaveRequest:
    """Close: the requester, a window lead of their scope, or the admin."""
    row = get_row(session, LeaveRequest, ident, "leave")
    now = now_of(request)
    ctx = context(session, settings, [row.start.date(), row.end.date(), now.date()])
    before = row.model_dump(mode="json")
    if action == "close":
        may_change(session, who, row.staff_no)
        try:
            rq.close_leave(session, ctx, row, now)
        except RequestError as exc:
            raise http_error(exc) from None
    else:
        _act(session, ctx, row, action, body, now, rq.decide_leave, who)
    log_change(session, request, f"leave.{action}", f"leave:{ident}", before=before,
               after=row.model_dump(mode="json"), reason=_why(body))  # fmt: skip
    return row


@router.put("/leaves/{ident}/substitute", summary="Name another stand-in (顶岗)")
def put_substitute(
    ident: DbInt,
    body: SubstituteIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    who: Person,
) -> LeaveRequest:
    """The requester, a window lead of their scope, or the admin."""
    row = get_row(session, LeaveRequest, ident, "leave")
    may_change(session, who, row.staff_no)
    ctx = context(session, settings, [row.start.date(), now_of(request).date()])
    before = {"substitute": row.substitute}
    try:
        rq.change_substitute(session, ctx, row, body.substitute)
    except RequestError as exc:
        raise http_error(exc) from None
    log_change(session, request, "leave.substitute", f"leave:{ident}", before=before,
               after={"substitute": row.substitute})  # fmt: skip
    return row


@router.post("/outs", status_code=201, summary="Register going out (外出备案)")
def file_out(
    body: OutIn, request: Request, session: SessionDep, settings: SettingsDep, who: Person
) -> OutRegistration:
    """For the caller, or (a window lead, the admin) for a person in their scope."""
    staff_no = acting_for(session, who, body.staff_no)
    start, end = instant(body.start, request, "start"), instant(body.end, request, "end")
    now = now_of(request)
    ctx = context(session, settings, [start.date(), now.date()])
    try:
        row = rq.file_out(
            session, ctx, staff_no=staff_no, start=start, end=end, now=now, reason=body.reason
        )
    except RequestError as exc:
        raise http_error(exc) from None
    _filed(session, request, "out", row, body.reason)
    return row


_list_route("out", OutRegistration, "Out-of-office registrations")
_decision_route(
    "out", OutRegistration, "out registration", lambda row: row.start.date(), rq.decide_out
)


@router.post("/makeups", status_code=201, summary="Record a make-up (补卡)")
def file_makeup(
    body: MakeUpIn, request: Request, session: SessionDep, settings: SettingsDep, who: Person
) -> MakeUpPunch:
    """For the caller, or (a window lead, the admin) for a person in their scope; filed by the
    caller."""
    staff_no = acting_for(session, who, body.staff_no)
    filed_by = identity(who)
    if body.filed_by is not None and body.filed_by != filed_by:
        raise HTTPException(403, detail=f"filed_by is the caller ({filed_by})")
    now = now_of(request)
    at = _makeup_time(body.time, body.date, request) if body.time else None
    ctx = context(session, settings, [body.date, now.date()])
    try:
        row = makeups.file_makeup(
            session, ctx, staff_no=staff_no, day=body.date, slot=body.slot, now=now,
            at=at, reason=body.reason, filed_by=filed_by,
            limit=settings.hall.attendance.makeup_monthly_limit,
        )  # fmt: skip
    except RequestError as exc:
        raise http_error(exc) from None
    _filed(session, request, "makeup", row, body.reason)
    return row


_list_route("makeup", MakeUpPunch, "Make-up punches with their approvals (audit)")
_decision_route("makeup", MakeUpPunch, "make-up", lambda row: row.day, makeups.decide_makeup)
