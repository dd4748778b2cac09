"""Time limits judged on the clock: a citizen waiting past the service's maximum wait, a
service running past its maximum time, and a committed item (承诺件) past its promised date
(限时办结). Taking a ticket or calling checks the wait too; this check catches a limit that
passes while nothing happens in the hall. Every alert's id is stable (one per ticket leg or
item), so checking often never repeats one.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import col, select

from hallbase.alerts import raise_alert
from kiosk.context import Ctx
from kiosk.lookup import ServiceInfo, service_by_id
from kiosk.models import CommittedItem, Ticket
from kiosk.records import TICKETS
from kiosk.tickets import check_wait_alert
from kiosk.words import word


def check_time_limits(ctx: Ctx) -> int:
    """Raise the alerts of every limit passed by now; return how many were new."""
    return _waits(ctx) + _service_times(ctx) + _overdue_items(ctx)


def _waits(ctx: Ctx) -> int:
    rows = ctx.session.exec(
        select(Ticket.id, Ticket.code, Ticket.issued_at, Ticket.service_id).where(
            Ticket.status == "waiting", Ticket.day == ctx.day
        )
    ).all()
    return sum(
        check_wait_alert(ctx, ticket_id, code, issued_at, service_by_id(ctx.session, service_id))
        for ticket_id, code, issued_at, service_id in rows
    )


def _service_times(ctx: Ctx) -> int:
    serving = TICKETS.all(
        ctx.session,
        TICKETS.query.where(col(Ticket.status) == "serving", col(Ticket.started_at).is_not(None)),
    )
    new = 0
    for ticket in serving:
        assert ticket.started_at is not None
        service = service_by_id(ctx.session, ticket.service_id)
        minutes = (ctx.now - ticket.started_at).total_seconds() / 60
        if minutes <= service.max_service_minutes:
            continue
        words = {
            "window": ticket.window_number,
            "code": ticket.code,
            "minutes": int(minutes),
            "limit": service.max_service_minutes,
        }
        new += raise_alert(
            ctx.session,
            kind="queue_service_time",
            key=str(ticket.id),  # one per leg: a transfer leg is a ticket of its own
            payload={
                "ticket": ticket.code,
                "service": service.code,
                "window": ticket.window_number,
                "staff_no": ticket.staff_no,
                "service_minutes": round(minutes, 1),
                "max_service_minutes": service.max_service_minutes,
                **_messages("alert.service_time", service, words),
            },
            now=ctx.now,
        )
    return new


def _overdue_items(ctx: Ctx) -> int:
    today = ctx.now.astimezone(ctx.zone).date()
    rows = ctx.session.exec(
        select(CommittedItem, Ticket.code)
        .join(Ticket, col(Ticket.id) == col(CommittedItem.ticket_id))
        .where(col(CommittedItem.completed_at).is_(None), col(CommittedItem.promised_date) < today)
    ).all()
    new = 0
    for item, code in rows:
        service = service_by_id(ctx.session, item.service_id)
        words = {"code": code, "date": item.promised_date.isoformat()}
        new += raise_alert(
            ctx.session,
            kind="committed_overdue",
            key=str(item.id),
            payload={
                "item_id": item.id,
                "ticket": code,
                "service": service.code,
                "window": item.window_number,
                "staff_no": item.staff_no,
                "promised_date": item.promised_date.isoformat(),
                **_messages("alert.committed_overdue", service, words),
            },
            now=ctx.now,
        )
    return new


def _messages(key: str, service: ServiceInfo, words: Mapping[str, object]) -> dict[str, str]:
    """The alert's message in Chinese, and in English beside it."""
    return {
        "message": word(key, "zh", service=service.name, **words),
        "message_en": word(key, "en", service=service.name_en or service.name, **words),
    }
