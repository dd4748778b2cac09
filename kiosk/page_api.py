"""API calls the hall's pages need beyond the queue's own routes: the ticket a rating pad
should offer, the supervisor's per-window limits, and the state of the queue's devices."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel import col, select

from hallbase.auth import Principal
from hallbase.fields import DbInt
from hallbase.models import Service, Window
from kiosk.api.access import DEVICES, OFFICE_READ, TO_RATE, windows_seen
from kiosk.api.common import QueueDep
from kiosk.context import Ctx
from kiosk.live import live_public
from kiosk.lookup import staff_names
from kiosk.models import Rating, Ticket
from kiosk.records import LIVES, TICKETS, TicketRecord, held_ticket
from kiosk.tickets import ticket_public

router = APIRouter()
RATE_WITHIN = timedelta(minutes=30)  # an older finished ticket is not offered for rating


def ticket_to_rate(ctx: Ctx, window: int) -> TicketRecord | None:
    """The ticket leg that ended last at ``window`` today, unrated and recent, else None."""
    last = TICKETS.first(
        ctx.session,
        TICKETS.query.where(
            col(Ticket.window_number) == window,
            col(Ticket.day) == ctx.day,
            col(Ticket.status) == "finished",
            col(Ticket.finished_at).is_not(None),
        )
        .order_by(col(Ticket.finished_at).desc(), col(Ticket.id).desc())
        .limit(1),
    )
    if last is None or last.finished_at is None or ctx.now - last.finished_at > RATE_WITHIN:
        return None
    rated = ctx.session.exec(select(Rating.id).where(Rating.ticket_id == last.id)).first()
    return None if rated is not None else last


@router.get(
    "/windows/{number}/to-rate",
    dependencies=[TO_RATE],
    summary="The ticket a window's rating pad offers",
)
async def to_rate(number: DbInt, queue: QueueDep) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        ticket = ticket_to_rate(ctx, number)
        return {"ticket": ticket_public(ctx, ticket, with_estimate=False) if ticket else None}

    return await queue.read_json(op)


def _supervision(ctx: Ctx, who: Principal) -> list[dict[str, Any]]:
    seen = windows_seen(ctx.session, who)
    lives = {w.window_number: w for w in LIVES.all(ctx.session, LIVES.query)}
    services = {s.id: s for s in ctx.session.exec(select(Service)).all()}
    names = staff_names(ctx.session)
    rows = []
    for window in ctx.session.exec(select(Window).order_by(col(Window.number))).all():
        if seen is not None and window.number not in seen:
            continue  # a window lead's: their windows only
        live = lives.get(window.number)
        row = live_public(window, live, ctx.now, names)
        ticket = held_ticket(ctx.session, live)
        row["ticket"] = None
        row["over_service_limit"] = False
        if ticket is not None:
            service = services.get(ticket.service_id)
            begun = ticket.started_at or ticket.called_at
            minutes = (ctx.now - begun).total_seconds() / 60 if begun else None
            limit = service.max_service_minutes if service else None
            row["ticket"] = {
                "id": ticket.id,
                "code": ticket.code,
                "status": ticket.status,
                "service": service.name if service else None,
                "service_en": (service.name_en or service.name) if service else None,
                "minutes": round(minutes, 1) if minutes is not None else None,
                "max_service_minutes": limit,
            }
            serving = ticket.status == "serving" and minutes is not None and limit is not None
            row["over_service_limit"] = bool(serving and minutes > limit)  # type: ignore[operator]
        rows.append(row)
    return rows


@router.get("/supervision", summary="Every window's live state with its current citizen")
async def supervision(queue: QueueDep, who: Annotated[Principal, OFFICE_READ]) -> JSONResponse:
    data = await queue.aread(lambda ctx: _supervision(ctx, who))
    return JSONResponse({"data": data, "count": len(data)})


@router.get(
    "/queue-devices",
    summary="The queue's printers, LED boards and keypads (a kiosk's own printer as `printer`)",
)
async def queue_devices(request: Request, who: Annotated[Principal, DEVICES]) -> dict[str, Any]:
    devices = getattr(request.app.state, "queue_devices", None)
    if devices is None:
        return {"configured": False}
    kiosk = who.name if who.kind == "machine" else None
    status: dict[str, Any] = devices.status(kiosk)
    return {"configured": True, **status, "lease": devices.lease.status()}
