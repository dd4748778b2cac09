"""Window actions on the citizen in front of it: call next or a named ticket, recall, start,
no-show, suspend and call back; and the window's own pause / resume / away / back."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, literal, or_, text
from sqlmodel import col

from kiosk.context import Ctx
from kiosk.errors import Conflict, NotFound
from kiosk.flow import WindowAction, ticket_next, window_next
from kiosk.live import change, lock_window, resolve_staff, set_state
from kiosk.lookup import (
    WindowInfo,
    service_by_id,
    ticket_by_id,
    window_by_number,
    window_service_ids,
)
from kiosk.models import SPECIAL_WAITING, Ticket
from kiosk.ordering import RANK_NORMAL, rank_of, rank_params, rank_sql_params, service_order_sql
from kiosk.records import TICKETS, TicketRecord, WindowLiveRecord, live_with_ticket
from kiosk.tickets import WAITING, check_wait_alert
from kiosk.words import announcement, word


def call_next(ctx: Ctx, number: int, staff_no: str | None = None) -> TicketRecord:
    """Call the next citizen for window ``number`` (see `kiosk.ordering` for who is next)."""
    window, live = lock_window(ctx, number)
    window_next(number, live.state, "call")
    staff = resolve_staff(window, live, staff_no)
    service_ids = window_service_ids(ctx.session, window)
    if not service_ids:
        raise Conflict.coded("no_services", number=number)
    ticket = next_waiting(ctx, number, tuple(service_ids))
    if ticket is None:
        names = [service_by_id(ctx.session, sid).name for sid in service_ids]
        raise Conflict.coded("nobody_waiting", number=number, services=word("list_sep").join(names))
    return _call(ctx, window, live, ticket, staff)


def next_waiting(ctx: Ctx, number: int, service_ids: tuple[int, ...]) -> TicketRecord | None:
    """Who window ``number``, serving ``service_ids`` in that order, calls next: the first by
    the calling order (`kiosk.ordering`: class, service order, issue time, id).

    Two steps instead of one statement ordering every waiting ticket by that order's CASE
    (which sorted them all: 0.86 ms at 3,000 waiting, `bench/queue_stats.py`). Any ticket
    called before the others is a special one (`SPECIAL_WAITING`: few, in a partial index), so
    the first of those, when it is of such a class, is the answer. Otherwise everyone waiting
    is called in the normal class: the answer is the first by issue time of the first service
    in the window's order with anyone waiting, which ix_queue_ticket_waiting holds in order.
    """
    params = {"day": ctx.day, "number": number}
    special = TICKETS.first(
        ctx.session,
        _first_special(service_ids, ctx.postgres),
        {**params, **rank_params(ctx.now, ctx.config)},
    )
    if special is not None and rank_of(special, ctx.now, ctx.config) < RANK_NORMAL:
        return special
    query = _first_of_service(ctx.postgres)
    for service_id in service_ids:
        found = TICKETS.first(ctx.session, query, {**params, "service_id": service_id})
        if found is not None:
            return found
    return None


# A ticket this window (``number``) may call: not sent to another window.
_FOR_THIS_WINDOW = or_(
    col(Ticket.target_window).is_(None), col(Ticket.target_window) == bindparam("number")
)


def _skipping_locked(query: Select[Any], postgres: bool) -> Select[Any]:
    if postgres:
        # Another window's transaction holds its pick locked: take the next one, never wait.
        # FOR NO KEY UPDATE (the call changes no key): a row that only references the ticket
        # (its print state being stored) holds a key-share lock, which must not hide it.
        return query.with_for_update(skip_locked=True, of=TICKETS.table, key_share=True)
    return query


@lru_cache(maxsize=512)
def _first_special(service_ids: tuple[int, ...], postgres: bool) -> Select[Any]:
    """The first special waiting ticket (`SPECIAL_WAITING`) of ``service_ids`` by the whole
    calling order; built once per service list with bound parameters."""
    query = (
        TICKETS.query.where(
            text(SPECIAL_WAITING),  # as the partial index says it, so that it is used
            col(Ticket.day) == bindparam("day"),
            # One literal each, not an expanding list: the statement compiles once.
            col(Ticket.service_id).in_([literal(sid) for sid in service_ids]),
            _FOR_THIS_WINDOW,
        )
        .order_by(
            rank_sql_params(),
            service_order_sql(list(service_ids)),
            col(Ticket.issued_at),
            col(Ticket.id),
        )
        .limit(1)
    )
    return _skipping_locked(query, postgres)


@lru_cache(maxsize=2)
def _first_of_service(postgres: bool) -> Select[Any]:
    """The first waiting ticket of service ``service_id`` by issue time (the index's order)."""
    query = (
        TICKETS.query.where(*WAITING, _FOR_THIS_WINDOW)
        .order_by(col(Ticket.issued_at), col(Ticket.id))
        .limit(1)
    )
    return _skipping_locked(query, postgres)


def call_ticket(ctx: Ctx, number: int, ticket_id: int, staff_no: str | None = None) -> TicketRecord:
    """Call a named waiting ticket to window ``number``."""
    window, live = lock_window(ctx, number)
    window_next(number, live.state, "call")
    staff = resolve_staff(window, live, staff_no)
    service_ids = window_service_ids(ctx.session, window)
    ticket = TICKETS.get(ctx.session, ticket_id, lock=ctx.postgres)
    if ticket is None:
        raise NotFound.coded("ticket_not_found", ticket_id=ticket_id)
    ticket_next(ticket.code, ticket.status, "call")
    if ticket.service_id not in service_ids:
        service = service_by_id(ctx.session, ticket.service_id)
        raise Conflict.coded(
            "not_served_here", number=number, service=service.name, code=ticket.code
        )
    if ticket.target_window not in (None, number):
        raise Conflict.coded("sent_elsewhere", code=ticket.code, window=ticket.target_window)
    if ticket.day != ctx.day:
        raise Conflict.coded("not_today", code=ticket.code, day=ticket.day)
    return _call(ctx, window, live, ticket, staff)


def _call(
    ctx: Ctx, window: WindowInfo, live: WindowLiveRecord, ticket: TicketRecord, staff: str | None
) -> TicketRecord:
    state = window_next(window.number, live.state, "call")
    ticket = TICKETS.update(
        ctx.session,
        ticket,
        status=ticket_next(ticket.code, ticket.status, "call"),
        called_at=ctx.now,
        window_number=window.number,
        staff_no=staff,
    )
    change(ctx, live, state, staff, ticket.id)
    service = service_by_id(ctx.session, ticket.service_id)
    if service is not None:
        check_wait_alert(ctx, ticket.id, ticket.code, ticket.issued_at, service)
    _announce(ctx, "ticket.called", ticket, window.number, repeat=False)
    return ticket


def _announce(ctx: Ctx, kind: str, ticket: TicketRecord, number: int, *, repeat: bool) -> None:
    ctx.emit(
        kind,
        ticket_id=ticket.id,
        code=ticket.code,
        window=number,
        staff_no=ticket.staff_no,
        service_id=ticket.service_id,
        recalls=ticket.recalls,
        text=announcement(ticket.code, number, repeat=repeat),
    )


def current(ctx: Ctx, number: int) -> tuple[WindowInfo, WindowLiveRecord, TicketRecord]:
    """The window (locked) and the ticket it holds, or Conflict when it holds none."""
    window = window_by_number(ctx.session, number)
    held = live_with_ticket(ctx.session, number, lock=ctx.postgres)
    if held is None:  # first use: lock_window creates its row, idle and holding nothing
        held = lock_window(ctx, number)[1], None
    live, ticket = held
    if ticket is None:
        raise Conflict.coded(
            "no_ticket_in_hand",
            number=number,
            state=word(f"window.{live.state}", "zh"),
            state_en=live.state,
        )
    return window, live, ticket


def recall(ctx: Ctx, number: int) -> TicketRecord:
    """Call the window's ticket again, up to the recall limit."""
    _window, _live, ticket = current(ctx, number)
    ticket_next(ticket.code, ticket.status, "recall")
    if ticket.recalls >= ctx.config.recall_limit:
        raise Conflict.coded("recall_limit", code=ticket.code, recalls=ticket.recalls)
    ticket = TICKETS.update(ctx.session, ticket, recalls=ticket.recalls + 1)
    _announce(ctx, "ticket.recalled", ticket, number, repeat=True)
    return ticket


def start(ctx: Ctx, number: int, *, from_call: bool = False) -> TicketRecord:
    """The citizen has arrived: service starts now (``from_call``: it started when the ticket
    was called, for a keypad, which has no start key)."""
    _window, _live, ticket = current(ctx, number)
    status = ticket_next(ticket.code, ticket.status, "start")
    began = ticket.called_at if from_call and ticket.called_at is not None else ctx.now
    ticket = TICKETS.update(ctx.session, ticket, status=status, started_at=began)
    ctx.emit("ticket.started", ticket_id=ticket.id, code=ticket.code, window=number)
    return ticket


def release(ctx: Ctx, live: WindowLiveRecord) -> None:
    """The window's ticket has left it: the window is idle again."""
    state = window_next(live.window_number, live.state, "release")
    change(ctx, live, state, live.staff_no, None)


def no_show(ctx: Ctx, number: int) -> TicketRecord:
    """The called citizen did not come (过号)."""
    _window, live, ticket = current(ctx, number)
    status = ticket_next(ticket.code, ticket.status, "no_show")
    ticket = TICKETS.update(ctx.session, ticket, status=status, finished_at=ctx.now)
    release(ctx, live)
    ctx.emit("ticket.no_show", ticket_id=ticket.id, code=ticket.code, window=number)
    return ticket


def suspend(ctx: Ctx, number: int) -> TicketRecord:
    """Set the citizen aside (e.g. to fetch a document); the window may call others meanwhile."""
    _window, live, ticket = current(ctx, number)
    status = ticket_next(ticket.code, ticket.status, "suspend")
    ticket = TICKETS.update(ctx.session, ticket, status=status)
    release(ctx, live)
    ctx.emit("ticket.suspended", ticket_id=ticket.id, code=ticket.code, window=number)
    return ticket


def call_back(ctx: Ctx, number: int, ticket_id: int, staff_no: str | None = None) -> TicketRecord:
    """Call back a ticket this window suspended."""
    window, live = lock_window(ctx, number)
    state = window_next(number, live.state, "call")
    staff = resolve_staff(window, live, staff_no)
    ticket = ticket_by_id(ctx.session, ticket_id)
    status = ticket_next(ticket.code, ticket.status, "call_back")
    if ticket.window_number != number:
        raise Conflict.coded("suspended_elsewhere", code=ticket.code, window=ticket.window_number)
    ticket = TICKETS.update(ctx.session, ticket, status=status, called_at=ctx.now, staff_no=staff)
    change(ctx, live, state, staff, ticket.id)
    _announce(ctx, "ticket.called", ticket, number, repeat=False)
    return ticket


def window_action(
    ctx: Ctx, number: int, action: WindowAction, staff_no: str | None
) -> WindowLiveRecord:
    """Pause, resume, go away or come back (with who is now at the window)."""
    window, live = lock_window(ctx, number)
    staff = resolve_staff(window, live, staff_no)
    return set_state(ctx, live, action, staff)
