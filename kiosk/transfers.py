"""Ending a citizen's service at a window: finish (done / documents missing) or transfer to
another window or service without queuing again (下一个是××窗口), optionally coming back."""

from __future__ import annotations

from kiosk.calling import current, release
from kiosk.committed import IsWorkday, accept
from kiosk.context import Ctx
from kiosk.errors import Conflict, Invalid
from kiosk.flow import is_open, ticket_next
from kiosk.lookup import (
    ServiceInfo,
    service_by_code,
    service_by_id,
    window_by_number,
    window_service_ids,
)
from kiosk.records import LIVES, TICKETS, TicketRecord
from kiosk.tickets import missing_notice, open_windows
from kiosk.words import both, word


def finish(
    ctx: Ctx,
    number: int,
    outcome: str,
    missing_documents: list[str] | None = None,
    is_workday: IsWorkday | None = None,
) -> TicketRecord:
    """Finish the window's ticket with ``outcome`` ("done" or "missing_documents")."""
    _window, live, ticket = current(ctx, number)
    status = ticket_next(ticket.code, ticket.status, "finish")
    missing = [d.strip() for d in missing_documents or [] if d.strip()]
    if outcome == "missing_documents" and not missing:
        raise Invalid.coded("missing_list")
    if outcome == "done" and missing:
        raise Invalid("missing_documents is only for outcome 'missing_documents'")
    if outcome not in ("done", "missing_documents"):
        raise Invalid(f"outcome {outcome!r}: use 'done' or 'missing_documents' (or transfer)")
    ticket = TICKETS.update(
        ctx.session,
        ticket,
        status=status,
        outcome=outcome,
        missing_documents=missing,
        finished_at=ctx.now,
    )
    release(ctx, live)
    service = service_by_id(ctx.session, ticket.service_id)
    if outcome == "done":
        accept(ctx, ticket, service, is_workday)
    data: dict[str, object] = {"ticket_id": ticket.id, "code": ticket.code, "window": number}
    if missing:
        data["notice"] = missing_notice(service, missing)
    ctx.emit("ticket.finished", outcome=outcome, **data)
    if ticket.return_window is not None:
        _new_leg(ctx, ticket, _returning_service(ctx, ticket), ticket.return_window, None)
    return ticket


def _returning_service(ctx: Ctx, ticket: TicketRecord) -> int:
    parent = TICKETS.get(ctx.session, ticket.parent_id) if ticket.parent_id else None
    return parent.service_id if parent is not None else ticket.service_id


def transfer(
    ctx: Ctx,
    number: int,
    to_window: int | None = None,
    to_service: str | None = None,
    come_back: bool = False,
) -> TicketRecord:
    """Send the window's citizen on; the new leg goes to the head of the target queue."""
    if to_window is None and to_service is None:
        raise Invalid("give to_window or to_service")
    if to_window == number:
        raise Invalid.coded("transfer_to_itself", number=number)
    _window, live, ticket = current(ctx, number)
    ticket_next(ticket.code, ticket.status, "transfer")
    service: ServiceInfo | None = service_by_code(ctx.session, to_service) if to_service else None
    if to_window is not None:
        target = window_by_number(ctx.session, to_window)
        # Read, not locked: locking a second window could deadlock with a transfer the other way.
        target_live = LIVES.get(ctx.session, to_window)
        state = target_live.state if target_live is not None else "idle"
        if not is_open(state):
            raise Conflict.coded(
                "transfer_closed",
                window=to_window,
                state=word(f"window.{state}", "zh"),
                state_en=state,
            )
        served = window_service_ids(ctx.session, target)
        if service is None:
            service = service_by_id(ctx.session, served[0])
        elif service.id not in served:
            raise Invalid.coded("transfer_not_served", window=to_window, service=service.name)
    else:
        assert service is not None
        if not open_windows(ctx.session, service.id):
            raise Conflict.coded("no_open_window", service=service.name)
    ticket = TICKETS.update(
        ctx.session, ticket, status="finished", outcome="transferred", finished_at=ctx.now
    )
    release(ctx, live)
    back = number if come_back else ticket.return_window
    leg = _new_leg(ctx, ticket, service.id, to_window, back)
    hint = (
        both("next_window", window=to_window)
        if to_window
        else both("next_service", service=service.name)
    )
    ctx.emit(
        "ticket.transferred",
        ticket_id=ticket.id,
        new_ticket_id=leg.id,
        code=ticket.code,
        window=number,
        to_window=to_window,
        to_service=service.code,
        text=hint,
    )
    return leg


def _new_leg(
    ctx: Ctx, ticket: TicketRecord, service_id: int, window: int | None, return_window: int | None
) -> TicketRecord:
    leg = TICKETS.insert(
        ctx.session,
        day=ctx.day,
        counter_service_id=ticket.counter_service_id,
        number=ticket.number,
        leg=ticket.leg + 1,  # legs form a chain (one successor each), so this is unique
        code=ticket.code,
        service_id=service_id,
        channel=ticket.channel,
        priority_reason=ticket.priority_reason,
        appointment_id=ticket.appointment_id,
        parent_id=ticket.id,
        head=True,
        target_window=window,
        return_window=return_window,
        issued_at=ctx.now,
    )
    ctx.emit("ticket.issued", ticket_id=leg.id, code=leg.code, service_id=service_id, leg=leg.leg)
    return leg
