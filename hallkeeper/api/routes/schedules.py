"""Schedules: read them, or replace one whole (slots are checked like the config file's)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import ValidationError
from sqlmodel import Session, col, select

from attendance.common import now_of
from attendance.refresh import rederive_span
from hallbase.auth import OFFICE, allow, log_change
from hallbase.deps import ReadSessionDep, SessionDep, SettingsDep
from hallbase.hallconfig import ScheduleEntry
from hallbase.hallconfig.schedules import schedule_problem
from hallbase.models import Schedule, ScheduleSlot
from hallbase.schedules import save_schedule

router = APIRouter()


def schedule_public(session: Session, schedule: Schedule) -> dict[str, Any]:
    """A schedule with its slots in order."""
    slots = session.exec(
        select(ScheduleSlot)
        .where(ScheduleSlot.schedule_id == schedule.id)
        .order_by(col(ScheduleSlot.position))
    ).all()
    return {
        **schedule.model_dump(exclude={"id", "is_default"}),
        "default": schedule.is_default,
        "slots": [s.model_dump(exclude={"id", "schedule_id", "position"}) for s in slots],
    }


@router.get("", dependencies=[allow(*OFFICE)], summary="List schedules")
def list_schedules(session: ReadSessionDep) -> dict[str, Any]:
    rows = session.exec(select(Schedule).order_by(col(Schedule.name))).all()
    data = [schedule_public(session, s) for s in rows]
    return {"data": data, "count": len(data)}


@router.put("/{name}", dependencies=[allow("admin")], summary="Create or replace a schedule")
def put_schedule(
    name: str, body: dict[str, Any], request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    try:
        entry = ScheduleEntry.model_validate({**body, "name": name})
    except ValidationError as exc:
        raise HTTPException(
            422, detail=exc.errors(include_url=False, include_context=False)
        ) from None
    problem = schedule_problem(entry)
    if problem:
        raise HTTPException(422, detail=f"schedule {name!r}: {problem}")
    old = session.exec(select(Schedule).where(col(Schedule.name) == name)).first()
    before = None if old is None else schedule_public(session, old)
    saved = save_schedule(session, entry)
    # Every stored verdict is judged again by the new slots (and, for a new season, days).
    rederive_span(session, settings, now_of(request))
    after = schedule_public(session, saved)
    log_change(session, request, "schedule.put", f"schedule:{name}", before=before, after=after)
    return after
