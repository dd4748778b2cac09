"""Leave, out-of-office and make-up requests and their approval steps (the rules: the engine)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Literal

from sqlmodel import Session

import attendance_engine as eng
from attendance_engine.labels import LEAVE_KIND
from hallkeeper.attendance.context import AttendanceContext
from hallkeeper.attendance.derive import DeriveResult, rederive
from hallkeeper.attendance.facts import load_facts
from hallkeeper.models import LeaveRequest, MakeUpPunch, OutRegistration

Half = Literal["am", "pm"]
KIND_CODES = {zh: code for code, (zh, _en) in LEAVE_KIND.items()}


class RequestError(ValueError):
    """A request that cannot be done as asked; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def leave_kind(value: str) -> str:
    """The English code of a leave kind given as code (personal) or in Chinese (事假)."""
    if value in LEAVE_KIND:
        return value
    if value in KIND_CODES:
        return KIND_CODES[value]
    kinds = ", ".join(f"{code} ({zh})" for code, (zh, _e) in LEAVE_KIND.items())
    raise RequestError(f"unknown leave kind {value!r}; one of: {kinds}")


def half_bounds(
    ctx: AttendanceContext, staff_no: str, day: date, half: Half
) -> tuple[datetime, datetime]:
    """The instants a half day spans: split where the first pm slot's window opens."""
    windows = ctx.schedule_for(staff_no, day).windows()
    midnight = datetime.combine(day, time(0), tzinfo=ctx.tz)
    pm = next((w for w in windows if w.spec.half == "pm"), None)
    split = midnight + (pm.start if pm is not None else timedelta(hours=12))
    end_of_day = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ctx.tz)
    if half == "am":
        return midnight, split - timedelta(seconds=1)
    return split, end_of_day - timedelta(seconds=1)


def rank(ctx: AttendanceContext, role: str) -> int:
    """A role's place in the approval chain (-1: may approve nothing)."""
    roles = [step.role for step in ctx.rules.approval_chain]
    return roles.index(role) if role in roles else -1


def check_approver(ctx: AttendanceContext, approver: str, required: str) -> None:
    """The approver exists and holds ``required`` or a role above it in the chain."""
    person = ctx.staff.get(approver)
    if person is None:
        raise RequestError(f"approver {approver!r} is not a staff member")
    if rank(ctx, person.role) < max(rank(ctx, required), 0):
        raise RequestError(
            f"approver {approver} is {person.role!r}; this needs {required!r} or higher", 403
        )


def _staff(ctx: AttendanceContext, staff_no: str) -> None:
    if staff_no not in ctx.staff:
        raise RequestError(f"unknown staff_no {staff_no!r}", 404)


def _b_post(ctx: AttendanceContext, staff_no: str) -> str | None:
    """Who covers ``staff_no``'s window: the B post of a window they hold A, else its A post."""
    for w in ctx.windows:
        if w.a_post == staff_no and w.b_post:
            return w.b_post
    for w in ctx.windows:
        if w.b_post == staff_no:
            return w.a_post
    return None


def local_days(start: datetime, end: datetime, ctx: AttendanceContext, today: date) -> list[date]:
    """The local dates ``start``..``end`` touches, up to ``today`` (later: not judged yet)."""
    first, last = start.astimezone(ctx.tz).date(), min(end.astimezone(ctx.tz).date(), today)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _begins(ctx: AttendanceContext, staff_no: str, start: datetime, end: datetime) -> datetime:
    """When a leave starts to matter: the first due time it covers (its start if none)."""
    for day in local_days(start, end, ctx, end.astimezone(ctx.tz).date()):
        midnight = datetime.combine(day, time(0), tzinfo=ctx.tz)
        dues = [midnight + w.due for w in ctx.schedule_for(staff_no, day).windows()]
        covered = [d for d in dues if start <= d <= end]
        if covered:
            return min(covered)
    return start


def file_leave(
    session: Session,
    ctx: AttendanceContext,
    *,
    staff_no: str,
    kind: str,
    start: datetime,
    end: datetime,
    now: datetime,
    reason: str = "",
    substitute: str | None = None,
) -> LeaveRequest:
    """File a leave: its length decides the approver; one needing a substitute needs one named."""
    _staff(ctx, staff_no)
    if end < start:
        raise RequestError("the leave ends before it starts")
    if substitute is not None:
        _staff(ctx, substitute)
    code = leave_kind(kind)
    leave = eng.Leave(
        staff_no, start, end, code, False, filed_after=now > _begins(ctx, staff_no, start, end)
    )
    names = ctx.staff[staff_no].info.schedules
    try:
        days = eng.leave_days(
            leave, calendar=ctx.calendar, schedules=ctx.schedules, tz=ctx.tz, names=names
        )
    except eng.ScheduleError as exc:
        raise RequestError(str(exc)) from exc
    b_post = _b_post(ctx, staff_no)
    # At filing, only whether anyone could stand in is known; presence is checked at approval.
    check = eng.check_leave_substitute(
        leave, days, b_post=b_post, substitute=substitute,
        present={p for p in (b_post, substitute) if p}, rules=ctx.rules,
    )  # fmt: skip
    if not check.allowed:
        raise RequestError(
            f"leave of {days:g} days needs a substitute on site (A/B post rule): "
            f"{check.reason}; name a stand-in with 'substitute'"
        )
    row = LeaveRequest(
        staff_no=staff_no, kind=code, start=start, end=end, days=days, reason=reason,
        substitute=substitute, approver_role=eng.approver_for(days, ctx.rules),
        filed_at=now, filed_after=leave.filed_after,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def present_on(
    session: Session, ctx: AttendanceContext, days: Iterable[date], now: datetime
) -> set[str]:
    """Staff seen at work (a punch in a slot) on any of ``days``."""
    days = sorted(set(days))
    facts = load_facts(session, None, days[0], days[-1], ctx.tz)
    results = [r for s in ctx.staff for r in ctx.evaluate_days(s, days, facts, now)]
    return set(eng.present_staff(results))


def decide_leave(
    session: Session,
    ctx: AttendanceContext,
    row: LeaveRequest,
    *,
    approve: bool,
    approver: str,
    now: datetime,
) -> DeriveResult:
    """Approve or reject a pending leave; approval re-checks the substitute's presence."""
    if row.status != "pending":
        raise RequestError(f"leave {row.id} is {row.status}, not pending", 409)
    check_approver(ctx, approver, row.approver_role)
    if approver == row.staff_no:
        raise RequestError("nobody approves their own leave", 403)
    if approve:
        today = now.astimezone(ctx.tz).date()
        start_day = row.start.astimezone(ctx.tz).date()
        present = present_on(session, ctx, {today, min(start_day, today)}, now)
        leave = eng.Leave(row.staff_no, row.start, row.end, row.kind, False, row.filed_after)
        check = eng.check_leave_substitute(
            leave, row.days, b_post=_b_post(ctx, row.staff_no), substitute=row.substitute,
            present=present, rules=ctx.rules,
        )  # fmt: skip
        if not check.allowed:
            who = f" ({check.substitute})" if check.substitute else ""
            raise RequestError(
                f"leave {row.id} of {row.days:g} days cannot start: {check.reason}{who}; "
                "the substitute must be on site (punched in) first"
            )
    row.status = "approved" if approve else "rejected"
    row.approved_by, row.decided_at = approver, now
    session.add(row)
    session.flush()
    return _rederive_span(session, ctx, row.staff_no, row.start, row.end, now)


def _rederive_span(
    session: Session,
    ctx: AttendanceContext,
    staff_no: str,
    start: datetime,
    end: datetime,
    now: datetime,
) -> DeriveResult:
    today = now.astimezone(ctx.tz).date()
    pairs = [(staff_no, d) for d in local_days(start, end, ctx, today)]
    return rederive(session, ctx, pairs, now)


def close_leave(
    session: Session, ctx: AttendanceContext, row: LeaveRequest, now: datetime
) -> DeriveResult:
    """销假: the person is back; a leave closed early ends now."""
    if row.status != "approved" or row.closed_at is not None:
        raise RequestError(
            f"leave {row.id} is {row.status}, closed={row.closed_at is not None}", 409
        )
    old_end = row.end
    row.closed_at = now
    row.end = min(row.end, max(now, row.start))
    session.add(row)
    session.flush()
    return _rederive_span(session, ctx, row.staff_no, row.start, old_end, now)


def cancel(
    session: Session,
    ctx: AttendanceContext,
    row: LeaveRequest | OutRegistration | MakeUpPunch,
    now: datetime,
) -> DeriveResult:
    """Withdraw a request; an approved one stops covering anything."""
    if row.status in ("rejected", "cancelled"):
        raise RequestError(f"request {row.id} is already {row.status}", 409)
    row.status = "cancelled"
    session.add(row)
    session.flush()
    if isinstance(row, MakeUpPunch):
        return rederive(session, ctx, [(row.staff_no, row.day)], now)
    return _rederive_span(session, ctx, row.staff_no, row.start, row.end, now)


def file_out(
    session: Session, ctx: AttendanceContext, *, staff_no: str, start: datetime, end: datetime,
    now: datetime, reason: str = "",
) -> OutRegistration:  # fmt: skip
    """Register a business absence (外出备案); it covers nothing until approved."""
    _staff(ctx, staff_no)
    if end < start:
        raise RequestError("the registration ends before it starts")
    row = OutRegistration(staff_no=staff_no, start=start, end=end, reason=reason, filed_at=now)
    session.add(row)
    session.flush()
    return row


def decide_out(
    session: Session, ctx: AttendanceContext, row: OutRegistration, *, approve: bool,
    approver: str, now: datetime,
) -> DeriveResult:  # fmt: skip
    """Approve or reject an out registration (the chain's first role or higher)."""
    if row.status != "pending":
        raise RequestError(f"out registration {row.id} is {row.status}, not pending", 409)
    check_approver(ctx, approver, ctx.rules.approval_chain[0].role)
    row.status = "approved" if approve else "rejected"
    row.approved_by, row.decided_at = approver, now
    session.add(row)
    session.flush()
    return _rederive_span(session, ctx, row.staff_no, row.start, row.end, now)


def file_makeup(
    session: Session, ctx: AttendanceContext, *, staff_no: str, day: date, slot: str,
    now: datetime, at: datetime | None = None, reason: str = "", filed_by: str | None = None,
) -> MakeUpPunch:  # fmt: skip
    """Record a make-up punch (补卡) for one slot; it stands for the punch once approved."""
    _staff(ctx, staff_no)
    windows = {w.spec.name: w for w in ctx.schedule_for(staff_no, day).windows()}
    if slot not in windows:
        raise RequestError(
            f"slot {slot!r} is not in {staff_no}'s schedule on {day}: {sorted(windows)}"
        )
    when = at or datetime.combine(day, time(0), tzinfo=ctx.tz) + windows[slot].due
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
    approver: str, now: datetime,
) -> DeriveResult:  # fmt: skip
    """Approve or reject a make-up; who and when are kept for the audit."""
    if row.status != "pending":
        raise RequestError(f"make-up {row.id} is {row.status}, not pending", 409)
    check_approver(ctx, approver, ctx.rules.approval_chain[0].role)
    if approver == row.staff_no:
        raise RequestError("nobody approves their own make-up punch", 403)
    row.status = "approved" if approve else "rejected"
    row.approved_by, row.decided_at = approver, now
    session.add(row)
    session.flush()
    return rederive(session, ctx, [(row.staff_no, row.day)], now)
