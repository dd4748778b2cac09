"""Statistics per service, window, staff member and hour (Q10): tickets, waits (mean, p90),
service times, no-shows, transfers, ratings and the on-time rate of committed items.

A transfer (下一个是××窗口) ends one leg of a ticket and queues the next leg of the same
number: ``tickets`` counts tickets taken (first legs), ``transfer_legs`` the legs transfers
added; waits, service times and outcomes are per leg, where they happened."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from hallbase.models import Service, Staff, Window
from kiosk.models import CommittedItem, Rating, Ticket
from kiosk.records import TICKETS, TicketRecord

Dimension = Literal["service", "window", "staff", "hour"]
DIMENSIONS: tuple[Dimension, ...] = ("service", "window", "staff", "hour")


def p90(values: list[float]) -> float | None:
    """The 90th percentile by the nearest-rank method (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def mean(values: Iterable[float]) -> float | None:
    """The arithmetic mean (None for no values)."""
    items = list(values)
    return sum(items) / len(items) if items else None


@dataclass
class _Acc:
    tickets: int = 0
    transfer_legs: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    transfers: int = 0
    missing_documents: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    committed: int = 0
    on_time: int = 0
    late: int = 0

    def row(self) -> dict[str, Any]:
        decided = self.on_time + self.late
        out: dict[str, Any] = {
            "tickets": self.tickets,
            "transfer_legs": self.transfer_legs,
            "called": self.called,
            "served": self.served,
            "no_shows": self.no_shows,
            "transfers": self.transfers,
            "missing_documents": self.missing_documents,
            "wait_mean_min": _round(mean(self.waits)),
            "wait_p90_min": _round(p90(self.waits)),
            "service_mean_min": _round(mean(self.services)),
            "service_p90_min": _round(p90(self.services)),
            "ratings": len(self.ratings),
            "committed": self.committed,
            "committed_on_time": self.on_time,
            "committed_late": self.late,
            "on_time_rate": _round(self.on_time / decided, 4) if decided else None,
        }
        for dim in ("attitude", "quality", "efficiency", "integrity", "overall"):
            out[f"rating_{dim}"] = _round(mean(getattr(r, dim) for r in self.ratings))
        return out


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


def compute(
    session: Session, first: date, last: date, zone: ZoneInfo, now: datetime, by: Dimension
) -> list[dict[str, Any]]:
    """Rows of statistics for business days ``first``..``last`` grouped ``by`` one dimension."""
    codes = {s.id: s.code for s in session.exec(select(Service)).all()}
    tickets = TICKETS.all(
        session, TICKETS.query.where(col(Ticket.day) >= first, col(Ticket.day) <= last)
    )
    by_id = {t.id: t for t in tickets}
    ratings = (
        session.exec(select(Rating).where(col(Rating.ticket_id).in_(list(by_id)))).all()
        if by_id
        else []
    )
    items = (
        session.exec(
            select(CommittedItem).where(col(CommittedItem.ticket_id).in_(list(by_id)))
        ).all()
        if by_id
        else []
    )

    def key_of(ticket: TicketRecord) -> Hashable | None:
        if by == "service":
            return codes.get(ticket.service_id, str(ticket.service_id))
        if by == "window":
            return ticket.window_number
        if by == "staff":
            return ticket.staff_no
        return ticket.issued_at.astimezone(zone).hour

    groups: dict[Hashable, _Acc] = defaultdict(_Acc)
    for ticket in tickets:
        key = key_of(ticket)
        if key is None:
            continue
        acc = groups[key]
        if ticket.leg == 0:
            acc.tickets += 1
        else:
            acc.transfer_legs += 1
        wait = _minutes(ticket.issued_at, ticket.called_at)
        if wait is not None:
            acc.called += 1
            acc.waits.append(wait)
        served = _minutes(ticket.started_at, ticket.finished_at)
        if served is not None and ticket.status == "finished":
            acc.served += 1
            acc.services.append(served)
        acc.no_shows += ticket.status == "no_show"
        acc.transfers += ticket.outcome == "transferred"
        acc.missing_documents += ticket.outcome == "missing_documents"
    for rating in ratings:
        key = key_of(by_id[rating.ticket_id])
        if key is not None:
            groups[key].ratings.append(rating)
    today = now.astimezone(zone).date()
    for item in items:
        key = key_of(by_id[item.ticket_id])
        if key is None:
            continue
        acc = groups[key]
        acc.committed += 1
        if item.completed_at is not None:
            if item.completed_at.astimezone(zone).date() <= item.promised_date:
                acc.on_time += 1
            else:
                acc.late += 1
        elif today > item.promised_date:
            acc.late += 1
    names = group_names(session, by)
    return [
        {
            "key": key,
            "name": names.get(key) or {"zh": str(key), "en": str(key)},
            **groups[key].row(),
        }
        for key in sorted(groups, key=str)
    ]


def group_names(session: Session, by: Dimension) -> dict[Hashable, dict[str, str]]:
    """What people call each group: a service's Chinese (and English) name, a person's name
    (王芳, not the 工号), a window's name, an hour as 09:00."""
    if by == "service":
        return {
            s.code: {"zh": s.name, "en": s.name_en or s.name}
            for s in session.exec(select(Service)).all()
        }
    if by == "staff":
        return {p.staff_no: {"zh": p.name, "en": p.name} for p in session.exec(select(Staff)).all()}
    if by == "window":
        return {w.number: {"zh": w.name, "en": w.name} for w in session.exec(select(Window)).all()}
    return {h: {"zh": f"{h:02d}:00", "en": f"{h:02d}:00"} for h in range(24)}
