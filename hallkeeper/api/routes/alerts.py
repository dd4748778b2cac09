"""Supervisors' alerts: today's (or a day's) list, filtered and paged, and acknowledgement.

    GET  /api/v1/alerts?day=&kind=&severity=&acknowledged=&limit=&offset=
    POST /api/v1/alerts/{id}/ack   {"note": "..."}   (the note is optional)

Both for supervisors, duty chiefs, leaders in charge, the director and admins
(`hallbase.alert_ack.ACK_ROLES`); the acknowledgement keeps the logged-in account, and the
answer names it (``ack.name``: the account's display name).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from hallbase.alert_ack import ACK_ROLES, ack_names, acknowledge, listing, view
from hallbase.auth import Principal, allow
from hallbase.auth.resolve import now_of
from hallbase.deps import PageDep, ReadSessionDep, SessionDep, SettingsDep
from hallbase.fields import Day, DbInt, OneLine

router = APIRouter()
SUPERVISORS = allow(*ACK_ROLES)


class AckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: OneLine | None = Field(default=None, max_length=200)


@router.get("", summary="Alerts of a day (default today), newest first")
def list_alerts(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    page: PageDep,
    _who: Annotated[Principal, SUPERVISORS],
    day: Day | None = None,
    kind: Annotated[OneLine | None, Query(max_length=40)] = None,
    severity: Literal["info", "warning", "critical"] | None = None,
    acknowledged: bool | None = None,
) -> dict[str, Any]:
    zone = settings.zone
    day = day or now_of(request).astimezone(zone).date()
    start = datetime.combine(day, time(0), zone)
    rows, total = listing(
        session,
        start,
        start + timedelta(days=1),
        kind=kind,
        severity=severity,
        acknowledged=acknowledged,
        limit=page.limit,
        offset=page.offset,
    )
    names = ack_names(session, rows)
    data = [view(r, names) for r in rows]
    return {"day": day.isoformat(), "data": data, "count": total, **page.echo()}


@router.post("/{alert_id}/ack", summary="Acknowledge an alert (its repeats with it)")
def ack_alert(
    request: Request,
    alert_id: DbInt,
    session: SessionDep,
    who: Annotated[Principal, SUPERVISORS],
    body: Annotated[AckIn | None, Body()] = None,
) -> dict[str, Any]:
    note = body.note if body is not None else None
    done = acknowledge(session, alert_id, who, now=now_of(request), via="api", note=note)
    if done is None:
        raise HTTPException(404, detail=f"alert {alert_id} not found")
    return {**view(done.alert, ack_names(session, [done.alert])), "new": done.new}
