"""Make-up punches (补卡, A10): one per slot and day, an optional monthly limit, approval."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import func
from sqlmodel import Session, col, select

import attendance_engine as eng
from attendance.context import AttendanceContext
from attendance.derive import DeriveResult, rederive
from attendance.models import MakeUpPunch
from attendance.requests import (
    LIVE,
    RequestError,
    record_decision,
    staff_known,
    status_words,
)
from hallbase.words import label


def _month(day: date) -> tuple[date, date]:
    days = eng.month_days(day.year, day.month)
    return days[0], days[-1]


def month_count(session: Session, staff_no: str, day: date) -> int:
    """The live (pending or approved) make-ups of ``staff_no`` in ``day``'s month."""
    first, last = _month(day)
    count: int = session.exec(
        select(func.count())
        .select_from(MakeUpPunch)
        .where(
            MakeUpPunch.staff_no == staff_no,
            col(MakeUpPunch.status).in_(LIVE),
            col(MakeUpPunch.day) >= first,
            col(MakeUpPunch.day) <= last,
        )
    ).one()
    return count


def check_makeup(
    session: Session, ctx: AttendanceContext, staff_no: str, day: date, slot: str,
    limit: int | None,
) -> None:  # fmt: skip
    """Refuse (409) a second make-up of one slot, and one past the monthly ``limit``."""
    name = ctx.staff[staff_no].name
    mine = select(MakeUpPunch).where(
        MakeUpPunch.staff_no == staff_no, col(MakeUpPunch.status).in_(LIVE)
    )
    same = session.exec(
        mine.where(MakeUpPunch.day == day, MakeUpPunch.slot == slot).order_by(col(MakeUpPunch.id))
    ).first()
    if same is not None:
        raise RequestError.coded(
            "makeup_duplicate", 409, staff_no=staff_no, name=name, id=same.id, slot=slot,
            slot_zh=label("slot", slot), day=day.isoformat(), **status_words(same.status),
        )  # fmt: skip
    if limit is None:
        return
    count = month_count(session, staff_no, day)
    if count >= limit:
        raise RequestError.coded(
            "makeup_limit", 409, staff_no=staff_no, name=name, count=count, limit=limit,
            month=f"{day.year}-{day.month:02d}",
        )  # fmt: skip


def slot_due(ctx: AttendanceContext, staff_no: str, day: date, slot: str) -> datetime:
    """When ``slot`` is due on ``day`` in ``staff_no``'s schedule (422 when it has no such slot)."""
    windows = {w.spec.name: w for w in ctx.schedule_for(staff_no, day).windows()}
    if slot not in windows:
        raise RequestError(
            f"slot {slot!r} is not in {staff_no}'s schedule on {day}: {sorted(windows)}"
        )
    return datetime.combine(day, time(0), tzinfo=ctx.tz) + windows[slot].due


def file_makeup(
    session: Session, ctx: AttendanceContext, *, staff_no: str, day: date, slot: str,
    now: datetime, at: datetime | None = None, reason: str = "", filed_by: str | None = None,
    limit: int | None = None,
) -> MakeUpPunch:  # fmt: skip
    """Record a make-up punch (补卡) for one slot; it stands for the punch once approved.

    ``limit``: the most make-ups a person may have in a month (`makeup_monthly_limit`).
    """
    staff_known(ctx, staff_no)
    due = slot_due(ctx, staff_no, day, slot)
    check_makeup(session, ctx, staff_no, day, slot, limit)
    when = at or due
    row = MakeUpPunch(
        staff_no=staff_no,
        day=day,
        slot=slot,
        at=when,
        reason=reason,
        filed_by=filed_by,
        filed_at=now,
    )
    session.add(row)
    session.flush()
    return row


def decide_makeup(
    session: Session, ctx: AttendanceContext, row: MakeUpPunch, *, approve: bool,
    approver: str, now: datetime, approver_role: str | None = None,
) -> DeriveResult:  # fmt: skip
    """Approve or reject a make-up; who and when are kept for the audit."""
    record_decision(
        session, ctx, row, "make-up", required=ctx.rules.approval_chain[0].role,
        own="make-up punch", approve=approve, approver=approver, now=now,
        approver_role=approver_role,
    )  # fmt: skip
    return rederive(session, ctx, [(row.staff_no, row.day)], now)
