"""Units, staff and services: the hall model tables edited through the generic routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import HTTPException, Request
from pydantic import MISSING, BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from attendance.common import now_of
from attendance.refresh import rederive_span
from hallbase.auth import OFFICE, allow
from hallbase.deps import get_settings
from hallbase.fields import Day, LocalTime, OneLine
from hallbase.hallconfig import (
    PIN_PATTERN,
    STAFF_NO_PATTERN,
    Category,
    Minutes,
    Quota,
    Role,
    ServiceFields,
    ServiceKind,
    StaffName,
)
from hallbase.models import Schedule, Service, Staff, Unit
from hallkeeper.api.crud import crud_router


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitCreate(_In):
    code: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,20}$")]
    name: OneLine = Field(min_length=1, max_length=100)


class UnitUpdate(_In):
    name: OneLine | MISSING = Field(default=MISSING, min_length=1, max_length=100)


class StaffCreate(_In):
    staff_no: Annotated[str, Field(pattern=STAFF_NO_PATTERN)]
    name: StaffName
    pin: Annotated[str, Field(pattern=PIN_PATTERN)]
    unit_code: str
    category: Category
    role: Role = "staff"
    start_date: Day | None = None
    end_date: Day | None = None
    schedule: str | None = None


class StaffUpdate(_In):
    """A field left out keeps its value; only the dates and the schedule may be cleared."""

    name: StaffName | MISSING = MISSING
    pin: Annotated[str, Field(pattern=PIN_PATTERN)] | MISSING = MISSING
    unit_code: str | MISSING = MISSING
    category: Category | MISSING = MISSING
    role: Role | MISSING = MISSING
    start_date: Day | MISSING | None = MISSING
    end_date: Day | MISSING | None = MISSING
    schedule: str | MISSING | None = MISSING


def check_staff(session: Session, fields: dict[str, Any]) -> None:
    """Refuse staff rows that name a missing unit or schedule, or end before they start."""
    if session.exec(select(Unit).where(Unit.code == fields["unit_code"])).first() is None:
        raise HTTPException(422, detail=f"unknown unit {fields['unit_code']!r}")
    schedule = fields.get("schedule")
    if schedule and session.exec(select(Schedule).where(Schedule.name == schedule)).first() is None:
        raise HTTPException(422, detail=f"unknown schedule {schedule!r}")
    start, end = fields.get("start_date"), fields.get("end_date")
    if start and end and end < start:
        raise HTTPException(422, detail="end_date is before start_date")
    pin_owner = session.exec(select(Staff).where(Staff.pin == fields["pin"])).first()
    if pin_owner is not None and pin_owner.staff_no != fields["staff_no"]:
        raise HTTPException(409, detail=f"PIN {fields['pin']} belongs to {pin_owner.staff_no}")


def credit_pins(session: Session, request: Request) -> None:
    """A PIN given to someone takes over its unmapped punches (attendance.unmapped)."""
    from attendance.api_punches import api_actor
    from attendance.unmapped import credit_assigned_pins

    settings = request.app.state.settings
    credit_assigned_pins(session, settings, now_of(request), api_actor(request, "staff_api"))


DUTY_FIELDS = ("start_date", "end_date", "schedule")


def staff_changed(
    request: Request, session: Session, before: dict[str, Any] | None, row: Staff
) -> None:
    """Credit the person's PIN its unmapped punches, and re-derive their past days when the
    days they are due at work changed."""
    credit_pins(session, request)
    if before is not None and all(before[k] == getattr(row, k) for k in DUTY_FIELDS):
        return
    first = row.start_date if before is None else None  # None: from go-live
    old = before["start_date"] if before is not None else None
    moved_start_only = before is not None and all(
        before[k] == getattr(row, k) for k in DUTY_FIELDS if k != "start_date"
    )
    if moved_start_only and old is not None and row.start_date is not None:
        first = min(old, row.start_date)
    rederive_span(
        session, get_settings(request), now_of(request), staff_nos=[row.staff_no], first=first
    )


class ServiceCreate(_In, ServiceFields):
    documents: list[OneLine] = []


class ServiceUpdate(_In):
    """A field left out keeps its value; only promised_days and daily_quota may be cleared."""

    name: OneLine | MISSING = Field(default=MISSING, min_length=1, max_length=100)
    name_en: OneLine | MISSING = Field(default=MISSING, max_length=100)
    group: OneLine | MISSING = Field(default=MISSING, max_length=40)
    kind: ServiceKind | MISSING = MISSING
    promised_days: int | MISSING | None = Field(default=MISSING, ge=1, le=365)
    max_wait_minutes: Minutes | MISSING = MISSING
    max_service_minutes: Minutes | MISSING = MISSING
    daily_quota: Quota | MISSING | None = MISSING
    open_from: LocalTime | MISSING = MISSING
    open_to: LocalTime | MISSING = MISSING
    documents: list[OneLine] | MISSING = MISSING


def check_service(_session: Session, fields: dict[str, Any]) -> None:
    """A committed item (承诺件) needs its promised days; opening hours must be in order."""
    if fields["kind"] == "committed" and not fields.get("promised_days"):
        raise HTTPException(422, detail="a committed service (承诺件) needs promised_days")
    if fields["open_to"] <= fields["open_from"]:
        raise HTTPException(422, detail="open_to must be after open_from")


units_router = crud_router(
    table=Unit, create=UnitCreate, update=UnitUpdate, key="code", key_type=str, name="unit"
)
staff_router = crud_router(
    table=Staff,
    create=StaffCreate,
    update=StaffUpdate,
    key="staff_no",
    key_type=str,
    name="staff member",
    check=check_staff,
    after=staff_changed,
)
services_router = crud_router(
    table=Service,
    create=ServiceCreate,
    update=ServiceUpdate,
    key="code",
    key_type=str,
    name="service",
    check=check_service,
    order_by="prefix",
    read=allow(*OFFICE, machines=("kiosk",)),  # the kiosk shows the services
)
