"""Citizens' ratings (服务评价): attitude, quality, efficiency, integrity and overall, 1 to 5;
one per ticket leg, after its service ended."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from kiosk.context import Ctx
from kiosk.errors import Conflict, Invalid
from kiosk.lookup import ticket_by_id
from kiosk.models import Rating

DIMENSIONS = ("attitude", "quality", "efficiency", "integrity", "overall")


@dataclass(frozen=True, slots=True)
class Scores:
    """Scores of 1 (very unsatisfied) to 5 (very satisfied)."""

    attitude: int
    quality: int
    efficiency: int
    integrity: int
    overall: int
    comment: str = ""


def rate(ctx: Ctx, ticket_id: int, scores: Scores) -> Rating:
    """Record the rating of ticket leg ``ticket_id``; a second rating is refused."""
    for name in DIMENSIONS:
        value = getattr(scores, name)
        if not 1 <= value <= 5:
            raise Invalid(f"{name}: a score is 1 to 5, got {value}")
    ticket = ticket_by_id(ctx.session, ticket_id)
    if ticket.status != "finished":
        raise Conflict(f"ticket {ticket.code} is {ticket.status}: rate it after its service")
    if ctx.session.exec(select(Rating).where(Rating.ticket_id == ticket_id)).first() is not None:
        raise Conflict(f"ticket {ticket.code} has already been rated")
    rating = Rating(
        ticket_id=ticket_id,
        window_number=ticket.window_number,
        staff_no=ticket.staff_no,
        service_id=ticket.service_id,
        attitude=scores.attitude,
        quality=scores.quality,
        efficiency=scores.efficiency,
        integrity=scores.integrity,
        overall=scores.overall,
        comment=scores.comment,
        created_at=ctx.now,
    )
    ctx.session.add(rating)
    try:
        ctx.session.flush()
    except IntegrityError:  # another instance rated it between our check and our insert
        raise Conflict(f"ticket {ticket.code} has already been rated") from None
    ctx.emit(
        "ticket.rated", ticket_id=ticket_id, window=ticket.window_number, overall=scores.overall
    )
    return rating
