"""Kiosk and board routes: take a ticket, look at it, rate it, and the queue per service.

The citizen's own routes go by the ticket's unguessable token (``/my-ticket/{token}``): they
need no credential. By id, a ticket is for the hall's people, kiosks and rating pads.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from sqlmodel import col, func, select

from hallbase.auth import Principal
from hallbase.fields import DbInt
from hallbase.models import Service
from kiosk.api.access import OPEN, RATE, TAKE, TICKET_READ, require_window
from kiosk.api.bodies import RatingIn, TicketIn
from kiosk.api.common import QueueDep
from kiosk.context import Ctx
from kiosk.lookup import ticket_by_id
from kiosk.models import Ticket
from kiosk.ratings import Scores, rate
from kiosk.tickets import estimate_minutes, issue, open_windows, ticket_public
from kiosk.visit import TOKEN_PATTERN, visit_public, visit_ticket

router = APIRouter()
Token = Annotated[str, Path(pattern=TOKEN_PATTERN)]


@router.post("/tickets", status_code=201, summary="Take a ticket (kiosk)")
async def take_ticket(
    body: TicketIn, queue: QueueDep, who: Annotated[Principal, TAKE]
) -> JSONResponse:
    kiosk = who.name if who.kind == "machine" else None  # its printer prints the ticket

    def op(ctx: Ctx) -> dict[str, Any]:
        return ticket_public(ctx, issue(ctx, body.service, body.priority_reason, kiosk=kiosk))

    return await queue.write_json(op, 201)


@router.get("/tickets/{ticket_id}", summary="One ticket: state, people ahead, estimated wait")
async def get_ticket(
    ticket_id: DbInt, queue: QueueDep, who: Annotated[Principal, TICKET_READ]
) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        ticket = ticket_by_id(ctx.session, ticket_id)
        if who.machine_kind == "rating_pad":
            require_window(ctx.session, who, ticket.window_number)
        return ticket_public(ctx, ticket)

    return await queue.read_json(op)


@router.post("/tickets/{ticket_id}/rating", status_code=201, summary="Rate a ticket (once)")
async def rate_ticket(
    ticket_id: DbInt, body: RatingIn, queue: QueueDep, who: Annotated[Principal, RATE]
) -> JSONResponse:
    scores = Scores(**body.model_dump())

    def op(ctx: Ctx) -> dict[str, Any]:
        require_window(ctx.session, who, ticket_by_id(ctx.session, ticket_id).window_number)
        return rate(ctx, ticket_id, scores).model_dump(mode="json")

    return await queue.write_json(op, 201)


@router.get("/my-ticket/{token}", dependencies=[OPEN], summary="The citizen's own ticket")
async def my_ticket(token: Token, queue: QueueDep) -> JSONResponse:
    return await queue.read_json(lambda ctx: visit_public(ctx, visit_ticket(ctx, token)))


@router.post(
    "/my-ticket/{token}/rating",
    status_code=201,
    dependencies=[OPEN],
    summary="The citizen rates their own ticket (once)",
)
async def rate_my_ticket(token: Token, body: RatingIn, queue: QueueDep) -> JSONResponse:
    scores = Scores(**body.model_dump())

    def op(ctx: Ctx) -> dict[str, Any]:
        rate(ctx, visit_ticket(ctx, token).id, scores)
        return visit_public(ctx, visit_ticket(ctx, token))

    return await queue.write_json(op, 201)


def overview(ctx: Ctx) -> list[dict[str, Any]]:
    """Waiting per service, the oldest wait, the estimate for a new ticket and limits exceeded."""
    session = ctx.session
    counts = dict(
        session.exec(
            select(Ticket.service_id, func.count())
            .where(Ticket.status == "waiting", Ticket.day == ctx.day)
            .group_by(col(Ticket.service_id))
        ).all()
    )
    out = []
    for service in session.exec(select(Service).order_by(col(Service.prefix))).all():
        assert service.id is not None
        waiting = counts.get(service.id, 0)
        first_at = ticket_oldest(ctx, service.id) if waiting else None
        oldest_wait = None
        if first_at is not None:
            oldest_wait = round((ctx.now - first_at).total_seconds() / 60, 1)
        out.append(
            {
                "service": service.code,
                "name": {"zh": service.name, "en": service.name_en or service.name},
                "group": service.group,
                "prefix": service.prefix,
                "waiting": waiting,
                "open_windows": open_windows(session, service.id),
                "estimated_wait_minutes": estimate_minutes(
                    session, service.id, waiting, ctx.config.default_service_minutes
                ),
                "oldest_wait_minutes": oldest_wait,
                "max_wait_minutes": service.max_wait_minutes,
                "over_max_wait": oldest_wait is not None and oldest_wait > service.max_wait_minutes,
                "over_limit": waiting > ctx.config.max_waiting,
                "documents": list(service.documents),
            }
        )
    return out


def ticket_oldest(ctx: Ctx, service_id: int) -> datetime | None:
    """When the oldest waiting ticket of ``service_id`` was issued."""
    return ctx.session.exec(
        select(Ticket.issued_at)
        .where(Ticket.status == "waiting", Ticket.day == ctx.day, Ticket.service_id == service_id)
        .order_by(col(Ticket.id))
        .limit(1)
    ).first()


@router.get(
    "/queue",
    dependencies=[OPEN],
    summary="Waiting per service, estimated waits and limits exceeded",
)
async def get_queue_overview(queue: QueueDep) -> dict[str, Any]:
    data = await queue.aread(overview)
    return {"data": data, "count": len(data)}
