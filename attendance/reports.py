"""Reports recomputed from the stored facts: days, the month (月度考勤表), the duty record."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

import attendance_engine as eng
from attendance.context import AttendanceContext
from attendance.facts import load_facts
from attendance.models import DutySignature
from hallbase.models import Unit

MAX_DAYS = 62


def date_range(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last`` inclusive."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@dataclass
class Evaluation:
    """Every staff-day of a date range and the A/B cover violations found in it."""

    results: dict[str, list[eng.DayResult]]
    cover: list[eng.CoverVerdict]
    _charged: dict[str, list[eng.Violation]] | None = None

    def cover_violations(self, staff_no: str) -> list[eng.Violation]:
        """The `window_uncovered` violations charged to ``staff_no``."""
        if self._charged is None:
            self._charged = {}
            for c in self.cover:
                for v in c.violations():
                    self._charged.setdefault(v.staff_no, []).append(v)
        return self._charged.get(staff_no, [])


def evaluate_range(
    session: Session,
    ctx: AttendanceContext,
    first: date,
    last: date,
    now: datetime,
    staff_nos: set[str] | None = None,
) -> Evaluation:
    """Full recomputation of ``first``..``last`` from the facts in the database."""
    days = date_range(first, last)
    people = sorted(ctx.staff) if staff_nos is None else sorted(staff_nos & set(ctx.staff))
    facts = load_facts(session, staff_nos, first, last, ctx.tz)
    results = {s: ctx.evaluate_days(s, days, facts, now) for s in people}
    cover: list[eng.CoverVerdict] = []
    for w in ctx.windows:
        posts = [w.a_post] + ([w.b_post] if w.b_post else [])
        if not all(p in results for p in posts):
            continue
        for i, day in enumerate(days):
            day_results = [results[p][i] for p in posts]
            for s in day_results[0].slots:
                if s.kind == "in":
                    found = eng.window_cover(
                        str(w.number), w.a_post, w.b_post, s.slot, day, day_results
                    )
                    if found is not None:
                        cover.append(found)
    return Evaluation(results, cover)


def days_report(
    session: Session,
    ctx: AttendanceContext,
    first: date,
    last: date,
    now: datetime,
    staff_no: str | None = None,
) -> list[dict[str, Any]]:
    """Per staff member and day: slots, absent days and the day's status."""
    wanted = {staff_no} if staff_no else None
    evaluation = evaluate_range(session, ctx, first, last, now, wanted)
    return [r.to_dict() for s in sorted(evaluation.results) for r in evaluation.results[s]]


def _month_bounds(year: int, month: int) -> tuple[date, date]:
    days = eng.month_days(year, month)
    return days[0], days[-1]


def _prior_counts(
    session: Session, ctx: AttendanceContext, year: int, month: int, now: datetime
) -> dict[str, dict[str, int]]:
    """Offences per person and kind earlier in the escalation period (before this month)."""
    if ctx.rules.escalation_period == "month" or month == 1:
        return {}
    start = date(year, 1, 1)
    if ctx.go_live is not None:
        start = max(start, ctx.go_live)
    end = date(year, month, 1) - timedelta(days=1)
    if start > end:
        return {}
    evaluation = evaluate_range(session, ctx, start, end, now)
    out: dict[str, dict[str, int]] = {}
    for staff_no, results in evaluation.results.items():
        found = [*eng.all_violations(results, ctx.rules), *evaluation.cover_violations(staff_no)]
        out[staff_no] = dict(Counter(v.kind for v in found))
    return out


@dataclass
class MonthReport:
    """The month: one summary row per person, and each person's day statuses for the sheet."""

    year: int
    month: int
    rows: list[dict[str, Any]]
    days: dict[str, list[str]]
    dates: list[date]
    absent: dict[str, list[float]]  # absent days of each date: 0.5 a half, 1 a whole day
    away: dict[str, list[int]] = field(default_factory=dict)  # minutes away (暂离) per day


def month_report(
    session: Session, ctx: AttendanceContext, year: int, month: int, now: datetime
) -> MonthReport:
    """Recompute the month from the facts and summarise it per person (A7, A8, A12)."""
    first, last = _month_bounds(year, month)
    evaluation = evaluate_range(session, ctx, first, last, now)
    prior = _prior_counts(session, ctx, year, month, now)
    units = {u.code: u.name for u in session.exec(select(Unit)).all()}
    rows: list[dict[str, Any]] = []
    days: dict[str, list[str]] = {}
    absent: dict[str, list[float]] = {}
    away: dict[str, list[int]] = {}
    for staff_no, results in sorted(evaluation.results.items()):
        person = ctx.staff[staff_no]
        if not any(person.info.on_duty(r.date) for r in results):
            continue  # left before or joined after this month
        mine = [r.absent_days for r in results]  # 0, 0.5 or 1 each
        summary = eng.summarize_month(
            person.info,
            year,
            month,
            results,
            ctx.rules,
            extra=evaluation.cover_violations(staff_no),
            prior=prior.get(staff_no),
        )
        rows.append(
            {
                "staff_no": staff_no,
                "name": person.name,
                "unit": person.unit,
                "unit_name": units.get(person.unit, person.unit),
                **{k: v for k, v in summary.to_dict().items() if k not in ("staff_no",)},
                # Whole and half absent days told apart (the sheet prints them differently).
                "absent_whole_days": mine.count(1.0),
                "absent_half_days": mine.count(0.5),
            }
        )
        days[staff_no] = [str(r.status) for r in results]
        absent[staff_no] = mine
        away[staff_no] = [r.away_minutes for r in results]
    return MonthReport(year, month, rows, days, date_range(first, last), absent, away)


def duty_report(
    session: Session, ctx: AttendanceContext, day: date, now: datetime
) -> dict[str, Any]:
    """The duty chief's record (值班记录) of ``day``: presence, violations and the signature."""
    evaluation = evaluate_range(session, ctx, day, day, now)
    results = [r[0] for r in evaluation.results.values()]
    extra = [v for c in evaluation.cover for v in c.violations()]
    signature = session.get(DutySignature, day)
    record = eng.duty_record(
        day, results, extra, signature.signed_by if signature else None, ctx.rules
    )
    today = now.astimezone(ctx.tz).date()
    return {
        **record.to_dict(),
        "signed_at": signature.signed_at.isoformat() if signature else None,
        "note": signature.note if signature else "",
        "flagged_unsigned": record.unsigned and day < today,
    }
