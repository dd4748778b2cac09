"""Window away periods entered and ended by hand (the queue records its own: attendance.away).

Who: a window lead for their windows, the duty chief, the supervisor and the admin; each entry
and end is audited. Anyone logged in lists them: staff their own, a window lead their scope's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from attendance.access import reach
from attendance.api_requests import Person, get_row, instant
from attendance.away import rederive_away
from attendance.common import now_of
from attendance.models import WindowAway
from hallbase.auth import AuthError, Principal, Role, Target, allow, in_scope, log_change
from hallbase.deps import ReadSessionDep, SessionDep
from hallbase.fields import DbInt
from hallbase.models import Window

router = APIRouter()
# Who enters or ends a window's away period by hand (a window lead: their windows only).
AWAY_KEEPERS: tuple[Role, ...] = ("window_lead", "duty_chief", "supervisor", "admin")


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AwayIn(_In):
    window: DbInt
    staff_no: str | None = Field(default=None, description="default: the window's A post")
    start: str
    end: str | None = None


class AwayEnd(_In):
    end: str


def _rederive_away(session: Session, request: Request, row: WindowAway, now: datetime) -> None:
    # The same path as the queue's own `away` (console, keypad): see attendance.away.
    rederive_away(session, request.app.state.settings, [row.staff_no], row.start, row.end, now)


def _may_keep_away(session: Session, who: Principal, window: int) -> None:
    """A window lead enters and ends away periods of their windows only."""
    if who.has_role(*(r for r in AWAY_KEEPERS if r != "window_lead")):
        return
    if not in_scope(session, who, Target(window=window), ["window_lead"]):
        raise AuthError(403, "out_of_scope")


@router.post("/away", status_code=201, summary="A window shows `away` (entered by hand)")
def start_away(
    body: AwayIn,
    request: Request,
    session: SessionDep,
    who: Annotated[Principal, allow(*AWAY_KEEPERS)],
) -> WindowAway:
    _may_keep_away(session, who, body.window)
    window = session.exec(select(Window).where(Window.number == body.window)).first()
    if window is None:
        raise HTTPException(404, detail=f"window {body.window} not found")
    start = instant(body.start, request, "start")
    end = instant(body.end, request, "end") if body.end else None
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
    log_change(session, request, "away.start", f"away:{row.id}",
               after=row.model_dump(mode="json"))  # fmt: skip
    return row


@router.post("/away/{ident}/end", summary="The window is staffed again (entered by hand)")
def end_away(
    ident: DbInt,
    body: AwayEnd,
    request: Request,
    session: SessionDep,
    who: Annotated[Principal, allow(*AWAY_KEEPERS)],
) -> WindowAway:
    row = get_row(session, WindowAway, ident, "away period")
    _may_keep_away(session, who, row.window_number)
    end = instant(body.end, request, "end")
    if end < row.start:
        raise HTTPException(422, detail="the away period ends before it starts")
    before = row.model_dump(mode="json")
    row.end = end
    session.add(row)
    session.flush()
    _rederive_away(session, request, row, now_of(request))
    log_change(session, request, "away.end", f"away:{ident}", before=before,
               after=row.model_dump(mode="json"))  # fmt: skip
    return row


@router.get("/away", summary="Window away periods (from the API)")
def list_away(session: ReadSessionDep, who: Person, window: DbInt | None = None) -> dict[str, Any]:
    """Staff see their own, a window lead the staff of their scope."""
    query = select(WindowAway).order_by(col(WindowAway.start).desc()).limit(1000)
    seen = reach(session, who)
    if seen is not None:
        query = query.where(col(WindowAway.staff_no).in_(sorted(seen)))
    if window is not None:
        query = query.where(WindowAway.window_number == window)
    rows = session.exec(query).all()
    return {"data": rows, "count": len(rows)}
