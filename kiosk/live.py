"""Windows' live state and its history (window, state, staff, start, end).

The history's `away` periods are what the attendance engine's off-post rule reads; a window
opens with the A post at it unless someone else signs in at an action.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, or_, select

from hallbase.models import WindowStateHistory
from kiosk.context import Ctx, WindowChange
from kiosk.errors import Invalid
from kiosk.flow import WindowAction, window_next
from kiosk.lookup import WindowInfo, WindowLike, window_by_number
from kiosk.records import LIVES, WindowLiveRecord
from kiosk.words import both

log = logging.getLogger(__name__)


def lock_window(ctx: Ctx, number: int) -> tuple[WindowInfo, WindowLiveRecord]:
    """The window and its live row, locked for this transaction (created idle on first use)."""
    window = window_by_number(ctx.session, number)
    live = LIVES.get(ctx.session, number, lock=ctx.postgres)
    if live is not None:
        return window, live
    table = LIVES.table
    upsert = postgresql.insert if ctx.postgres else sqlite.insert
    created = ctx.session.connection().execute(
        upsert(table)
        .values(window_number=number, state="idle", staff_no=window.a_post, since=ctx.now)
        .on_conflict_do_nothing(index_elements=[table.c.window_number])
        .returning(table.c.window_number)
    )
    if created.first() is not None:
        _open_period(ctx, number, "idle", window.a_post)
    live = LIVES.get(ctx.session, number, lock=ctx.postgres)
    assert live is not None
    return window, live


_HISTORY: Table = WindowStateHistory.__table__  # type: ignore[attr-defined]
_CLOSE_PERIOD = (
    update(_HISTORY)
    .where(_HISTORY.c.window_number == bindparam("number"), _HISTORY.c.end.is_(None))
    .values(end=bindparam("now"))
)
_OPEN_PERIOD = insert(_HISTORY)


def _open_period(ctx: Ctx, number: int, state: str, staff_no: str | None) -> None:
    values = {"window_number": number, "state": state, "staff_no": staff_no, "start": ctx.now}
    ctx.session.connection().execute(_OPEN_PERIOD, values)


def resolve_staff(window: WindowInfo, live: WindowLiveRecord, staff_no: str | None) -> str | None:
    """Who is at the window: the one named (A or B post), else whoever was there."""
    if staff_no is None:
        return live.staff_no or window.a_post
    if staff_no not in (window.a_post, window.b_post):
        posts = f"A post {window.a_post}" + (f", B post {window.b_post}" if window.b_post else "")
        raise Invalid.coded("not_a_post", staff=staff_no, number=window.number, posts=posts)
    return staff_no


def set_state(
    ctx: Ctx, live: WindowLiveRecord, action: WindowAction, staff_no: str | None
) -> WindowLiveRecord:
    """Apply ``action`` to the window (refused by the state table if not allowed)."""
    state = window_next(live.window_number, live.state, action)
    return change(ctx, live, state, staff_no, live.ticket_id)


def change(
    ctx: Ctx, live: WindowLiveRecord, state: str, staff_no: str | None, ticket_id: int | None
) -> WindowLiveRecord:
    """Record the window's new state, staff and ticket in the live row and the history."""
    if state == live.state and staff_no == live.staff_no:
        if ticket_id == live.ticket_id:
            return live
        return LIVES.update(ctx.session, live, ticket_id=ticket_id)
    before = WindowChange(
        live.window_number, live.state, state, live.staff_no, staff_no, live.since, ctx.now
    )
    conn = ctx.session.connection()
    conn.execute(_CLOSE_PERIOD, {"number": live.window_number, "now": ctx.now})
    _open_period(ctx, live.window_number, state, staff_no)
    live = LIVES.update(
        ctx.session, live, state=state, staff_no=staff_no, since=ctx.now, ticket_id=ticket_id
    )
    ctx.emit(
        "window.state",
        window=live.window_number,
        state=state,
        staff_no=staff_no,
        state_text=both(f"window.{state}"),
    )
    if "away" in (before.state_before, before.state):
        for watcher in ctx.window_watchers:
            # Each in a SAVEPOINT: a failing watcher rolls back alone and never costs the
            # window its state (attendance's scheduler judges the day again within a minute).
            try:
                with ctx.session.begin_nested():
                    watcher(ctx.session, before)
            except Exception:
                log.exception("window %d: a watcher of its away state failed", live.window_number)
    return live


def state_periods(
    session: Session,
    start: datetime,
    end: datetime,
    state: str = "away",
    window: int | None = None,
) -> list[tuple[int, str | None, datetime, datetime]]:
    """Periods in ``state`` overlapping [start, end), clipped to it: (window, staff, from, to).

    This is what the attendance engine's off-post rule reads (``state="away"``); a period
    still open counts up to ``end``.
    """
    query = select(WindowStateHistory).where(
        WindowStateHistory.state == state,
        col(WindowStateHistory.start) < end,
        or_(col(WindowStateHistory.end).is_(None), col(WindowStateHistory.end) > start),
    )
    if window is not None:
        query = query.where(WindowStateHistory.window_number == window)
    rows = session.exec(query.order_by(col(WindowStateHistory.start))).all()
    return [
        (r.window_number, r.staff_no, max(r.start, start), min(r.end or end, end)) for r in rows
    ]


def live_public(
    window: WindowLike,
    live: WindowLiveRecord | None,
    now: datetime,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A window's live state for boards and the supervisor; ``names``: staff names by 工号."""
    state = live.state if live else "idle"
    staff_no = (live.staff_no if live else None) or window.a_post
    names = names or {}
    return {
        "window": window.number,
        "name": window.name,
        "state": state,
        "state_text": both(f"window.{state}"),
        "staff_no": staff_no,
        "staff_name": names.get(staff_no, staff_no),
        "a_post": window.a_post,
        "a_name": names.get(window.a_post, window.a_post),
        "b_post": window.b_post,
        "b_name": names.get(window.b_post, window.b_post) if window.b_post else None,
        "ticket_id": live.ticket_id if live else None,
        "since": live.since.isoformat() if live else None,
        "seconds_in_state": round((now - live.since).total_seconds()) if live else None,
    }
