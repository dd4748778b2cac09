"""Taking a ticket at the kiosk, and what the kiosk and boards show about tickets and queues."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import and_, bindparam, literal_column, or_
from sqlmodel import Session, col, func, select

from hallbase.alerts import raise_alert
from hallbase.db import database_key
from hallbase.models import Window, WindowService
from hallbase.models.types import UTCDateTime
from kiosk.context import Ctx
from kiosk.errors import Conflict, Invalid
from kiosk.flow import is_open
from kiosk.lookup import ServiceInfo, service_by_code, service_by_id
from kiosk.models import Ticket, WindowLive
from kiosk.numbering import next_number, ticket_code
from kiosk.ordering import RANK_NORMAL, rank_of, rank_params, rank_sql_params
from kiosk.records import TICKETS, TicketRecord, ticket_json
from kiosk.words import both, word


def _open_now(service: ServiceInfo, now_local: clock_time) -> bool:
    return service.open_from <= now_local < service.open_to


def issue(
    ctx: Ctx,
    service_code: str,
    priority_reason: str | None = None,
    *,
    appointment_id: int | None = None,
    due_at: datetime | None = None,
    kiosk: str | None = None,
) -> TicketRecord:
    """Issue a ticket for ``service_code`` now; refuses outside hours and over the daily quota.

    ``kiosk`` (the kiosk's machine key name) goes with the ``ticket.issued`` event, so that the
    ticket prints on that kiosk's printer."""
    session = ctx.session
    service = service_by_code(session, service_code)
    local = ctx.now.astimezone(ctx.zone)
    if not _open_now(service, local.time()):
        raise Conflict(
            f"service {service.code!r} ({service.name}) is closed: tickets are issued "
            f"{service.open_from:%H:%M}-{service.open_to:%H:%M} hall time, it is {local:%H:%M}"
        )
    if priority_reason is not None and priority_reason not in ctx.config.priority_reasons:
        raise Invalid(
            f"priority_reason {priority_reason!r} is not a priority channel here; "
            f"choose one of {list(ctx.config.priority_reasons)}"
        )
    day = ctx.day
    number = next_number(session, service.id, day)
    if service.daily_quota is not None and number > service.daily_quota:
        # The caller's transaction rolls back, so the counter is not advanced either.
        raise Conflict(
            f"service {service.code!r} has reached its daily quota of {service.daily_quota} tickets"
        )
    channel = "appointment" if appointment_id else "priority" if priority_reason else "normal"
    ticket = TICKETS.insert(
        session,
        day=day,
        counter_service_id=service.id,
        number=number,
        code=ticket_code(service.prefix, number),
        service_id=service.id,
        channel=channel,
        priority_reason=priority_reason,
        appointment_id=appointment_id,
        due_at=due_at,
        issued_at=ctx.now,
        missing_documents=[],
        public_token=secrets.token_urlsafe(18),
    )
    check_queue_alerts(ctx, service, ticket)
    ctx.emit(
        "ticket.issued",
        ticket_id=ticket.id,
        code=ticket.code,
        service=service.code,
        channel=channel,
        **({"kiosk": kiosk} if kiosk else {}),
    )
    return ticket


def check_queue_alerts(ctx: Ctx, service: ServiceInfo, ticket: TicketRecord | None = None) -> None:
    """Alert when the service's queue is over its limit or its oldest ticket over max wait.

    Given the ``ticket`` just issued, the people ahead of it are counted too, which
    `people_ahead` then answers without asking the database again.
    """
    issued_at = ticket.issued_at if ticket else ctx.now
    params = {"day": ctx.day, "service_id": service.id, "issued_at": issued_at}
    count, oldest_at, from_it = ctx.session.connection().execute(_STATS, params).one()
    if ticket is not None:
        ctx.ahead[ticket.id] = _ahead_of_new(ctx, ticket, count, from_it)
    if count > ctx.config.max_waiting:
        hour = ctx.now.astimezone(ctx.zone).strftime("%Y%m%dT%H")
        raise_alert(
            ctx.session,
            kind="queue_length",
            key=f"{service.code}:{hour}",
            payload={"service": service.code, "waiting": count, "limit": ctx.config.max_waiting},
            now=ctx.now,
        )
    if oldest_at is None or ctx.now - oldest_at <= timedelta(minutes=service.max_wait_minutes):
        return
    # Rare: someone waited too long; find who, for the alert's stable id.
    oldest = ctx.session.exec(
        select(Ticket.id, Ticket.code, Ticket.issued_at)
        .where(
            Ticket.status == "waiting",
            Ticket.day == ctx.day,
            Ticket.service_id == service.id,
        )
        .order_by(col(Ticket.issued_at), col(Ticket.id))
        .limit(1)
    ).first()
    if oldest is not None:
        ticket_id, code, issued_at = oldest
        check_wait_alert(ctx, ticket_id, code, issued_at, service)


def check_wait_alert(
    ctx: Ctx, ticket_id: int | None, code: str, issued_at: datetime, service: ServiceInfo
) -> bool:
    """Alert (once per ticket) when a ticket has waited longer than the service allows;
    True when this raised a new alert."""
    waited = (ctx.now - issued_at).total_seconds() / 60
    if waited <= service.max_wait_minutes:
        return False
    words = {"code": code, "minutes": int(waited), "limit": service.max_wait_minutes}
    return raise_alert(
        ctx.session,
        kind="queue_wait",
        key=str(ticket_id),
        payload={
            "ticket": code,
            "service": service.code,
            "waited_minutes": round(waited, 1),
            "max_wait_minutes": service.max_wait_minutes,
            "message": word("alert.queue_wait", "zh", service=service.name, **words),
            "message_en": word(
                "alert.queue_wait", "en", service=service.name_en or service.name, **words
            ),
        },
        now=ctx.now,
    )


def mean_service_minutes(session: Session, service_id: int, fallback: float) -> float:
    """The mean service time of the service's last 20 finished legs, else ``fallback``.

    A leg that ended the instant it started (as keypads once recorded them) measured nothing
    and is left out: it would promise everyone a wait of 0 minutes."""
    rows = session.exec(
        select(Ticket.started_at, Ticket.finished_at)
        .where(
            Ticket.service_id == service_id,
            col(Ticket.started_at).is_not(None),
            col(Ticket.finished_at).is_not(None),
            col(Ticket.finished_at) > col(Ticket.started_at),
        )
        .order_by(col(Ticket.id).desc())
        .limit(20)
    ).all()
    spans = [(f - s).total_seconds() / 60 for s, f in rows if s is not None and f is not None]
    return sum(spans) / len(spans) if spans else fallback


def open_windows(session: Session, service_id: int) -> list[int]:
    """Numbers of the windows serving ``service_id`` that are open (not paused or away)."""
    rows = session.exec(
        select(Window.number, WindowLive.state)
        .join(WindowService, col(WindowService.window_id) == col(Window.id))
        .outerjoin(WindowLive, col(WindowLive.window_number) == col(Window.number))
        .where(WindowService.service_id == service_id)
    ).all()
    return [number for number, state in rows if state is None or is_open(state)]


_ESTIMATES: dict[tuple[str, int], tuple[float, float, int]] = {}
ESTIMATE_TTL_S = 5.0


def estimate_minutes(session: Session, service_id: int, ahead: int, fallback: float) -> int:
    """Estimated wait for someone with ``ahead`` people before them.

    The inputs (mean service time, open windows) are kept for a few seconds per process: they
    are estimates, and recomputing them on every ticket would cost more than the ticket itself.
    """
    key = (database_key(session.get_bind().engine), service_id)
    cached = _ESTIMATES.get(key)
    now = time.monotonic()
    if cached is None or now - cached[0] > ESTIMATE_TTL_S:
        per_person = mean_service_minutes(session, service_id, fallback)
        windows = max(1, len(open_windows(session, service_id)))
        cached = _ESTIMATES[key] = (now, per_person, windows)
    _, per_person, windows = cached
    return round(ahead * per_person / windows)


# A service's waiting tickets of a day (``service_id``, ``day`` bound), in the order of the index
# ix_queue_ticket_waiting; `kiosk.calling` takes the first of them too.
WAITING = (
    col(Ticket.status) == literal_column("'waiting'"),
    col(Ticket.day) == bindparam("day"),
    col(Ticket.service_id) == bindparam("service_id"),
)
# Called before the ticket whose rank, issue time and id are bound: `kiosk.ordering`'s order.
_BEFORE = or_(
    rank_sql_params() < bindparam("rank"),
    and_(
        rank_sql_params() == bindparam("rank"),
        or_(
            col(Ticket.issued_at) < bindparam("issued_at", type_=UTCDateTime()),
            and_(
                col(Ticket.issued_at) == bindparam("issued_at", type_=UTCDateTime()),
                col(Ticket.id) < bindparam("ticket_id"),
            ),
        ),
    ),
)
# Statements built once with bound parameters: SQLAlchemy reuses their compiled form.
_AHEAD = select(func.count()).where(*WAITING, _BEFORE)
# A service's waiting tickets: how many, the oldest issue time, and how many were issued at or
# after ``issued_at``. Each part reads the index ix_queue_ticket_waiting alone (the issue time is
# in it), the last two by a seek: a long queue costs its count only.
_STATS = select(
    select(func.count()).where(*WAITING).scalar_subquery(),
    select(func.min(col(Ticket.issued_at), type_=UTCDateTime())).where(*WAITING).scalar_subquery(),
    select(func.count())
    .where(*WAITING, col(Ticket.issued_at) >= bindparam("issued_at", type_=UTCDateTime()))
    .scalar_subquery(),
)


def _ahead_of_new(ctx: Ctx, ticket: TicketRecord, count: int, from_it: int) -> int:
    """The people ahead of a ticket just issued, of ``count`` waiting for its service (itself
    included; ``from_it`` of them issued at or after it): a normal ticket issued after all
    the others (the usual case) is behind every one; any other is counted in
    `kiosk.ordering`'s order."""
    if from_it == 1 and rank_of(ticket, ctx.now, ctx.config) == RANK_NORMAL:
        return count - 1
    return people_ahead(ctx, ticket)


def _ahead_params(ctx: Ctx, ticket: TicketRecord) -> dict[str, Any]:
    """The parameters of `_BEFORE` for ``ticket``."""
    return {
        "rank": rank_of(ticket, ctx.now, ctx.config),
        "issued_at": ticket.issued_at,
        "ticket_id": ticket.id,
        **rank_params(ctx.now, ctx.config),
    }


def people_ahead(ctx: Ctx, ticket: TicketRecord) -> int:
    """Waiting tickets of the same service that will be called before ``ticket``."""
    if ticket.status != "waiting":
        return 0
    if ticket.id in ctx.ahead:  # counted when it was issued, in this same transaction
        return ctx.ahead[ticket.id]
    params = {"day": ticket.day, "service_id": ticket.service_id, **_ahead_params(ctx, ticket)}
    return int(ctx.session.connection().execute(_AHEAD, params).scalar_one())


def ticket_public(ctx: Ctx, ticket: TicketRecord, *, with_estimate: bool = True) -> dict[str, Any]:
    """A ticket as the API shows it: state, place in the queue, documents, notice."""
    service = service_by_id(ctx.session, ticket.service_id)
    out: dict[str, Any] = {
        **ticket_json(ticket),
        "service": service.code,
        "service_name": {"zh": service.name, "en": service.name_en or service.name},
        "status_text": both(f"status.{ticket.status}"),
        "channel_text": both(f"channel.{ticket.channel}"),
        "documents": list(service.documents),
    }
    if with_estimate and ticket.status == "waiting":
        ahead = people_ahead(ctx, ticket)
        minutes = estimate_minutes(
            ctx.session, ticket.service_id, ahead, ctx.config.default_service_minutes
        )
        out["ahead"] = ahead
        out["estimated_wait_minutes"] = minutes
        out["ahead_text"] = both("ticket.ahead", ahead=ahead)
        out["wait_text"] = both("ticket.wait", minutes=minutes)
    if ticket.outcome == "missing_documents":
        out["notice"] = missing_notice(service, ticket.missing_documents)
    return out


def missing_notice(service: ServiceInfo, missing: Sequence[str]) -> dict[str, Any]:
    """The one-time notice (一次性告知单): every missing document in one go."""
    names = {"zh": service.name, "en": service.name_en or service.name}
    return {
        "title": both("notice.title"),
        "intro": {lang: word("notice.intro", lang, service=names[lang]) for lang in ("zh", "en")},
        "documents": list(missing),
    }
