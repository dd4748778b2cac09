"""Days, months, the live board, the duty record and holiday overrides that re-derive."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

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
from hallbase.deps import Admin, ReadSessionDep, SessionDep, SettingsDep
from hallbase.errors import CodedError, error_message
from hallbase.fields import Day
from hallbase.models import Staff

router = APIRouter()
DUTY_SIGNERS = frozenset({"duty_chief", "window_lead", "leader_in_charge", "director"})
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
    date_from: Day,
    date_to: Day,
    staff_no: str | None = None,
) -> dict[str, Any]:
    _check_range(date_from, date_to)
    ctx = context(session, settings, [date_from, date_to])
    if staff_no is not None and staff_no not in ctx.staff:
        raise HTTPException(404, detail=f"unknown staff_no {staff_no!r}")
    data = days_report(session, ctx, date_from, date_to, now_of(request), staff_no)
    return {"data": data, "count": len(data)}


@router.get("/months/{month}", summary="The month per staff member (json, csv or xlsx)")
def get_month(
    month: str,
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    format: str = Query(default="json", pattern="^(json|csv|xlsx)$"),
) -> Any:
    found = MONTH.match(month)
    if not found:
        raise HTTPException(422, detail=f"month {month!r} must be YYYY-MM, 1900-01 to 2999-12")
    year, number = int(found[1]), int(found[2])
    return month_response(request, settings, year, number, format, now_of(request))


@router.get("/board", summary="Stored verdicts of a date, for the live board")
def board(
    request: Request, session: ReadSessionDep, settings: SettingsDep, day: Day | None = None
) -> dict[str, Any]:
    when = day or now_of(request).astimezone(settings.zone).date()
    verdicts = {
        v.staff_no: v
        for v in session.exec(select(DayVerdict).where(col(DayVerdict.day) == when)).all()
    }
    data = []
    for person in session.exec(select(Staff).order_by(col(Staff.staff_no))).all():
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


@router.post("/rederive", dependencies=[Admin], summary="Re-derive stored verdicts of a range")
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
    return {"evaluated": done.evaluated, "changed": done.changed, "alerts": done.alerts}


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    signed_by: str = Field(min_length=1, max_length=20)
    note: str = Field(default="", max_length=1000)


@router.get("/duty/{day}", summary="The duty chief's daily record (值班记录)")
def get_duty(
    day: Day, request: Request, session: ReadSessionDep, settings: SettingsDep
) -> dict[str, Any]:
    ctx = context(session, settings, [day])
    return duty_report(session, ctx, day, now_of(request))


@router.post("/duty/{day}/sign", dependencies=[Admin], summary="The duty chief signs a day")
def sign_duty(
    day: Day, body: SignIn, request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    now = now_of(request)
    if day > now.astimezone(settings.zone).date():
        raise CodedError(422, "duty_not_yet", error_message("duty_not_yet", day=day))
    signer = session.exec(select(Staff).where(Staff.staff_no == body.signed_by)).first()
    if signer is None or signer.role not in DUTY_SIGNERS:
        message = error_message("duty_not_a_signer", who=body.signed_by)
        raise CodedError(403, "duty_not_a_signer", message)
    if session.get(DutySignature, day) is not None:
        raise CodedError(409, "duty_signed", error_message("duty_signed", day=day))
    session.add(DutySignature(day=day, signed_by=body.signed_by, signed_at=now, note=body.note))
    session.flush()
    ctx = context(session, settings, [day])
    return duty_report(session, ctx, day, now)
