"""A6 at the leave's start: a window post on leave needs their stand-in on site by then.

A leave is approved ahead (the evening before, the week before). When it starts (its first
covered due time) and neither the named stand-in nor the B post has punched in that day,
the window would be empty: one `attendance.substitute_absent` alert per leave and stand-in
(a new stand-in named afterwards is checked again).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session, col, select

import attendance_engine as eng
from attendance.context import AttendanceContext
from attendance.models import LeaveRequest, Punch
from attendance.requests import b_post_of, begins, substitute_check
from hallbase.alerts import Alert, raise_alerts
from hallbase.words import t

HORIZON = timedelta(days=1)  # leaves that began longer ago are history, not an alert


def _punched(session: Session, staff_no: str, start: datetime, by: datetime) -> bool:
    found = session.exec(
        select(Punch.id).where(
            Punch.staff_no == staff_no,
            col(Punch.device_time) >= start,
            col(Punch.device_time) <= by,
        )
    ).first()
    return found is not None


def check_stand_ins(session: Session, ctx: AttendanceContext, now: datetime) -> int:
    """Alert for each approved leave begun in the last day whose stand-in had not punched in."""
    rows = session.exec(
        select(LeaveRequest).where(
            LeaveRequest.status == "approved",
            col(LeaveRequest.closed_at).is_(None),
            col(LeaveRequest.start) <= now,
            col(LeaveRequest.end) >= now - HORIZON,
        )
    ).all()
    alerts: list[Alert] = []
    for row in rows:
        if row.staff_no not in ctx.staff:
            continue
        starts = begins(ctx, row.staff_no, row.start, row.end)
        if not now - HORIZON <= starts <= now:
            continue
        leave = eng.Leave(row.staff_no, row.start, row.end, row.kind, True, row.filed_after)
        if not substitute_check(ctx, leave, row.days, row.substitute).needed:
            continue
        b_post = b_post_of(ctx, row.staff_no)
        candidates = [p for p in (row.substitute, b_post) if p and p != row.staff_no]
        day_start = datetime.combine(starts.astimezone(ctx.tz).date(), time(0), tzinfo=ctx.tz)
        if any(_punched(session, p, day_start, starts) for p in candidates):
            continue
        windows = [w.number for w in ctx.windows if row.staff_no in (w.a_post, w.b_post)]
        person = ctx.staff[row.staff_no].name
        stand_in = candidates[0] if candidates else None
        stand_in_name = ctx.staff[stand_in].name if stand_in in ctx.staff else stand_in
        payload = {
            "leave": row.id,
            "staff_no": row.staff_no,
            "substitute": stand_in,
            "windows": windows,
            "starts": starts.isoformat(),
            "message": t("alerts.substitute_absent", person=person, stand_in=stand_in_name),
            "message_en": t(
                "alerts.substitute_absent", "en", person=person, stand_in=stand_in_name
            ),
        }
        alerts.append(
            Alert("attendance.substitute_absent", f"{row.id}:{stand_in}", payload, "critical")
        )
    return raise_alerts(session, alerts, now)
