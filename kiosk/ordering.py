"""Who is called first: transfer legs, then appointments at their slot time, then the priority
channel (绿色通道), then everyone in the window's service order, first come first served."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, bindparam, case, literal
from sqlmodel import col

from hallbase.models.types import UTCDateTime
from kiosk.config import QueueConfig
from kiosk.models import Ticket
from kiosk.records import TicketRecord

RANK_HEAD, RANK_APPOINTMENT, RANK_PRIORITY, RANK_NORMAL = 0, 1, 2, 3


def due_cut(now: datetime, config: QueueConfig) -> datetime:
    """Appointments due at or before this instant go first."""
    return now + timedelta(minutes=config.appointment_early_minutes)


def rank_of(ticket: TicketRecord, now: datetime, config: QueueConfig) -> int:
    """The class a waiting ticket is called in (lower first)."""
    if ticket.head:
        return RANK_HEAD
    if (
        ticket.channel == "appointment"
        and ticket.due_at is not None
        and ticket.due_at <= due_cut(now, config)
    ):
        return RANK_APPOINTMENT
    if ticket.channel == "priority" and config.priority_first:
        return RANK_PRIORITY
    return RANK_NORMAL


def rank_sql_params() -> ColumnElement[Any]:
    """`rank_of` in SQL with bound parameters ``due_cut`` and ``priority_first`` (see
    `rank_params`), so that one statement built at import serves every request."""
    return case(
        (col(Ticket.head).is_(True), RANK_HEAD),
        (
            and_(
                col(Ticket.channel) == "appointment",
                col(Ticket.due_at) <= bindparam("due_cut", type_=UTCDateTime()),
            ),
            RANK_APPOINTMENT,
        ),
        (
            and_(col(Ticket.channel) == "priority", bindparam("priority_first", type_=Boolean())),
            RANK_PRIORITY,
        ),
        else_=literal(RANK_NORMAL),
    )


def rank_params(now: datetime, config: QueueConfig) -> dict[str, Any]:
    """The values of `rank_sql_params`' parameters."""
    return {"due_cut": due_cut(now, config), "priority_first": config.priority_first}


def service_order_sql(service_ids: list[int]) -> ColumnElement[Any]:
    """The position of a ticket's service in the window's calling order."""
    return case({sid: i for i, sid in enumerate(service_ids)}, value=col(Ticket.service_id))


def sort_key(ticket: TicketRecord, now: datetime, config: QueueConfig) -> tuple[int, datetime, int]:
    """The order among waiting tickets of one service."""
    return (rank_of(ticket, now, config), ticket.issued_at, ticket.id)
