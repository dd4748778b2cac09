"""Window console routes under /api/v1/windows/{number}/...: calling, service, transfer and the
window's own state. Callers: the window's staff, a window lead of it, an admin, or the keypad
bridge of its windows (`kiosk.api.access`); window staff act as themselves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from sqlmodel import col, select

from hallbase.auth import AuthError, Principal
from hallbase.fields import DbInt
from hallbase.models import WindowStateHistory
from kiosk import calling, transfers
from kiosk.api.access import LIVE, OPEN, WINDOW_ACTION, WINDOW_READ
from kiosk.api.bodies import CallIn, FinishIn, StaffIn, TransferIn
from kiosk.api.common import QueueDep
from kiosk.context import Ctx
from kiosk.flow import WindowAction
from kiosk.live import live_public
from kiosk.lookup import all_windows, staff_names, window_by_number, window_service_ids
from kiosk.models import Ticket
from kiosk.ordering import sort_key
from kiosk.printstate import visit_print
from kiosk.records import LIVES, TICKETS, TicketRecord, held_ticket
from kiosk.tickets import ticket_public

router = APIRouter()
NoBody = Body(default=None)
Actor = Annotated[Principal, WINDOW_ACTION]
BOARD_FIELDS = ("window", "name", "state", "state_text", "since")  # no staff: the board is public


def acting(who: Principal, given: str | None) -> str | None:
    """The staff member acting: window staff are themselves (they may not name another);
    a window lead, an admin or a keypad bridge names whom it acts for."""
    if who.kind != "person" or who.has_role("window_lead", "admin"):
        return given
    if given is not None and given != who.staff_no:
        raise AuthError(403, "forbidden")
    return who.staff_no


def _done(ctx: Ctx, ticket: TicketRecord) -> dict[str, Any]:
    return ticket_public(ctx, ticket, with_estimate=False)


# A request is matched against the routes in order: a citizen's service (call next, start,
# finish) comes first, as those take most of a window's requests.
@router.post("/windows/{number}/call-next", summary="Call the next citizen")
async def call_next(
    number: DbInt, queue: QueueDep, who: Actor, body: StaffIn | None = NoBody
) -> JSONResponse:
    staff = acting(who, body.staff_no if body else None)
    return await queue.write_json(lambda ctx: _done(ctx, calling.call_next(ctx, number, staff)))


def _ticket_route(
    step: Callable[[Ctx, int], TicketRecord], path: str, summary: str
) -> Callable[..., Any]:
    """A route that applies ``step`` to the ticket the window holds (no body)."""

    async def handler(number: DbInt, queue: QueueDep) -> JSONResponse:
        return await queue.write_json(lambda ctx: _done(ctx, step(ctx, number)))

    handler.__name__ = step.__name__
    route = router.post(
        f"/windows/{{number}}/{path}", summary=summary, dependencies=[WINDOW_ACTION]
    )
    return route(handler)


start = _ticket_route(calling.start, "start", "The citizen arrived: start service")


@router.post(
    "/windows/{number}/finish",
    summary="Finish: done, or documents missing",
    dependencies=[WINDOW_ACTION],
)
async def finish(number: DbInt, queue: QueueDep, body: FinishIn | None = NoBody) -> JSONResponse:
    given = body or FinishIn()
    return await queue.write_json(
        lambda ctx: _done(
            ctx, transfers.finish(ctx, number, given.outcome, given.missing_documents)
        )
    )


@router.post("/windows/{number}/call", summary="Call a named waiting ticket")
async def call_ticket(number: DbInt, body: CallIn, queue: QueueDep, who: Actor) -> JSONResponse:
    staff = acting(who, body.staff_no)
    return await queue.write_json(
        lambda ctx: _done(ctx, calling.call_ticket(ctx, number, body.ticket_id, staff))
    )


recall = _ticket_route(calling.recall, "recall", "Call the current ticket again")
no_show = _ticket_route(calling.no_show, "no-show", "The called citizen did not come")
suspend = _ticket_route(calling.suspend, "suspend", "Set the current citizen aside")


@router.post("/windows/{number}/call-back", summary="Call back a suspended ticket")
async def call_back(number: DbInt, body: CallIn, queue: QueueDep, who: Actor) -> JSONResponse:
    staff = acting(who, body.staff_no)
    return await queue.write_json(
        lambda ctx: _done(ctx, calling.call_back(ctx, number, body.ticket_id, staff))
    )


@router.post(
    "/windows/{number}/transfer",
    summary="Send on to another window or service",
    dependencies=[WINDOW_ACTION],
)
async def transfer(number: DbInt, body: TransferIn, queue: QueueDep) -> JSONResponse:
    return await queue.write_json(
        lambda ctx: _done(
            ctx,
            transfers.transfer(ctx, number, body.to_window, body.to_service, body.come_back),
        )
    )


def _state_route(action: WindowAction, path: str, summary: str) -> None:
    async def handler(
        number: DbInt, queue: QueueDep, who: Actor, body: StaffIn | None = NoBody
    ) -> JSONResponse:
        staff = acting(who, body.staff_no if body else None)

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
        "current": {**_done(ctx, current), "print": visit_print(ctx, current)} if current else None,
        "waiting": [_done(ctx, t) for t in sorted(mine, key=key)],
        "suspended": [_done(ctx, t) for t in suspended],
    }


@router.get(
    "/windows/{number}/queue",
    summary="This window's queue, current and suspended",
    dependencies=[WINDOW_READ],
)
async def window_queue(number: DbInt, queue: QueueDep) -> JSONResponse:
    return await queue.read_json(lambda ctx: _window_queue(ctx, number))


@router.get(
    "/windows/{number}/history",
    summary="The window's state periods (newest first)",
    dependencies=[WINDOW_READ],
)
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


@router.get("/windows-live", summary="Every window's live state", dependencies=[LIVE])
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


@router.get(
    "/board-live",
    dependencies=[OPEN],
    summary="Every window's state and ticket, as the public hall board shows it",
)
async def board_live(queue: QueueDep) -> JSONResponse:
    def op(ctx: Ctx) -> dict[str, Any]:
        lives = {w.window_number: w for w in LIVES.all(ctx.session, LIVES.query)}
        data = []
        for window in all_windows(ctx.session):
            live = lives.get(window.number)
            row = live_public(window, live, ctx.now)
            ticket = held_ticket(ctx.session, live)
            data.append({name: row[name] for name in BOARD_FIELDS if name in row})
            data[-1]["ticket"] = ticket.code if ticket else None
        return {"data": data, "count": len(data)}

    return await queue.read_json(op)
