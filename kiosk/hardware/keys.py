"""Keypad (呼叫器) and evaluator (评价器) presses as the console's queue operations.

A keypad has no "start" or "finish" key. Its call key ends the citizen in front of the window
(done) before calling the next one; its evaluate key ends the service (done) and leaves the
ticket to the window's evaluator, whose score rates it. A service ended by a keypad started
when its ticket was called (`kiosk.calling.start` with ``from_call``), so a call then a
finish by keypad has the real service time, as the console's call, start, finish would.

Digit + OK selects no-show, suspend or call back; they act on the window's own ticket (no-show,
suspend) or on the ticket it suspended last today (call back). Transfer sends the citizen to
the window whose number was typed before the key, or, with no number, back to the head of
the ticket's own service queue (as hall systems' transfer key does). Pause pauses an idle
window and resumes a paused one; call and call back resume a paused window first.

Every operation is its own transaction and returns None when it found nothing to do, so that
the caller acknowledges a press only when something was done.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import col, func, select

from devices.keypad.keys import KeyEvent, KeyPress
from kiosk import calling, transfers
from kiosk.context import Ctx
from kiosk.errors import Conflict
from kiosk.flow import WindowAction
from kiosk.lookup import service_by_id, window_by_number, window_service_ids
from kiosk.models import Ticket
from kiosk.page_api import ticket_to_rate
from kiosk.ratings import Scores, rate
from kiosk.records import LIVES, TICKETS, TicketRecord, held_ticket

Operation = Callable[[Ctx], object]
MAX_SHOWN_WAITING = 999


def key_operations(window: int, event: KeyEvent) -> list[Operation]:
    """The operations, each its own transaction, that a press at ``window`` stands for."""
    if not isinstance(event, KeyPress):
        rating = event.rating
        return [lambda ctx: _evaluate(ctx, window, rating)]
    action = event.action
    if action == "call":
        return [
            lambda ctx: _resume_if_paused(ctx, window),
            lambda ctx: _finish_current(ctx, window),
            lambda ctx: calling.call_next(ctx, window),
        ]
    if action == "recall":
        return [lambda ctx: calling.recall(ctx, window)]
    if action == "evaluate":
        return [lambda ctx: _finish_current(ctx, window, required=True)]
    if action == "pause":
        return [lambda ctx: _pause_or_resume(ctx, window)]
    if action == "transfer":
        target = event.number
        return [
            lambda ctx: _start_if_called(ctx, window),
            lambda ctx: _transfer(ctx, window, target),
        ]
    if action == "no_show":
        return [lambda ctx: calling.no_show(ctx, window)]
    if action == "suspend":
        return [lambda ctx: calling.suspend(ctx, window)]
    assert action == "call_back"
    return [
        lambda ctx: _resume_if_paused(ctx, window),
        lambda ctx: _call_back(ctx, window),
    ]


def _held(ctx: Ctx, window: int) -> TicketRecord | None:
    return held_ticket(ctx.session, LIVES.get(ctx.session, window))


def _state(ctx: Ctx, window: int) -> str:
    live = LIVES.get(ctx.session, window)
    return live.state if live is not None else "idle"


def _resume_if_paused(ctx: Ctx, window: int) -> object:
    if _state(ctx, window) != "paused":
        return None
    return calling.window_action(ctx, window, "resume", None)


def _pause_or_resume(ctx: Ctx, window: int) -> object:
    action: WindowAction = "resume" if _state(ctx, window) == "paused" else "pause"
    return calling.window_action(ctx, window, action, None)


def _finish_current(ctx: Ctx, window: int, *, required: bool = False) -> object:
    ticket = _held(ctx, window)
    if ticket is None:
        if required:
            raise Conflict(f"window {window} holds no ticket to finish")
        return None
    if ticket.status == "called":
        calling.start(ctx, window, from_call=True)
    return transfers.finish(ctx, window, "done")


def _start_if_called(ctx: Ctx, window: int) -> object:
    ticket = _held(ctx, window)
    if ticket is not None and ticket.status == "called":
        return calling.start(ctx, window, from_call=True)
    return None


def _transfer(ctx: Ctx, window: int, target: int | None) -> TicketRecord:
    if target is not None:
        return transfers.transfer(ctx, window, to_window=target)
    ticket = _held(ctx, window)
    if ticket is None:
        raise Conflict(f"window {window} holds no ticket to transfer")
    service = service_by_id(ctx.session, ticket.service_id)
    return transfers.transfer(ctx, window, to_service=service.code)


def _call_back(ctx: Ctx, window: int) -> TicketRecord:
    ticket = TICKETS.first(
        ctx.session,
        TICKETS.query.where(
            col(Ticket.status) == "suspended",
            col(Ticket.window_number) == window,
            col(Ticket.day) == ctx.day,
        ).order_by(col(Ticket.id).desc()),
    )
    if ticket is None:
        raise Conflict(f"window {window} has no suspended ticket to call back")
    return calling.call_back(ctx, window, ticket.id)


def _evaluate(ctx: Ctx, window: int, score: int) -> object:
    ticket = ticket_to_rate(ctx, window)
    if ticket is None or ticket.id is None:
        raise Conflict(f"window {window} has no finished, unrated ticket to rate")
    # An evaluator has one row of keys: its score stands for every dimension.
    return rate(ctx, ticket.id, Scores(score, score, score, score, score))


def waiting_for(ctx: Ctx, window: int) -> int:
    """How many tickets wait for ``window`` today (its services; not sent to another)."""
    services = window_service_ids(ctx.session, window_by_number(ctx.session, window))
    if not services:
        return 0
    count = ctx.session.exec(
        select(func.count())
        .select_from(Ticket)
        .where(
            col(Ticket.status) == "waiting",
            col(Ticket.day) == ctx.day,
            col(Ticket.service_id).in_(services),
            (col(Ticket.target_window).is_(None)) | (col(Ticket.target_window) == window),
        )
    ).one()
    return min(int(count), MAX_SHOWN_WAITING)
