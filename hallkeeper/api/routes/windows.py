"""Windows (窗口) with their A/B posts and the services they call, in priority order."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import MISSING, BaseModel, ConfigDict, Field
from sqlmodel import Session, col, delete, select

from hallbase.auth import OFFICE, allow, log_change
from hallbase.deps import ReadSessionDep, SessionDep
from hallbase.fields import DbInt, OneLine
from hallbase.hallconfig import WindowKind
from hallbase.models import Service, Staff, Window, WindowService, set_window_services

router = APIRouter()


class WindowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: int = Field(ge=1, le=999)
    name: OneLine = Field(min_length=1, max_length=100)
    kind: WindowKind = "comprehensive"
    services: list[str] = Field(min_length=1)
    a_post: str
    b_post: str | None = None


class WindowPatch(BaseModel):
    """A field left out keeps its value; only b_post may be cleared with null."""

    model_config = ConfigDict(extra="forbid")
    name: OneLine | MISSING = Field(default=MISSING, min_length=1, max_length=100)
    kind: WindowKind | MISSING = MISSING
    services: list[str] | MISSING = Field(default=MISSING, min_length=1)
    a_post: str | MISSING = MISSING
    b_post: str | MISSING | None = MISSING


def window_public(session: Session, window: Window) -> dict[str, Any]:
    """A window with its service codes in calling order."""
    codes = session.exec(
        select(Service.code)
        .join(WindowService, col(WindowService.service_id) == col(Service.id))
        .where(WindowService.window_id == window.id)
        .order_by(col(WindowService.priority))
    ).all()
    return {**window.model_dump(exclude={"id"}), "services": list(codes)}


def _find(session: Session, number: int) -> Window:
    window = session.exec(select(Window).where(Window.number == number)).first()
    if window is None:
        raise HTTPException(404, detail=f"window {number} not found")
    return window


def _apply(session: Session, window: Window, fields: dict[str, Any]) -> None:
    services = fields.pop("services", None)
    for post in ("a_post", "b_post"):
        no = fields.get(post)
        if (
            no is not None
            and session.exec(select(Staff).where(Staff.staff_no == no)).first() is None
        ):
            raise HTTPException(422, detail=f"{post}: unknown staff number {no!r}")
    window.sqlmodel_update(fields)
    if window.b_post is not None and window.b_post == window.a_post:
        raise HTTPException(422, detail="b_post: the B post must be another person")
    session.add(window)
    session.flush()
    if services is None:
        return
    if len(set(services)) != len(services):
        raise HTTPException(422, detail="services: a service is listed twice")
    rows = {s.code: s for s in session.exec(select(Service).where(col(Service.code).in_(services)))}
    unknown = [code for code in services if code not in rows]
    if unknown:
        raise HTTPException(422, detail=f"services: unknown service {unknown[0]!r}")
    ids = [rows[code].id for code in services]
    assert window.id is not None and None not in ids
    set_window_services(session, window.id, [i for i in ids if i is not None])
    session.flush()


@router.get("", dependencies=[allow(*OFFICE)], summary="List windows")
def list_windows(session: ReadSessionDep) -> dict[str, Any]:
    windows = session.exec(select(Window).order_by(col(Window.number))).all()
    data = [window_public(session, w) for w in windows]
    return {"data": data, "count": len(data)}


@router.get("/{number}", dependencies=[allow(*OFFICE)], summary="Get one window")
def get_window(number: DbInt, session: ReadSessionDep) -> dict[str, Any]:
    return window_public(session, _find(session, number))


@router.post("", status_code=201, dependencies=[allow("admin")], summary="Create a window")
def create_window(body: WindowIn, request: Request, session: SessionDep) -> dict[str, Any]:
    if session.exec(select(Window).where(Window.number == body.number)).first() is not None:
        raise HTTPException(409, detail=f"window {body.number} already exists")
    fields = body.model_dump()
    window = Window(number=fields.pop("number"), name=body.name, a_post=body.a_post)
    _apply(session, window, fields)
    after = window_public(session, window)
    log_change(session, request, "window.create", f"window:{body.number}", after=after)
    return after


@router.patch("/{number}", dependencies=[allow("admin")], summary="Change a window")
def update_window(
    number: DbInt, body: WindowPatch, request: Request, session: SessionDep
) -> dict[str, Any]:
    window = _find(session, number)
    before = window_public(session, window)
    _apply(session, window, body.model_dump(exclude_unset=True))
    after = window_public(session, window)
    log_change(session, request, "window.update", f"window:{number}", before=before, after=after)
    return after


@router.delete(
    "/{number}", status_code=204, dependencies=[allow("admin")], summary="Delete a window"
)
def delete_window(number: DbInt, request: Request, session: SessionDep) -> Response:
    window = _find(session, number)
    before = window_public(session, window)
    session.exec(delete(WindowService).where(col(WindowService.window_id) == window.id))
    session.delete(window)
    log_change(session, request, "window.delete", f"window:{number}", before=before)
    return Response(status_code=204)
