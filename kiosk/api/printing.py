"""Routes of the tickets' print states: print one again, and today's list (the kiosk's
service page); see `kiosk.printstate`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from hallbase.auth import Principal
from hallbase.fields import DbInt
from kiosk.api.access import PRINTS_READ, REPRINT, require_window
from kiosk.api.common import QueueDep
from kiosk.context import Ctx
from kiosk.errors import Conflict
from kiosk.lookup import ticket_by_id
from kiosk.printstate import print_list, request_reprint

router = APIRouter()


def has_printer(request: Request) -> bool:
    """True when this service drives a ticket printer, or the hall file names one (the main
    printer or `[[queue_devices.printers]]`)."""
    running = getattr(request.app.state, "queue_devices", None)
    if running is not None and running.workers:
        return True
    devices = getattr(request.app.state.settings.hall, "queue_devices", None)
    return devices is not None and bool(devices.printer_setups())


@router.post(
    "/tickets/{ticket_id}/reprint",
    summary="Print a ticket again (it waits for the printer until it comes out)",
)
async def reprint(
    ticket_id: DbInt, request: Request, queue: QueueDep, who: Annotated[Principal, REPRINT]
) -> JSONResponse:
    printer = has_printer(request)
    by = who.username or who.name

    def op(ctx: Ctx) -> dict[str, Any]:
        ticket = ticket_by_id(ctx.session, ticket_id)
        require_window(ctx.session, who, ticket.window_number)
        if not printer:
            raise Conflict.coded("no_printer")
        return request_reprint(ctx, ticket, by)

    return await queue.write_json(op, 202)


@router.get("/ticket-prints", summary="Today's tickets with their print state, newest first")
async def ticket_prints(queue: QueueDep, who: Annotated[Principal, PRINTS_READ]) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        rows = print_list(ctx)
        waiting = sum(1 for r in rows if r["print"] and r["print"]["state"] == "waiting")
        return {"data": rows, "count": len(rows), "waiting": waiting}

    return await queue.read_json(op)
