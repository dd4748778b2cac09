"""Whether each ticket came out of the kiosk's printer (`kiosk.models.TicketPrintState`).

``printed``: it came out (``prints`` times). ``waiting``: it waits for the printer, ``cause``
naming the trouble that holds it (``printer_paper_out``...) or ``reprint`` (staff asked for it
again); it prints when the printer is back. ``failed``: it will not print by itself; ``cause``
says why (``already_called``: called while it waited, as ``[queue_devices] waiting_called``
says; ``expired``: a ticket of an earlier day). A ticket the printer has not handled yet has
no row. ``printer`` names the printer the ticket printed on or waits for (none: the main one).
Each change is published as a ``print.state`` event after commit; a reprint asked for through
the API is ``print.requested`` (with the ticket's printer), which the printer's instance hears.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlmodel import col, select

from kiosk.context import Ctx
from kiosk.errors import Conflict
from kiosk.lookup import ticket_by_id
from kiosk.models import Ticket, TicketPrintState
from kiosk.records import TICKETS, TicketRecord
from kiosk.words import both, word

STATES = ("printed", "waiting", "failed")
LIST_LIMIT = 200


def print_public(row: TicketPrintState | None) -> dict[str, Any] | None:
    """A print state as the API shows it (None: not handled by the printer yet)."""
    if row is None:
        return None
    if row.cause:
        text = {
            lang: word(
                "print.with_cause",
                lang,
                state=word(f"print.{row.state}", lang),
                cause=word(f"print_cause.{row.cause}", lang),
            )
            for lang in both(f"print.{row.state}")
        }
    else:
        text = both(f"print.{row.state}")
    return {
        "state": row.state,
        "cause": row.cause,
        "prints": row.prints,
        "printed_at": row.printed_at.isoformat() if row.printed_at else None,
        "printer": row.printer,
        "text": text,
    }


def _row(ctx: Ctx, ticket_id: int) -> TicketPrintState | None:
    return ctx.session.get(TicketPrintState, ticket_id)


def visit_print(ctx: Ctx, ticket: TicketRecord) -> dict[str, Any] | None:
    """The print state of a leg, else of the leg before it (a transfer keeps the paper)."""
    leg: TicketRecord | None = ticket
    while leg is not None:
        row = _row(ctx, leg.id)
        if row is not None:
            return print_public(row)
        leg = TICKETS.get(ctx.session, leg.parent_id) if leg.parent_id is not None else None
    return None


def _set(ctx: Ctx, ticket: TicketRecord, state: str, cause: str | None, **more: Any) -> None:
    row = _row(ctx, ticket.id)
    if row is None:
        row = TicketPrintState(ticket_id=ticket.id, state=state, updated_at=ctx.now)
    row.state = state
    row.cause = cause
    row.updated_at = ctx.now
    for name, value in more.items():
        setattr(row, name, value)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.emit(
        "print.state",
        ticket_id=ticket.id,
        code=ticket.code,
        window=ticket.window_number,
        print=print_public(row),
    )


def record_printed(ctx: Ctx, ticket_id: int, printer: str | None = None) -> None:
    """The ticket came out of the printer named ``printer`` (once more)."""
    ticket = TICKETS.get(ctx.session, ticket_id)
    if ticket is None:
        return
    row = _row(ctx, ticket_id)
    prints = (row.prints if row is not None else 0) + 1
    _set(ctx, ticket, "printed", None, prints=prints, printed_at=ctx.now, printer=printer)


def record_waiting(
    ctx: Ctx, ticket_ids: Iterable[int], cause: str, printer: str | None = None
) -> None:
    """These tickets wait for the printer named ``printer``, held by ``cause``."""
    for ticket_id in ticket_ids:
        ticket = TICKETS.get(ctx.session, ticket_id)
        if ticket is not None:
            _set(ctx, ticket, "waiting", cause, printer=printer)


def record_failed(ctx: Ctx, ticket_id: int, cause: str) -> None:
    """The ticket will not print by itself, because of ``cause``."""
    ticket = TICKETS.get(ctx.session, ticket_id)
    if ticket is not None:
        _set(ctx, ticket, "failed", cause)


def request_reprint(ctx: Ctx, ticket: TicketRecord, by: str) -> dict[str, Any]:
    """Staff ask for ``ticket`` to be printed again: it waits for the printer until printed."""
    row = _row(ctx, ticket.id)
    if row is not None and row.state == "waiting" and row.reprint_by is not None:
        raise Conflict.coded("reprint_pending", code=ticket.code)
    _set(ctx, ticket, "waiting", "reprint", reprint_by=by[:40] or "-")
    # Printed again where it was printed (or waits); the main printer when it never was.
    ctx.emit("print.requested", ticket_id=ticket.id, printer=row.printer if row else None)
    return {
        "ticket_id": ticket.id,
        "code": ticket.code,
        "print": print_public(_row(ctx, ticket.id)),
    }


def reprint_ticket(ctx: Ctx, ticket_id: int, by: str) -> dict[str, Any]:
    """`request_reprint` for the ticket with id ``ticket_id`` (404 when there is none)."""
    return request_reprint(ctx, ticket_by_id(ctx.session, ticket_id), by)


def waiting_now(ctx: Ctx) -> list[tuple[int, bool, str | None]]:
    """Today's tickets waiting for a printer, oldest first: (ticket id, "staff asked for it",
    the printer's name)."""
    rows = ctx.session.exec(
        select(TicketPrintState.ticket_id, TicketPrintState.reprint_by, TicketPrintState.printer)
        .join(Ticket, col(Ticket.id) == col(TicketPrintState.ticket_id))
        .where(col(TicketPrintState.state) == "waiting", col(Ticket.day) == ctx.day)
        .order_by(col(TicketPrintState.ticket_id))
    ).all()
    return [(ticket_id, by is not None, printer) for ticket_id, by, printer in rows]


def print_list(ctx: Ctx, limit: int = LIST_LIMIT) -> list[dict[str, Any]]:
    """Today's tickets as issued (and legs printed again), newest first, with their print state."""
    rows = ctx.session.exec(
        select(Ticket, TicketPrintState)
        .join(
            TicketPrintState,
            col(TicketPrintState.ticket_id) == col(Ticket.id),
            isouter=True,
        )
        .where(
            col(Ticket.day) == ctx.day,
            (col(Ticket.leg) == 0) | col(TicketPrintState.ticket_id).is_not(None),
        )
        .order_by(col(Ticket.id).desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": ticket.id,
            "code": ticket.code,
            "status": ticket.status,
            "status_text": both(f"status.{ticket.status}"),
            "window": ticket.window_number,
            "issued_at": ticket.issued_at.isoformat(),
            "print": print_public(row),
        }
        for ticket, row in rows
    ]
