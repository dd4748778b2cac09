"""Days, months, the live board, the duty record and holiday overrides that re-derive."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from attendance.access import check_reach, reach
from attendance.common import context, now_of
from attendance.derive import rederive
from attendance.models import DayVerdict, DutySignature
from attendance.month_stream import month_response
from attendance.reports import (
    MAX_DAYS,
    date_range,
    days_report,
    duty_report,
)
from hallbase.auth import OFFICE, ROLES, Principal, Role, allow, log_change
from hallbase.deps import ReadSessionDep, SessionDep, SettingsDep
from hallbase.errors import CodedError, error_message
from hallbase.fields import Day
from hallbase.models import Staff

router = APIRouter()
# Who reads the duty record (值班记录), and who signs it: the logged-in duty chief.
DUTY_READERS: tuple[Role, ...] = (
    "duty_chief",
    "supervisor",
    "leader_in_charge",
    "director",
    "admin",
)
DUTY_SIGNERS: tuple[Role, ...] = ("duty_chief", "admin")
Office = Annotated[Principal, allow(*OFFICE)]
MONTH = re.compile(r"^(19\d\d|2\d{3})-(0[1-9]|1[0-2])$")  # the years of fields.Day


def _check_range(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise HTTPException(422, detail="date_to is before date_from")
    if (date_to - date_from).days >= MAX_DAYS:
        raise HTTPException(422, detail=f"at most {MAX_DAYS} days at a time")


@router.get("/days", summary="Per staff member and day: slots and status (recomputed)")
def get_days(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, allow(*ROLES)],
    date_from: Day,
    date_to: Day,
    staff_no: str | None = None,
) -> dict[str, Any]:
    """Window staff see their own days, a window lead those of their scope."""
    _check_range(date_from, date_to)
    if staff_no is not None:
        check_reach(session, who, staff_no)
    ctx = context(session, settings, [date_from, date_to])
    if staff_no is not None and staff_no not in ctx.staff:
        raise HTTPException(404, detail=f"unknown staff_no {staff_no!r}")
    seen = reach(session, who)
    if staff_no is None and seen is not None and len(seen) <= 1:
        if not seen:
            return {"data": [], "count": 0}
        staff_no = next(iter(seen))
    data = days_report(session, ctx, date_from, date_to, now_of(request), staff_no)
    if seen is not None:
        data = [d for d in data if d["staff_no"] in seen]
    return {"data": data, "count": len(data)}


@router.get("/months/{month}", summary="The month per staff member (json, csv or xlsx)")
def get_month(
    month: str,
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Office,
    format: str = Query(default="json", pattern="^(json|csv|xlsx)$"),
) -> Any:
    """A window lead's month has the staff of their scope only."""
    found = MONTH.match(month)
    if not found:
        raise HTTPException(422, detail=f"month {month!r} must be YYYY-MM, 1900-01 to 2999-12")
    year, number = int(found[1]), int(found[2])
    seen = reach(session, who)  # a window lead's month: the staff of their scope
    return month_response(request, settings, year, number, format, now_of(request), seen)


@router.get("/board", summary="Stored verdicts of a date, for the live board")
def board(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Office,
    day: Day | None = None,
) -> dict[str, Any]:
    """A window lead's board has the staff of their scope only."""
    seen = reach(session, who)
    when = day or now_of(request).astimezone(settings.zone).date()
    verdicts = {
        v.staff_no: v
        for v in session.exec(select(DayVerdict).where(col(DayVerdict.day) == when)).all()
    }
    data = []
    for person in session.exec(select(Staff).order_by(col(Staff.staff_no))).all():
        if seen is not None and person.staff_no not in seen:
            continue
        v = verdicts.get(person.staff_no)
        data.append(
            {
                "staff_no": person.staff_no,
                "name": person.name,
                "unit": person.unit_code,
                "status": v.status if v else None,
                "provisional": v.provisional if v else None,
                "slots": v.result.get("slots", []) if v else [],
                "absent_days": v.absent_days if v else 0,
                "away_minutes": v.result.get("away_minutes", 0) if v else 0,
                "computed_at": v.computed_at.isoformat() if v else None,
            }
        )
    return {"date": when.isoformat(), "data": data, "count": len(data)}


@router.post(
    "/rederive", dependencies=[allow("admin")], summary="Re-derive stored verdicts of a range"
)
def post_rederive(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    date_from: Day,
    date_to: Day,
) -> dict[str, int]:
    _check_range(date_from, date_to)
    ctx = context(session, settings, [date_from, date_to])
    days = date_range(date_from, date_to)
    done = rederive(session, ctx, [(s, d) for s in ctx.staff for d in days], now_of(request))
    answer = {"evaluated": done.evaluated, "changed": done.changed, "alerts": done.alerts}
    span = f"days:{date_from.isoformat()}..{date_to.isoformat()}"
    log_change(session, request, "attendance.rederive", span, after=answer)
    return answer


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signed_by: str | None = Field(
        default=None, min_length=1, max_length=20, description="if given: the caller's staff number"
    )
    note: str = Field(default="", max_length=1000)


@router.get(
    "/duty/{day}",
    dependencies=[allow(*DUTY_READERS)],
    summary="The duty chief's daily record (值班记录)",
)
def get_duty(
    day: Day, request: Request, session: ReadSessionDep, settings: SettingsDep
) -> dict[str, Any]:
    ctx = context(session, settings, [day])
    return duty_report(session, ctx, day, now_of(request))


@router.post("/duty/{day}/sign", summary="The logged-in duty chief signs a day")
def sign_duty(
    day: Day,
    body: SignIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, allow(*DUTY_SIGNERS)],
) -> dict[str, Any]:
    """The signer is the caller (their 工号, else their username); a ``signed_by`` naming
    anyone else is refused."""
    now = now_of(request)
    if day > now.astimezone(settings.zone).date():
        raise CodedError(422, "duty_not_yet", error_message("duty_not_yet", day=day))
    signer = (who.staff_no or who.username or who.name)[:20]
    if body.signed_by is not None and body.signed_by != signer:
        message = error_message("duty_not_a_signer", who=body.signed_by)
        raise CodedError(403, "duty_not_a_signer", message)
    if session.get(DutySignature, day) is not None:
        raise CodedError(409, "duty_signed", error_message("duty_signed", day=day))
    row = DutySignature(day=day, signed_by=signer, signed_at=now, note=body.note)
    session.add(row)
    session.flush()
    log_change(
        session, request, "duty.sign", f"duty:{day.isoformat()}",
        after=row.model_dump(mode="json"), reason=body.note or None,
    )  # fmt: skip
    ctx = context(session, settings, [day])
    return duty_report(session, ctx, day, now)
