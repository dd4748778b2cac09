"""POST /api/v1/punches, and the punches an admin must look at: unmapped and quarantined."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Body, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from attendance.common import now_of
from attendance.models import Punch, PunchAssignment, QuarantinedRecord
from attendance.punch_items import store_items
from attendance.unmapped import Actor, credit_pin, unmapped_pins
from hallbase.auth import allow, log_change
from hallbase.auth.resolve import resolve
from hallbase.deps import Page, PageDep, ReadSessionDep, SessionDep, SettingsDep
from hallbase.models import Staff

router = APIRouter()
ADMIN = [allow("admin")]
READERS = [allow("admin", "supervisor")]
MAX_ITEMS = 10_000


@router.post("", dependencies=ADMIN, summary="Store punches (hall-local time when naive)")
def post_punches(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    items: list[Any] = Body(..., max_length=MAX_ITEMS),
) -> dict[str, Any]:
    """Each item: {"staff_no" or "pin", "time", "device_sn"?, "verify"?}; bad ones are listed."""
    result = store_items(
        session, items, settings=settings, now=now_of(request), source="api", default_device="api"
    )
    answer = result.to_dict()
    log_change(session, request, "punch.manual", "punches", after={"items": items, **answer})
    return answer


@router.get("/unmapped", dependencies=READERS, summary="Punches whose PIN matches no staff member")
def unmapped(
    session: ReadSessionDep, limit: int = Query(default=500, ge=1, le=5000)
) -> dict[str, Any]:
    rows = session.exec(
        select(Punch)
        .where(col(Punch.staff_no).is_(None))
        .order_by(col(Punch.device_time).desc())
        .limit(limit)
    ).all()
    total = session.exec(
        select(func.count()).select_from(Punch).where(col(Punch.staff_no).is_(None))
    ).one()
    data = [
        {
            "id": r.id,
            "device_sn": r.device_sn,
            "pin": r.pin,
            "time": r.device_time.isoformat(),
            "source": r.source,
            "repeats": r.repeats,
        }
        for r in rows
    ]
    return {"data": data, "count": total}


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pin: str = Field(min_length=1, max_length=20)
    staff_no: str = Field(min_length=1, max_length=20)
    date_from: date | None = Field(default=None, description="default: the person's start date")
    date_to: date | None = None
    actor: str = Field(default="", max_length=100, description="who does this (kept)")


def api_actor(request: Request, via: str, name: str = "") -> Actor:
    """The actor of an API change: how its caller logged in (session, bearer) and who it is
    (a name given in the body, else the caller's username)."""
    who = resolve(request).principal
    return Actor(via, who.via, name or who.username or who.name)


@router.get(
    "/unmapped/pins",
    dependencies=READERS,
    summary="Each PIN with unmapped punches: count, first, last",
)
def unmapped_by_pin(session: ReadSessionDep, settings: SettingsDep) -> dict[str, Any]:
    data = unmapped_pins(session, settings.zone)
    return {"data": data, "count": len(data)}


@router.post(
    "/unmapped/assign", dependencies=ADMIN, summary="Credit a PIN's unmapped punches to a person"
)
def assign_unmapped(
    body: AssignIn, request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """The punches are judged again on their days; the assignment is kept (who, when, what)."""
    if session.exec(select(Staff).where(Staff.staff_no == body.staff_no)).first() is None:
        raise HTTPException(404, detail=f"unknown staff_no {body.staff_no!r}")
    if body.date_from and body.date_to and body.date_to < body.date_from:
        raise HTTPException(422, detail="date_to is before date_from")
    row = credit_pin(
        session, settings, pin=body.pin, staff_no=body.staff_no, now=now_of(request),
        actor=api_actor(request, "api_assign", body.actor),
        date_from=body.date_from, date_to=body.date_to,
    )  # fmt: skip
    if row is None:
        raise HTTPException(
            404, detail=f"PIN {body.pin} has no unmapped punches in the range given"
        )
    after = row.model_dump(mode="json")
    log_change(session, request, "punch.assign_pin", f"pin:{body.pin}", after=after)
    return after


@router.get(
    "/assignments",
    dependencies=READERS,
    summary="Unmapped punches credited to staff: who, when, what",
)
def assignments(session: ReadSessionDep, pin: str | None = None) -> dict[str, Any]:
    query = select(PunchAssignment).order_by(col(PunchAssignment.id).desc()).limit(1000)
    if pin is not None:
        query = query.where(PunchAssignment.pin == pin)
    rows = session.exec(query).all()
    return {"data": [r.model_dump(mode="json") for r in rows], "count": len(rows)}


@router.get(
    "/quarantined",
    dependencies=READERS,
    summary="Records held back: impossible times, undecodable (a page)",
)
def quarantined(session: ReadSessionDep, page: PageDep) -> dict[str, Any]:
    return quarantine_page(session, page)


def quarantine_page(session: Session, page: Page, *where: Any) -> dict[str, Any]:
    """A page of kept-aside records, newest first, with the total count."""
    rows = session.exec(
        select(QuarantinedRecord)
        .where(*where)
        .order_by(col(QuarantinedRecord.id).desc())
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    total = session.exec(select(func.count()).select_from(QuarantinedRecord).where(*where)).one()
    data = [
        {
            "id": r.id,
            "device_sn": r.device_sn,
            "pin": r.pin,
            "time": r.device_time.isoformat() if r.device_time else None,
            "reason": r.reason,
            "raw_hex": r.raw.hex(),
            "received_at": r.received_at.isoformat(),
            "repeats": r.repeats,
            "last_received_at": r.last_received_at.isoformat() if r.last_received_at else None,
        }
        for r in rows
    ]
    return {"data": data, "count": total, **page.echo()}
