"""Window console routes under /api/v1/windows/{number}/...: calling, service, transfer and the
window's own state. No admin token: these come from the hall's own terminals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from sqlmodel import col, select

from hallbase.fields import DbInt
from hallbase.models import WindowStateHistory
from kiosk import calling, transfers
from kiosk.api.bodies import CallIn, FinishIn, StaffIn, TransferIn
from kiosk.api.common import QueueDep
from kiosk.context import Ctx
from kiosk.flow import WindowAction
from kiosk.live import live_public
from kiosk.lookup import all_windows, staff_names, window_by_number, window_service_ids
from kiosk.models import Ticket
from kiosk.ordering import sort_key
from kiosk.records import LIVES, TICKETS, TicketRecord, held_ticket
from kiosk.tickets import ticket_public

router = APIRouter()
NoBody = Body(default=None)


def _done(ctx: Ctx, ticket: TicketRecord) -> dict[str, Any]:
    return ticket_public(ctx, ticket, with_estimate=False)


@router.post("/windows/{number}/call-next", summary="Call the next citizen")
async def call_next(number: DbInt, queue: QueueDep, body: StaffIn | None = NoBody) -> JSONResponse:
    staff = body.staff_no if body else None
    return await queue.write_json(lambda ctx: _done(ctx, calling.call_next(ctx, number, staff)))


@router.post("/windows/{number}/call", summary="Call a named waiting ticket")
async def call_ticket(number: DbInt, body: CallIn, queue: QueueDep) -> JSONResponse:
    return await queue.write_json(
        lambda ctx: _done(ctx, calling.call_ticket(ctx, number, body.ticket_id, body.staff_no))
    )


def _ticket_route(
    step: Callable[[Ctx, int], TicketRecord], path: str, summary: str
) -> Callable[..., Any]:
    """A route that applies ``step`` to the ticket the window holds (no body)."""

    async def handler(number: DbInt, queue: QueueDep) -> JSONResponse:
        return await queue.write_json(lambda ctx: _done(ctx, step(ctx, number)))

    handler.__name__ = step.__name__
    return router.post(f"/windows/{{number}}/{path}", summary=summary)(handler)


recall = _ticket_route(calling.recall, "recall", "Call the current ticket again")
start = _ticket_route(calling.start, "start", "The citizen arrived: start service")
no_show = _ticket_route(calling.no_show, "no-show", "The called citizen did not come")
suspend = _ticket_route(calling.suspend, "suspend", "Set the current citizen aside")


@router.post("/windows/{number}/call-back", summary="Call back a suspended ticket")
async def call_back(number: DbInt, body: CallIn, queue: QueueDep) -> JSONResponse:
    return await queue.write_json(
        lambda ctx: _done(ctx, calling.call_back(ctx, number, body.ticket_id, body.staff_no))
    )


@router.post("/windows/{number}/finish", summary="Finish: done, or documents missing")
async def finish(number: DbInt, queue: QueueDep, body: FinishIn | None = NoBody) -> JSONResponse:
    given = body or FinishIn()
    return await queue.write_json(
        lambda ctx: _done(
            ctx, transfers.finish(ctx, number, given.outcome, given.missing_documents)
        )
    )


@router.post("/windows/{number}/transfer", summary="Send on to another window or service")
async def transfer(number: DbInt, body: TransferIn, queue: QueueDep) -> JSONResponse:
    return await queue.write_json(
        lambda ctx: _done(
            ctx,
            transfers.transfer(ctx, number, body.to_window, body.to_service, body.come_back),
        )
    )


def _state_route(action: WindowAction, path: str, summary: str) -> None:
    async def handler(
        number: DbInt, queue: QueueDep, body: StaffIn | None = NoBody
    ) -> JSONResponse:
        staff = body.staff_no if body else None

        def op(ctx: Ctx) -> dict[str, Any]:
            live = calling.window_action(ctx, number, action, staff)
            return live_public(window_by_number(ctx.session, number), live, ctx.now)

        return await queue.write_json(op)

    handler.__name__ = f"window_{action}"
    router.post(f"/windows/{{number}}/{path}", summary=summary)(handler)


_state_route("pause", "pause", "Pause service (暂停服务)")
_state_route("resume", "resume", "Resume service")
_state_route("away", "away", "Staff away from the window (暂离)")
_state_route("back", "back", "Staff back at the window")


def _window_queue(ctx: Ctx, number: DbInt) -> dict[str, Any]:
    window = window_by_number(ctx.session, number)
    service_ids = window_service_ids(ctx.session, window)
    order = {sid: i for i, sid in enumerate(service_ids)}
    waiting = TICKETS.all(
        ctx.session,
        TICKETS.query.where(
            col(Ticket.status) == "waiting",
            col(Ticket.day) == ctx.day,
            col(Ticket.service_id).in_(service_ids),
        ),
    )
    mine = [t for t in waiting if t.target_window in (None, number)]

    def key(t: TicketRecord) -> tuple[int, int, datetime, int]:
        rank, issued, tid = sort_key(t, ctx.now, ctx.config)
        return (rank, order[t.service_id], issued, tid)

    suspended = TICKETS.all(
        ctx.session,
        TICKETS.query.where(
            col(Ticket.status) == "suspended",
            col(Ticket.window_number) == number,
            col(Ticket.day) == ctx.day,
        ),
    )
    live = LIVES.get(ctx.session, number)
    current = held_ticket(ctx.session, live)
    return {
        "window": live_public(window, live, ctx.now, staff_names(ctx.session)),
        "current": _done(ctx, current) if current else None,
        "waiting": [_done(ctx, t) for t in sorted(mine, key=key)],
        "suspended": [_done(ctx, t) for t in suspended],
    }


@router.get("/windows/{number}/queue", summary="This window's queue, current and suspended")
async def window_queue(number: DbInt, queue: QueueDep) -> JSONResponse:
    return await queue.read_json(lambda ctx: _window_queue(ctx, number))


@router.get("/windows/{number}/history", summary="The window's state periods (newest first)")
async def window_history(number: DbInt, queue: QueueDep, limit: int = 200) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        window_by_number(ctx.session, number)
        rows = ctx.session.exec(
            select(WindowStateHistory)
            .where(WindowStateHistory.window_number == number)
            .order_by(col(WindowStateHistory.id).desc())
            .limit(max(1, min(limit, 5000)))
        ).all()
        data = [r.model_dump(mode="json") for r in rows]
        return {"data": data, "count": len(data)}

    return await queue.read_json(op)


@router.get("/windows-live", summary="Every window's live state")
async def windows_live(queue: QueueDep) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        lives = {w.window_number: w for w in LIVES.all(ctx.session, LIVES.query)}
        windows = all_windows(ctx.session)
        names = staff_names(ctx.session)
        data = []
        for window in windows:
            live = lives.get(window.number)
            row = live_public(window, live, ctx.now, names)
            ticket = held_ticket(ctx.session, live)
            row["ticket"] = ticket.code if ticket else None
            data.append(row)
        return {"data": data, "count": len(data)}

    return await queue.read_json(op)
