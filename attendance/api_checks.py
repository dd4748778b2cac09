"""The rules' answer to a request before it is filed (the self-service page shows it).

Each check runs the same rule functions the filing runs (`requests.plan_leave`,
`makeups.check_makeup`, the overlap check) and files nothing: what the leave chain needs as
approver, whether a window post needs a stand-in, how many make-ups the month has left, and
the refusal the filing would meet (``problem``, its code and message in zh and en).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request
from sqlmodel import Session

from attendance import makeups
from attendance import requests as rq
from attendance.access import acting_for
from attendance.api_requests import LeaveIn, MakeUpIn, OutIn, instant, leave_span
from attendance.common import context, now_of
from attendance.context import AttendanceContext
from attendance.models import LeaveRequest, OutRegistration
from attendance.requests import RequestError
from hallbase.auth import ROLES, Principal, allow
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.settings import Settings
from hallbase.words import each

router = APIRouter()
Person = Annotated[Principal, allow(*ROLES)]  # whose request: `acting_for`, as in the filing


def problem(exc: RequestError) -> dict[str, Any]:
    """A refusal as the page shows it: its code (None for the plain ones) and message."""
    return {"code": exc.code, "status": exc.status, "message": exc.message}


def role_of(role: str) -> dict[str, Any]:
    """A role of the chain by its code and its names."""
    return {"role": role, "label": each(f"labels.role.{role}")}


def first_approver(ctx: AttendanceContext) -> dict[str, Any]:
    """The chain's first step: who approves an out registration or a make-up."""
    return role_of(ctx.rules.approval_chain[0].role)


def check_context(
    request: Request, session: Session, settings: Settings, day: date
) -> AttendanceContext:
    """The context a check of ``day`` runs in, with the app clock's day."""
    return context(session, settings, [day, now_of(request).date()])


@contextmanager
def refusal_in(answer: dict[str, Any]) -> Iterator[None]:
    """The refusal a check meets inside, as ``answer``'s problem (the check stops there)."""
    try:
        yield
    except RequestError as exc:
        answer["problem"] = problem(exc)


def person(ctx: AttendanceContext, staff_no: str | None) -> dict[str, Any] | None:
    """A staff member by 工号 and name (None stays None)."""
    if staff_no is None:
        return None
    known = ctx.staff.get(staff_no)
    return {"staff_no": staff_no, "name": known.name if known else staff_no}


@router.post("/leaves/check", summary="What a leave would need (approver, stand-in); files nothing")
def check_leave(
    body: LeaveIn, request: Request, session: ReadSessionDep, settings: SettingsDep, who: Person
) -> dict[str, Any]:
    staff_no = acting_for(session, who, body.staff_no)
    now = now_of(request)
    ctx, start, end = leave_span(body, request, session, settings, staff_no, now)
    answer: dict[str, Any] = {"staff_no": staff_no, "start": start, "end": end, "problem": None}
    with refusal_in(answer):
        plan = rq.plan_leave(
            ctx, staff_no=staff_no, kind=body.kind, start=start, end=end, now=now,
            substitute=body.substitute,
        )  # fmt: skip
        answer |= {
            "kind": plan.kind,
            "days": plan.days,
            "filed_after": plan.filed_after,
            "approver": role_of(plan.approver_role),
            "substitute": {
                "needed": plan.substitute.needed,
                "allowed": plan.substitute.allowed,
                "b_post": person(ctx, rq.b_post_of(ctx, staff_no)),
                "named": person(ctx, body.substitute),
            },
        }
        rq.check_no_overlap(session, ctx, LeaveRequest, staff_no, start, end)
        if not plan.substitute.allowed:
            raise rq.no_substitute(ctx, staff_no, plan.days)
    return answer


@router.post("/outs/check", summary="What an out registration would need; files nothing")
def check_out(
    body: OutIn, request: Request, session: ReadSessionDep, settings: SettingsDep, who: Person
) -> dict[str, Any]:
    staff_no = acting_for(session, who, body.staff_no)
    start, end = instant(body.start, request, "start"), instant(body.end, request, "end")
    ctx = check_context(request, session, settings, start.date())
    answer: dict[str, Any] = {
        "staff_no": staff_no,
        "start": start,
        "end": end,
        "approver": first_approver(ctx),
        "problem": None,
    }
    with refusal_in(answer):
        rq.staff_known(ctx, staff_no)
        if end < start:
            raise RequestError("the registration ends before it starts")
        rq.check_no_overlap(session, ctx, OutRegistration, staff_no, start, end)
    return answer


def makeup_answer(
    session: Session, ctx: AttendanceContext, body: MakeUpIn, staff_no: str, limit: int | None
) -> dict[str, Any]:
    """The month's make-ups against the limit, the approver, and the filing's refusal."""
    count = makeups.month_count(session, staff_no, body.date)
    answer: dict[str, Any] = {
        "staff_no": staff_no,
        "month": f"{body.date.year}-{body.date.month:02d}",
        "count": count,
        "limit": limit,
        "remaining": None if limit is None else max(limit - count, 0),
        "approver": first_approver(ctx),
        "problem": None,
    }
    with refusal_in(answer):
        rq.staff_known(ctx, staff_no)
        answer["due"] = makeups.slot_due(ctx, staff_no, body.date, body.slot)
        makeups.check_makeup(session, ctx, staff_no, body.date, body.slot, limit)
    return answer


@router.post("/makeups/check", summary="A make-up against the month's limit; files nothing")
def check_makeup(
    body: MakeUpIn, request: Request, session: ReadSessionDep, settings: SettingsDep, who: Person
) -> dict[str, Any]:
    staff_no = acting_for(session, who, body.staff_no)
    ctx = check_context(request, session, settings, body.date)
    limit = settings.hall.attendance.makeup_monthly_limit
    return makeup_answer(session, ctx, body, staff_no, limit)
