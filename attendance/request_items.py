"""Requests (leave, out registrations, make-ups) as the phone pages list them.

One shape for the three kinds: what was asked, by whom, its state along the approval, who
decided it and why (the reason given with a decision is kept in the audit log, the record
of every decision).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from attendance.context import AttendanceContext
from attendance.models import LeaveRequest, MakeUpPunch, OutRegistration
from hallbase.auth.models import AuditEntry
from hallbase.words import Lang, label, t

Kind = Literal["leave", "out", "makeup"]
Row = LeaveRequest | OutRegistration | MakeUpPunch
MODELS: dict[Kind, type[Row]] = {
    "leave": LeaveRequest,
    "out": OutRegistration,
    "makeup": MakeUpPunch,
}
DECISIONS = tuple(f"{k}.{a}" for k in MODELS for a in ("approve", "reject"))


@dataclass(frozen=True)
class Item:
    """One request as a page shows it."""

    kind: Kind
    id: int
    staff_no: str
    name: str
    what: str
    reason: str
    status: str
    required: str  # the role the chain needs (or higher)
    filed_at: datetime
    approved_by: str | None
    decided_at: datetime | None
    note: str  # the decision's reason
    substitute: str | None

    @property
    def api(self) -> str:
        """The request's address in the API (append /approve, /reject, /cancel)."""
        return f"/api/v1/attendance/{self.kind}s/{self.id}"


def required_role(ctx: AttendanceContext, row: Row) -> str:
    """The rank the chain needs: a leave's by its length, the others' the chain's first."""
    if isinstance(row, LeaveRequest):
        return row.approver_role
    return ctx.rules.approval_chain[0].role


def kind_of(row: Row) -> Kind:
    """The kind of request ``row`` is."""
    return next(k for k, model in MODELS.items() if isinstance(row, model))


def describe(ctx: AttendanceContext, row: Row, lang: Lang) -> str:
    """What was asked, in a line: the leave's kind and span, the time out, the slot made up."""

    def local(instant: datetime) -> str:
        return instant.astimezone(ctx.tz).strftime("%m-%d %H:%M")

    if isinstance(row, LeaveRequest):
        span = f"{local(row.start)} – {local(row.end)}"
        days = t("attendance.self.days", lang, days=f"{row.days:g}")
        return f"{label('leave_kind', row.kind, lang)} · {span} · {days}"
    if isinstance(row, OutRegistration):
        return f"{local(row.start)} – {local(row.end)}"
    at = row.at.astimezone(ctx.tz).strftime("%H:%M")
    return f"{row.day.strftime('%m-%d')} {label('slot', row.slot, lang)} {at}"


def decision_notes(session: Session, rows: Iterable[Row]) -> dict[str, str]:
    """The reason given with each decided request's decision, by ``<kind>:<id>``."""
    targets = [f"{kind_of(r)}:{r.id}" for r in rows if r.decided_at is not None]
    if not targets:
        return {}
    entries = session.exec(
        select(AuditEntry)
        .where(col(AuditEntry.target).in_(targets), col(AuditEntry.action).in_(DECISIONS))
        .order_by(col(AuditEntry.seq))
    ).all()
    return {e.target: e.reason or "" for e in entries}


def items(session: Session, ctx: AttendanceContext, rows: Iterable[Row], lang: Lang) -> list[Item]:
    """``rows`` as items, newest filed first."""
    rows = list(rows)
    notes = decision_notes(session, rows)
    out = []
    for row in rows:
        assert row.id is not None
        kind = kind_of(row)
        person = ctx.staff.get(row.staff_no)
        decider = ctx.staff.get(row.approved_by or "")
        substitute = row.substitute if isinstance(row, LeaveRequest) else None
        name = person.name if person else row.staff_no
        item = Item(
            kind=kind, id=row.id, staff_no=row.staff_no, name=name, what=describe(ctx, row, lang),
            reason=row.reason, status=row.status, required=required_role(ctx, row),
            filed_at=row.filed_at, approved_by=decider.name if decider else row.approved_by,
            decided_at=row.decided_at, note=notes.get(f"{kind}:{row.id}", ""),
            substitute=ctx.staff[substitute].name if substitute in ctx.staff else substitute,
        )  # fmt: skip
        out.append(item)
    return sorted(out, key=lambda i: i.filed_at, reverse=True)


def of_people(
    session: Session,
    staff_nos: Collection[str] | None,
    *,
    status: str | None = None,
    decided_by: str | None = None,
    limit: int = 50,
) -> list[Row]:
    """The newest requests of every kind of ``staff_nos`` (None: everyone's), by status or by
    who decided them."""
    found: list[Row] = []
    for model in MODELS.values():
        query: Any = select(model).order_by(col(model.id).desc())
        if staff_nos is not None:
            query = query.where(col(model.staff_no).in_(sorted(staff_nos)))
        if status is not None:
            query = query.where(model.status == status)
        if decided_by is not None:
            query = query.where(model.approved_by == decided_by)
        found += session.exec(query.limit(limit)).all()
    return found
