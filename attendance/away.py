"""Away periods, from every source, judged at once: the API's (`WindowAway`) and the queue's
own window states (a console's or keypad's `away`), in the transaction that records them.

A period still open is judged again by the scheduler every minute (`scheduler._busy`), so
the off-post alert goes out when the threshold passes, not when the window comes back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from attendance import requests as rq
from attendance.common import context
from attendance.derive import DeriveResult, rederive
from hallbase.settings import Settings


class AwayChange(Protocol):
    """What attendance needs of a window's change (the queue's `kiosk.context.WindowChange`)."""

    @property
    def staff_before(self) -> str | None: ...
    @property
    def staff_no(self) -> str | None: ...
    @property
    def away_from(self) -> datetime: ...
    @property
    def at(self) -> datetime: ...


def rederive_away(
    session: Session,
    settings: Settings,
    staff: Iterable[str | None],
    start: datetime,
    end: datetime | None,
    now: datetime,
) -> DeriveResult:
    """Re-derive the staff-days an away period [start, end or now) touches, up to today."""
    people = sorted({s for s in staff if s})
    if not people:
        return DeriveResult()
    ctx = context(session, settings, [start.date(), now.date()])
    today = now.astimezone(ctx.tz).date()
    days = rq.local_days(start, end or now, ctx, today)
    return rederive(session, ctx, [(s, d) for s in people for d in days], now)


def window_watcher(settings: Settings) -> Callable[[Session, AwayChange], None]:
    """What the queue calls when a window goes away or comes back (see `kiosk.live.change`)."""

    def watch(session: Session, change: AwayChange) -> None:
        staff = (change.staff_before, change.staff_no)
        rederive_away(session, settings, staff, change.away_from, change.at, change.at)

    return watch
