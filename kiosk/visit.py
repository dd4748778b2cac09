"""The citizen's own view of their visit, by the ticket's unguessable token (its QR code).

Sequential ticket ids are easy to walk through; the token is not. The view shows only what
the citizen needs: the ticket's code, state, window, place in the queue, wait and documents,
never who serves it, why it has priority, or the ids of other records.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from kiosk.context import Ctx
from kiosk.errors import NotFound
from kiosk.models import Rating, Ticket
from kiosk.records import TICKETS, TicketRecord
from kiosk.tickets import ticket_public

TOKEN_PATTERN = r"^[A-Za-z0-9_-]{16,32}$"
SHOWN = (
    "code",
    "day",
    "status",
    "status_text",
    "channel_text",
    "service",
    "service_name",
    "documents",
    "window_number",
    "recalls",
    "outcome",
    "issued_at",
    "called_at",
    "started_at",
    "finished_at",
    "ahead",
    "estimated_wait_minutes",
    "ahead_text",
    "wait_text",
    "notice",
)


def visit_ticket(ctx: Ctx, token: str) -> TicketRecord:
    """The visit's current leg: the ticket with ``token``, or the last leg transferred from it."""
    first = TICKETS.first(ctx.session, TICKETS.query.where(col(Ticket.public_token) == token))
    if first is None:
        raise NotFound("no ticket with this token")
    latest = TICKETS.first(
        ctx.session,
        TICKETS.query.where(
            col(Ticket.counter_service_id) == first.counter_service_id,
            col(Ticket.day) == first.day,
            col(Ticket.number) == first.number,
        )
        .order_by(col(Ticket.leg).desc())
        .limit(1),
    )
    return latest or first


def visit_public(ctx: Ctx, ticket: TicketRecord) -> dict[str, Any]:
    """The citizen's view of ``ticket`` (see the module's docstring), and whether it is rated."""
    full = ticket_public(ctx, ticket)
    out = {name: full[name] for name in SHOWN if name in full}
    rated = ctx.session.exec(select(Rating.id).where(Rating.ticket_id == ticket.id)).first()
    out["rated"] = rated is not None
    return out
