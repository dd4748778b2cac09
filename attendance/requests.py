"""Leave, out-of-office and make-up requests and their approval steps (the rules: the engine)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlmodel import Session, col, select

import attendance_engine as eng
from attendance.context import AttendanceContext
from attendance.derive import DeriveResult, rederive
from attendance.models import LeaveRequest, MakeUpPunch, OutRegistration
from attendance_engine.leave import Half, approval_rank, half_day_bounds, may_approve
from hallbase.errors import error_message
from hallbase.words import has, label, languages, t, under

# The names staff use besides the codes and the official Chinese names (年假 for 年休假).
KIND_ALIASES = {"年假": "annual", "公休假": "annual", "年休": "annual", "探亲": "home_visit"}
LEAVE_KIND = tuple(under("labels.leave_kind", "zh"))  # the codes, in the catalogue's order
KIND_CODES = (
    {label("leave_kind", c, lang).lower(): c for lang in languages() for c in LEAVE_KIND}
    | {code.replace("_", " "): code for code in LEAVE_KIND}
    | KIND_ALIASES
)
LIVE = ("pending", "approved")  # requests that still count (not rejected or cancelled)


class RequestError(ValueError):
    """A request that cannot be done as asked; ``status`` is the HTTP status to answer with.

    ``code`` and ``message`` (zh and en) are set for the refusals staff meet every day.
    """

    def __init__(
        self,
        message: str,
        status: int = 422,
        *,
        code: str | None = None,
        zh: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = {"zh": zh or message, "en": message}

    @classmethod
    def coded(cls, code: str, http_status: int = 422, /, **fields: object) -> RequestError:
        """The refusal ``code`` with its catalogue message (``attendance.error.<code>``)."""
        message = error_message(code, **fields)
        return cls(message["en"], http_status, code=code, zh=message["zh"])


def leave_kind(value: str) -> str:
    """The code of a leave kind given as code (annual), in Chinese (年休假, 年假) or English."""
    text = value.strip()
    if text in LEAVE_KIND:
        return text
    found = KIND_CODES.get(text) or KIND_CODES.get(text.lower())
    if found is not None:
        return found
    kinds = ", ".join(f"{code} ({label('leave_kind', code)})" for code in LEAVE_KIND)
    raise RequestError.coded("unknown_leave_kind", kind=value, kinds=kinds)


def status_words(status: str) -> dict[str, str]:
    key = f"attendance.request_status.{status}"
    words = {"zh": t(key), "en": t(key, "en")} if has(key) else {"zh": status, "en": status}
    return {"status": words["en"], "status_zh": words["zh"]}


def _local(instant: datetime, ctx: AttendanceContext) -> str:
    return instant.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M")


def check_no_overlap(
    session: Session,
    ctx: AttendanceContext,
    model: type[LeaveRequest] | type[OutRegistration],
    staff_no: str,
    start: datetime,
    end: datetime,
) -> None:
    """Refuse (409) a leave or out registration overlapping a live one of the same person."""
    query: Any = select(model).where(
        model.staff_no == staff_no,
        col(model.status).in_(LIVE),
        col(model.start) <= end,
        col(model.end) >= start,
    )
    row = session.exec(query.order_by(col(model.id))).first()
    if row is not None:
        code = "leave_overlap" if model is LeaveRequest else "out_overlap"
        raise RequestError.coded(
            code, 409, staff_no=staff_no, name=ctx.staff[staff_no].name, id=row.id,
            start=_local(row.start, ctx), end=_local(row.end, ctx), **status_words(row.status),
        )  # fmt: skip


def half_bounds(
    ctx: AttendanceContext, staff_no: str, day: date, half: Half
) -> tuple[datetime, datetime]:
    """The instants a half day spans: split where the first pm slot's window opens."""
    return half_day_bounds(ctx.schedule_for(staff_no, day), day, half, ctx.tz)


def rank(ctx: AttendanceContext, role: str) -> int:
    """A role's place in the approval chain (-1: may approve nothing)."""
    return approval_rank(role, ctx.rules)


def check_approver(
    ctx: AttendanceContext, approver: str, required: str, role: str | None = None
) -> None:
    """The approver holds ``required`` or a role above it in the chain: ``role`` (a logged-in
    approver's, from their account), else the role of staff member ``approver``."""
    if role is None:
        person = ctx.staff.get(approver)
        if person is None:
            raise RequestError(f"approver {approver!r} is not a staff member")
        role = person.role
    if not may_approve(role, required, ctx.rules):
        raise RequestError(
            f"approver {approver} is {role!r}; this needs {required!r} or higher", 403
        )


def staff_known(ctx: AttendanceContext, staff_no: str) -> None:
    if staff_no not in ctx.staff:
        raise RequestError.coded("unknown_staff", 404, staff_no=staff_no)


def holds_post(ctx: AttendanceContext, staff_no: str) -> bool:
    """True when ``staff_no`` is the A or B post of a window (A6 applies to them only)."""
    return any(staff_no in (w.a_post, w.b_post) for w in ctx.windows)


def b_post_of(ctx: AttendanceContext, staff_no: str) -> str | None:
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


def begins(ctx: AttendanceContext, staff_no: str, start: datetime, end: datetime) -> datetime:
    """When a leave starts to matter: the first due time it covers (its start if none)."""
    for day in local_days(start, end, ctx, end.astimezone(ctx.tz).date()):
        midnight = datetime.combine(day, time(0), tzinfo=ctx.tz)
        dues = [midnight + w.due for w in ctx.schedule_for(staff_no, day).windows()]
        covered = [d for d in dues if start <= d <= end]
        if covered:
            return min(covered)
    return start


def substitute_check(
    ctx: AttendanceContext,
    leave: eng.Leave,
    days: float,
    substitute: str | None,
    present: set[str] | None = None,
) -> eng.SubstituteCheck:
    """A6 for this leave: only window posts need a stand-in (``present``: None, anyone could)."""
    if not holds_post(ctx, leave.staff_no):
        return eng.SubstituteCheck(True, False, "not_needed", None)
    b_post = b_post_of(ctx, leave.staff_no)
    candidates = {p for p in (b_post, substitute) if p}
    return eng.check_leave_substitute(
        leave, days, b_post=b_post, substitute=substitute,
        present=candidates if present is None else present, rules=ctx.rules,
    )  # fmt: skip


class LeavePlan(NamedTuple):
    """What the rules say of a leave before it is filed: its kind, length, approver, A6."""

    kind: str
    days: float
    approver_role: str
    filed_after: bool
    substitute: eng.SubstituteCheck


def plan_leave(
    ctx: AttendanceContext, *, staff_no: str, kind: str, start: datetime, end: datetime,
    now: datetime, substitute: str | None = None,
) -> LeavePlan:  # fmt: skip
    """The rules' checks of a leave (length, approver by the chain, stand-in); the filing and
    the page's check before submitting both use it. Raises RequestError for a bad one."""
    staff_known(ctx, staff_no)
    if end < start:
        raise RequestError("the leave ends before it starts")
    if substitute is not None:
        staff_known(ctx, substitute)
    code = leave_kind(kind)
    leave = eng.Leave(
        staff_no, start, end, code, False, filed_after=now > begins(ctx, staff_no, start, end)
    )
    names = ctx.staff[staff_no].info.schedules
    try:
        days = eng.leave_days(
            leave, calendar=ctx.calendar, schedules=ctx.schedules, tz=ctx.tz, names=names
        )
    except eng.ScheduleError as exc:
        raise RequestError(str(exc)) from exc
    # At filing, only whether anyone could stand in is known; presence is checked when the
    # leave starts (`standin.check_stand_ins`).
    check = substitute_check(ctx, leave, days, substitute)
    approver = eng.approver_for(days, ctx.rules)
    return LeavePlan(code, days, approver, leave.filed_after, check)


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
    plan = plan_leave(
        ctx, staff_no=staff_no, kind=kind, start=start, end=end, now=now, substitute=substitute
    )
    check_no_overlap(session, ctx, LeaveRequest, staff_no, start, end)
    if not plan.substitute.allowed:
        raise no_substitute(ctx, staff_no, plan.days)
    row = LeaveRequest(
        staff_no=staff_no, kind=plan.kind, start=start, end=end, days=plan.days, reason=reason,
        substitute=substitute, approver_role=plan.approver_role, filed_at=now,
        filed_after=plan.filed_after,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def no_substitute(ctx: AttendanceContext, staff_no: str, days: float) -> RequestError:
    """The refusal of a leave that needs a stand-in and names none who could."""
    return RequestError.coded("no_substitute", days=f"{days:g}", name=ctx.staff[staff_no].name)


def not_pending(what: str, ident: int | None, status: str) -> RequestError:
    """The 409 for deciding a request that was already decided."""
    return RequestError.coded("not_pending", 409, what=what, id=ident, **status_words(status))


def record_decision(
    session: Session, ctx: AttendanceContext, row: LeaveRequest | OutRegistration | MakeUpPunch,
    what: str, *, required: str, approve: bool, approver: str, now: datetime,
    own: str | None = None, approver_role: str | None = None,
) -> None:  # fmt: skip
    """Approve or reject a pending request (``what`` in the 409 when it is not pending) by an
    approver of ``required`` rank or higher (`check_approver`); ``own``: nobody approves
    their own (403)."""
    if row.status != "pending":
        raise not_pending(what, row.id, row.status)
    check_approver(ctx, approver, required, approver_role)
    if own is not None and approver == row.staff_no:
        raise RequestError(f"nobody approves their own {own}", 403)
    row.status = "approved" if approve else "rejected"
    row.approved_by, row.decided_at = approver, now
    session.add(row)
    session.flush()


def decide_leave(
    session: Session,
    ctx: AttendanceContext,
    row: LeaveRequest,
    *,
    approve: bool,
    approver: str,
    now: datetime,
    approver_role: str | None = None,
) -> DeriveResult:
    """Approve or reject a pending leave; it may be approved ahead of its start.

    Whether the stand-in is on site is a matter of the leave's start, not of the approval:
    `standin.check_stand_ins` raises an alert when nobody stands in by then.
    """
    record_decision(
        session, ctx, row, "leave", required=row.approver_role, own="leave",
        approve=approve, approver=approver, now=now, approver_role=approver_role,
    )  # fmt: skip
    return _rederive_span(session, ctx, row.staff_no, row.start, row.end, now)


def change_substitute(
    session: Session, ctx: AttendanceContext, row: LeaveRequest, substitute: str
) -> LeaveRequest:
    """Name another stand-in for a pending or approved leave (e.g. the first did not come)."""
    if row.status not in LIVE or row.closed_at is not None:
        raise RequestError(f"leave {row.id} is {row.status}: its stand-in cannot change", 409)
    staff_known(ctx, substitute)
    if substitute == row.staff_no:
        raise RequestError("nobody stands in for themselves")
    row.substitute = substitute
    session.add(row)
    session.flush()
    return row


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
    staff_known(ctx, staff_no)
    if end < start:
        raise RequestError("the registration ends before it starts")
    check_no_overlap(session, ctx, OutRegistration, staff_no, start, end)
    row = OutRegistration(staff_no=staff_no, start=start, end=end, reason=reason, filed_at=now)
    session.add(row)
    session.flush()
    return row


def decide_out(
    session: Session, ctx: AttendanceContext, row: OutRegistration, *, approve: bool,
    approver: str, now: datetime, approver_role: str | None = None,
) -> DeriveResult:  # fmt: skip
    """Approve or reject an out registration (the chain's first role or higher)."""
    record_decision(
        session, ctx, row, "out registration", required=ctx.rules.approval_chain[0].role,
        own="out registration", approve=approve, approver=approver, now=now,
        approver_role=approver_role,
    )  # fmt: skip
    return _rederive_span(session, ctx, row.staff_no, row.start, row.end, now)
