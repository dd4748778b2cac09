"""Keypad (呼叫器) and evaluator (评价器) presses as queue operations.

A keypad has no "start" or "finish" key: "call next" ends the citizen in front of the window
(done) before calling the next one, and "transfer" starts a called citizen's service first.
The digit keys carry a ticket's number without its letter, so no-show and suspend check that
number against the ticket the window holds, and call-back looks it up among the window's
suspended tickets of the day.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import col

from devices.keypad.protocol import (
    CallBack,
    CallNext,
    Evaluate,
    KeyEvent,
    NoShow,
    Pause,
    Recall,
    Resume,
    Suspend,
    Transfer,
)
from kiosk import calling, transfers
from kiosk.context import Ctx
from kiosk.errors import Conflict
from kiosk.flow import WindowAction
from kiosk.models import Ticket
from kiosk.page_api import ticket_to_rate
from kiosk.ratings import Scores, rate
from kiosk.records import LIVES, TICKETS, TicketRecord, held_ticket

Operation = Callable[[Ctx], object]


def key_operations(window: int, event: KeyEvent) -> list[Operation]:
    """The operations, each its own transaction, that a press at ``window`` stands for."""
    if isinstance(event, CallNext):
        return [
            lambda ctx: _finish_current(ctx, window),
            lambda ctx: calling.call_next(ctx, window),
        ]
    if isinstance(event, Recall):
        return [lambda ctx: calling.recall(ctx, window)]
    if isinstance(event, Pause | Resume):
        action: WindowAction = "pause" if isinstance(event, Pause) else "resume"
        return [lambda ctx: calling.window_action(ctx, window, action, None)]
    if isinstance(event, Transfer):
        target = event.target_window
        return [
            lambda ctx: _start_if_called(ctx, window),
            lambda ctx: transfers.transfer(ctx, window, to_window=target),
        ]
    if isinstance(event, NoShow | Suspend):
        number, no_show = int(event.ticket), isinstance(event, NoShow)
        return [lambda ctx: _on_current(ctx, window, number, no_show)]
    if isinstance(event, CallBack):
        wanted = int(event.ticket)
        return [lambda ctx: _call_back(ctx, window, wanted)]
    assert isinstance(event, Evaluate)
    score = event.rating
    return [lambda ctx: _evaluate(ctx, window, score)]


def _held(ctx: Ctx, window: int) -> TicketRecord | None:
    return held_ticket(ctx.session, LIVES.get(ctx.session, window))


def _finish_current(ctx: Ctx, window: int) -> None:
    ticket = _held(ctx, window)
    if ticket is None:
        return
    if ticket.status == "called":
        calling.start(ctx, window)
    transfers.finish(ctx, window, "done")


def _start_if_called(ctx: Ctx, window: int) -> None:
    ticket = _held(ctx, window)
    if ticket is not None and ticket.status == "called":
        calling.start(ctx, window)


def _on_current(ctx: Ctx, window: int, number: int, no_show: bool) -> None:
    ticket = _held(ctx, window)
    if ticket is None or ticket.number != number:
        held = ticket.code if ticket else "no ticket"
        raise Conflict(f"window {window} holds {held}, not number {number}")
    if no_show:
        calling.no_show(ctx, window)
    else:
        calling.suspend(ctx, window)


def _call_back(ctx: Ctx, window: int, number: int) -> None:
    ticket = TICKETS.first(
        ctx.session,
        TICKETS.query.where(
            col(Ticket.status) == "suspended",
            col(Ticket.window_number) == window,
            col(Ticket.day) == ctx.day,
            col(Ticket.number) == number,
        ).order_by(col(Ticket.id).desc()),
    )
    if ticket is None:
        raise Conflict(f"window {window} has no suspended ticket numbered {number}")
    calling.call_back(ctx, window, ticket.id)


def _evaluate(ctx: Ctx, window: int, score: int) -> None:
    ticket = ticket_to_rate(ctx, window)
    if ticket is None or ticket.id is None:
        raise Conflict(f"window {window} has no finished, unrated ticket to rate")
    # An evaluator has one row of keys: its score stands for every dimension.
    rate(ctx, ticket.id, Scores(score, score, score, score, score))
