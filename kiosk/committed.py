"""Committed items (承诺件): a promised completion date in working days, tracked to it
(限时办结)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, insert
from sqlmodel import Session, col, select

from hallbase.holidays import day_kind
from hallbase.models import HolidayOverride
from kiosk.context import Ctx
from kiosk.errors import Conflict, NotFound
from kiosk.lookup import ServiceInfo
from kiosk.models import CommittedItem
from kiosk.records import TicketRecord

IsWorkday = Callable[[date], bool]


def add_working_days(start: date, days: int, is_workday: IsWorkday) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself is not counted)."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if is_workday(current):
            left -= 1
    return current


_OVERRIDES: Table = HolidayOverride.__table__  # type: ignore[attr-defined]
_OVERRIDES_IN = select(_OVERRIDES.c.day, _OVERRIDES.c.workday, _OVERRIDES.c.note).where(
    _OVERRIDES.c.day >= bindparam("start"), _OVERRIDES.c.day < bindparam("end")
)
OVERRIDE_CHUNK = timedelta(days=64)


def hall_workdays(session: Session, since: date | None = None) -> IsWorkday:
    """Working days by the national calendar and the admins' overrides.

    With ``since``, only the overrides of the days asked about are read, 64 days at a time
    from ``since`` on (a promise is a few working days away); without it, all of them.
    """
    if since is None:
        overrides = {
            row.day: (row.workday, row.note) for row in session.exec(select(HolidayOverride)).all()
        }
        return lambda day: day_kind(day, overrides).workday
    read: dict[date, tuple[bool, str]] = {}
    read_until = [since]  # the overrides of [since, read_until) are in `read`

    def load(start: date, end: date) -> None:
        found = session.connection().execute(_OVERRIDES_IN, {"start": start, "end": end})
        read.update((day, (workday, note)) for day, workday, note in found)

    def is_workday(day: date) -> bool:
        if day < since:
            load(day, day + timedelta(days=1))
        while day >= read_until[0]:
            load(read_until[0], read_until[0] + OVERRIDE_CHUNK)
            read_until[0] += OVERRIDE_CHUNK
        return day_kind(day, read).workday

    return is_workday


_ITEMS: Table = CommittedItem.__table__  # type: ignore[attr-defined]
_ACCEPT = insert(_ITEMS).returning(_ITEMS.c.id)


def accept(
    ctx: Ctx, ticket: TicketRecord, service: ServiceInfo, is_workday: IsWorkday | None = None
) -> None:
    """Start tracking a committed item accepted with ``ticket``."""
    if service.kind != "committed" or not service.promised_days:
        return
    today = ctx.now.astimezone(ctx.zone).date()
    check = is_workday or hall_workdays(ctx.session, today)
    promised = add_working_days(today, service.promised_days, check)
    item = {
        "ticket_id": ticket.id,
        "service_id": service.id,
        "window_number": ticket.window_number,
        "staff_no": ticket.staff_no,
        "accepted_at": ctx.now,
        "promised_date": promised,
        "completed_at": None,
    }
    item_id = ctx.session.connection().execute(_ACCEPT, item).scalar_one()
    ctx.emit(
        "committed.accepted",
        item_id=item_id,
        ticket_id=ticket.id,
        code=ticket.code,
        promised_date=promised.isoformat(),
    )


def complete(ctx: Ctx, item_id: int) -> CommittedItem:
    """Mark a committed item completed now."""
    item = ctx.session.get(CommittedItem, item_id)
    if item is None:
        raise NotFound(f"committed item {item_id} not found")
    if item.completed_at is not None:
        raise Conflict(f"committed item {item_id} was already completed")
    item.completed_at = ctx.now
    ctx.session.add(item)
    ctx.emit("committed.completed", item_id=item.id, on_time=on_time(item, ctx))
    return item


def on_time(item: CommittedItem, ctx: Ctx) -> bool | None:
    """True/False once decided (completed, or overdue); None while still within its date."""
    if item.completed_at is not None:
        return item.completed_at.astimezone(ctx.zone).date() <= item.promised_date
    if ctx.now.astimezone(ctx.zone).date() > item.promised_date:
        return False
    return None


def item_public(item: CommittedItem, ctx: Ctx) -> dict[str, Any]:
    """A committed item with its on-time verdict."""
    return {**item.model_dump(mode="json"), "on_time": on_time(item, ctx)}


def open_items(session: Session, since: datetime | None = None) -> list[CommittedItem]:
    """Items not completed yet (optionally accepted since ``since``), oldest promise first."""
    query = select(CommittedItem).where(col(CommittedItem.completed_at).is_(None))
    if since is not None:
        query = query.where(col(CommittedItem.accepted_at) >= since)
    return list(session.exec(query.order_by(col(CommittedItem.promised_date))).all())
