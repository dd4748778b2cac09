"""The hall itself, working days and the admins' holiday overrides.

The office reads; the admin changes, and each change is audited."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import MISSING, BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from attendance.common import context, now_of
from attendance.derive import rederive
from attendance.refresh import first_stored_day, rederive_span
from hallbase.auth import OFFICE, allow, log_change
from hallbase.deps import ReadSessionDep, SessionDep, SettingsDep
from hallbase.errors import ConfigError
from hallbase.fields import Day, OneLine
from hallbase.holidays import calendar_covers, day_kind, imported_years, missing_years
from hallbase.models import Hall, HolidayOverride
from hallbase.settings import Settings
from hallkeeper.holiday_file import import_notice, parse_notice

router = APIRouter()
OFFICE_READS = [allow(*OFFICE)]
ADMIN = [allow("admin")]
# How far back PATCH /hall may move go-live: the days between are judged within the request.
GO_LIVE_BACK = timedelta(days=400)
MAX_CALENDAR_DAYS = 366


class HallPatch(BaseModel):
    """A field left out keeps its value; only go_live may be cleared with null."""

    model_config = ConfigDict(extra="forbid")
    name: OneLine | MISSING = Field(default=MISSING, min_length=1, max_length=100)
    name_en: OneLine | MISSING = Field(default=MISSING, max_length=100)
    go_live: Day | MISSING | None = MISSING
    language: Literal["zh", "en"] | MISSING = MISSING


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    workday: bool
    note: str = Field(default="", max_length=200)


def overrides_map(session: Session, start: date, end: date) -> dict[date, tuple[bool, str]]:
    """The admins' overrides between ``start`` and ``end`` inclusive."""
    rows = session.exec(
        select(HolidayOverride).where(
            col(HolidayOverride.day) >= start, col(HolidayOverride.day) <= end
        )
    ).all()
    return {row.day: (row.workday, row.note) for row in rows}


@router.get("/hall", dependencies=OFFICE_READS, summary="The hall")
def get_hall(session: ReadSessionDep) -> Hall:
    hall = session.exec(select(Hall)).first()
    if hall is None:
        raise HTTPException(404, detail="the hall is not configured yet")
    return hall


@router.patch("/hall", dependencies=ADMIN, summary="Change the hall's name or go-live date")
def patch_hall(
    body: HallPatch, request: Request, session: SessionDep, settings: SettingsDep
) -> Hall:
    hall = session.exec(select(Hall)).first()
    if hall is None:
        raise HTTPException(404, detail="the hall is not configured yet")
    before = hall.go_live
    old = hall.model_dump(mode="json")
    fields = body.model_dump(exclude_unset=True)
    go_live = fields.get("go_live")
    earliest = now_of(request).astimezone(settings.zone).date() - GO_LIVE_BACK
    if go_live is not None and go_live != before and go_live < earliest:
        # Every staff-day from go-live on is judged again inside this request.
        raise HTTPException(
            422,
            detail=f"go_live may be at most {GO_LIVE_BACK.days} days in the past through the API "
            f"(earliest {earliest}); set an earlier one in the hall file and run "
            "`hallkeeper config apply`",
        )
    hall.sqlmodel_update(fields)
    session.add(hall)
    session.flush()
    session.refresh(hall)
    if hall.go_live != before:
        _go_live_moved(request, session, settings, before, hall.go_live)
        session.refresh(hall)
    log_change(
        session, request, "hall.update", "hall", before=old, after=hall.model_dump(mode="json")
    )
    return hall


def _go_live_moved(
    request: Request, session: Session, settings: Settings, old: date | None, new: date | None
) -> None:
    """Judge again the days between the old and the new go-live (now judged, or now `off`)."""
    day = timedelta(days=1)
    if old is not None and new is not None:
        first: date | None = min(old, new)
        last = max(old, new) - day
    else:
        first = first_stored_day(session)
        last = (old or new or date.max) - day
    if first is not None and first <= last:
        rederive_span(
            session, settings, now_of(request), first=first, last=last, from_go_live=False
        )


@router.get("/calendar", dependencies=OFFICE_READS, summary="Working days in a date range")
def get_calendar(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    date_from: Day,
    date_to: Day,
) -> dict[str, Any]:
    if date_to < date_from:
        raise HTTPException(422, detail="date_to is before date_from")
    if (date_to - date_from).days >= MAX_CALENDAR_DAYS:
        raise HTTPException(422, detail=f"at most {MAX_CALENDAR_DAYS} days at a time")
    overrides = overrides_map(session, date_from, date_to)
    days = []
    day = date_from
    while day <= date_to:
        kind = day_kind(day, overrides)
        days.append(
            {"date": day, "workday": kind.workday, "source": kind.source, "note": kind.note}
        )
        day += timedelta(days=1)
    imported = imported_years(session)
    # The years asked about, and the hall's own gaps: from December, next year's too.
    today = now_of(request).astimezone(settings.zone).date()
    years = {date_from.year, date_to.year} | set(missing_years(today, imported))
    uncovered = sorted(y for y in years if y not in imported and not calendar_covers(y))
    warning = (
        f"no national holiday data for {', '.join(map(str, uncovered))}: weekends and "
        "overrides only; import the State Council's arrangement (POST /api/v1/holidays/import "
        "or hallkeeper holidays import FILE)"
        if uncovered
        else None
    )
    return {"data": days, "count": len(days), "warning": warning}


@router.get("/holidays", dependencies=OFFICE_READS, summary="List holiday overrides")
def list_overrides(session: ReadSessionDep) -> dict[str, Any]:
    rows = session.exec(select(HolidayOverride).order_by(col(HolidayOverride.day))).all()
    return {"data": rows, "count": len(rows)}


def _rederive(request: Request, session: Session, settings: Settings, day: date) -> int:
    """Judge everyone's ``day`` again now that it is (or is not) a working day."""
    ctx = context(session, settings, [day])
    return rederive(session, ctx, [(s, day) for s in ctx.staff], now_of(request)).changed


@router.post(
    "/holidays/import",
    dependencies=ADMIN,
    summary="Import a year's holidays and moved working days (the State Council's notice)",
)
def import_holidays(
    body: dict[str, Any], request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    try:
        notice = parse_notice(body, "body")
    except ConfigError as exc:
        problems = [f"{key}: {problem}" for key, problem in exc.problems]
        raise HTTPException(422, detail=problems) from None
    done = import_notice(session, settings, notice, now_of(request))
    log_change(session, request, "holiday.import", f"holidays:{notice.year}", after=body)
    return done


@router.put("/holidays/{day}", dependencies=ADMIN, summary="Set a holiday override")
def put_override(
    day: Day, body: OverrideIn, request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    found = session.get(HolidayOverride, day)
    before = None if found is None else found.model_dump(mode="json")
    row = found or HolidayOverride(day=day, workday=body.workday)
    row.workday, row.note = body.workday, body.note
    session.add(row)
    session.flush()
    changed = _rederive(request, session, settings, day)
    after = row.model_dump(mode="json")
    target = f"holiday:{day.isoformat()}"
    reason = body.note or None
    log_change(
        session, request, "holiday.override", target, before=before, after=after, reason=reason
    )
    return {**row.model_dump(), "changed": changed}


@router.delete("/holidays/{day}", status_code=204, dependencies=ADMIN)
def delete_override(
    day: Day, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    row = session.get(HolidayOverride, day)
    if row is None:
        raise HTTPException(404, detail=f"no override for {day}")
    before = row.model_dump(mode="json")
    session.delete(row)
    session.flush()
    _rederive(request, session, settings, day)
    log_change(session, request, "holiday.delete", f"holiday:{day.isoformat()}", before=before)
    return Response(status_code=204)
