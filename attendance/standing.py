"""Monthly flags and escalation steps, raised when a re-derivation makes them true.

A re-derivation that stores a violation on a recent day (today or yesterday) asks here what
the person's standing has become: their stored verdicts of the escalation period (days with
a violation only) and the window-uncovered verdicts charged to them are read back, and the
engine (`attendance_engine.standing`) decides which monthly thresholds are crossed
(`attendance.monthly_flag`: 退回原单位, 不合格) and which rung of the escalation ladder each
recent violation reached (`attendance.escalation_step`). Every page has a key of its own, so
asking again never pages twice. A day whose alerts wait for a terminal (``held``) is not
counted until the terminal confirms it: its re-derivation then asks again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

import attendance_engine as eng
from attendance.context import AttendanceContext
from attendance.models import DayVerdict, WindowCoverVerdict
from attendance_engine.alerts import recent
from attendance_engine.results import day_from_dict
from attendance_engine.standing import (
    ESCALATION_STEP_KIND,
    MONTHLY_FLAG_KIND,
    MonthFlag,
    period_name,
    standing,
    step_key,
)
from hallbase.alerts import Alert, raise_alerts
from hallbase.words import label, t

# Day statuses that can carry a violation (a day's status is the worst of its parts).
VIOLATING = ("absent", "missing", "late", "early", "off_post")
FLAG_SEVERITY = "critical"  # 退回原单位 must reach someone: repeated until acknowledged
STEP_SEVERITY = "warning"

_day = DayVerdict.__table__  # type: ignore[attr-defined]
_cover = WindowCoverVerdict.__table__  # type: ignore[attr-defined]


def triggered(rows: Iterable[Mapping[str, Any]], today: date) -> dict[str, set[date]]:
    """The people (and recent days) whose newly stored verdicts carry a confirmed violation."""
    out: dict[str, set[date]] = {}
    for row in rows:
        if row["status"] in VIOLATING and not row["held"] and recent(row["day"], today):
            out.setdefault(row["staff_no"], set()).add(row["day"])
    return out


def _period_start(ctx: AttendanceContext, day: date) -> date:
    start = date(day.year, day.month if ctx.rules.escalation_period == "month" else 1, 1)
    return max(start, ctx.go_live) if ctx.go_live is not None else start


def _stored_days(
    session: Session, people: Sequence[str], first: date, last: date
) -> dict[str, list[eng.DayResult]]:
    """The stored, confirmed verdicts with a violation of ``people`` from ``first`` to ``last``."""
    rows = session.connection().execute(
        sa.select(_day.c.staff_no, _day.c.result).where(
            _day.c.staff_no.in_(people),
            _day.c.day >= first,
            _day.c.day <= last,
            _day.c.status.in_(VIOLATING),
            _day.c.held == 0,
        )
    )
    out: dict[str, list[eng.DayResult]] = {}
    for staff_no, result in rows:
        data = json.loads(result) if isinstance(result, str) else result
        out.setdefault(staff_no, []).append(day_from_dict(data))
    return out


def _cover_violations(
    session: Session, people: set[str], first: date, last: date, today: date
) -> dict[str, list[eng.Violation]]:
    """Window-uncovered verdicts charged to ``people`` (a recent one once it was paged)."""
    rows = session.connection().execute(
        sa.select(_cover.c.day, _cover.c.result).where(
            _cover.c.day >= first, _cover.c.day <= last, _cover.c.status == "window_uncovered"
        )
    )
    out: dict[str, list[eng.Violation]] = {}
    for day, result in rows:
        data = json.loads(result) if isinstance(result, str) else result
        if recent(day, today) and not data.get("alerted"):
            continue  # waits for a terminal to confirm it
        due = datetime.fromisoformat(data["due"])
        for who in (data.get("a_staff"), data.get("b_staff")):
            if who in people:
                v = eng.Violation(who, day, "window_uncovered", due, data["slot"])
                out.setdefault(who, []).append(v._replace(window=data.get("window")))
    return out


def _flag_alert(name: str, flag: MonthFlag) -> Alert:
    month = f"{flag.year}-{flag.month:02d}"
    count = int(flag.count) if float(flag.count).is_integer() else flag.count
    limit = int(flag.limit) if float(flag.limit).is_integer() else flag.limit
    payload = {
        "staff_no": flag.staff_no,
        "name": name,
        "month": month,
        "reason": flag.reason,
        "count": flag.count,
        "limit": flag.limit,
        "score": flag.summary.score,
        "grade": flag.summary.grade,
        "message": t(
            f"alerts.monthly_flag.{flag.reason}", name=name, month=month, count=count, limit=limit
        ),
    }
    return Alert(MONTHLY_FLAG_KIND, flag.key, payload, FLAG_SEVERITY)


def _period_words(period: str) -> str:
    year, _, month = period.partition("-")
    if month:
        return t("alerts.escalation_period.month", year=year, month=int(month))
    return t("alerts.escalation_period.year", year=year)


def _step_alert(ctx: AttendanceContext, name: str, step: eng.EscalationStep) -> Alert:
    day = step.at.astimezone(ctx.tz).date()
    period = period_name(step, ctx.rules, ctx.tz)
    payload = {
        "staff_no": step.staff_no,
        "name": name,
        "date": day.isoformat(),
        "violation": step.kind,
        "period": period,
        "occurrence": step.occurrence,
        "step": step.code,
        "step_zh": step.zh,
        "message": t(
            "alerts.escalation_step",
            name=name,
            period=_period_words(period),
            n=step.occurrence,
            kind=label("status", step.kind),
            day=day.isoformat(),
            step=step.zh,
        ),
    }
    return Alert(ESCALATION_STEP_KIND, step_key(step, ctx.rules, ctx.tz), payload, STEP_SEVERITY)


def standing_alerts(
    session: Session, ctx: AttendanceContext, changed: Mapping[str, set[date]], now: datetime
) -> int:
    """Raise the monthly flags and escalation steps that ``changed`` (people and the recent
    days of theirs that gained a violation) made true; returns how many were new."""
    people = sorted(s for s in changed if s in ctx.staff)
    if not people:
        return 0
    today = now.astimezone(ctx.tz).date()
    days = [d for s in people for d in changed[s]]
    first = min(_period_start(ctx, d) for d in days)
    stored = _stored_days(session, people, first, today)
    cover = _cover_violations(session, set(people), first, today, today)
    alerts: list[Alert] = []
    for staff_no in people:
        person = ctx.staff[staff_no]
        # One escalation period at a time (yesterday may close last year's).
        for start in sorted({_period_start(ctx, d) for d in changed[staff_no]}):
            in_period = [r for r in stored.get(staff_no, []) if _period_start(ctx, r.date) == start]
            extra = [v for v in cover.get(staff_no, []) if _period_start(ctx, v.date) == start]
            months = {
                (d.year, d.month) for d in changed[staff_no] if _period_start(ctx, d) == start
            }
            found = standing(
                person.info, in_period, extra, ctx.rules, tz=ctx.tz, today=today, months=months
            )
            alerts += [_flag_alert(person.name, f) for f in found.flags]
            alerts += [_step_alert(ctx, person.name, s) for s in found.steps]
    return raise_alerts(session, alerts, now)
