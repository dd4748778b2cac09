"""Reports recomputed from the stored facts: days, the month (月度考勤表), the duty record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

import attendance_engine as eng
from attendance.context import AttendanceContext
from attendance.facts import load_facts
from attendance.models import DutySignature
from hallbase.collector import collector_paused
from hallbase.models import Unit

MAX_DAYS = 62
CHUNK = 500  # people evaluated and written at a time


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


def _cover(
    ctx: AttendanceContext, days: list[date], results: dict[str, list[eng.DayResult]]
) -> list[eng.CoverVerdict]:
    """The A/B cover verdicts of every window whose posts are all in ``results``."""
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
    return cover


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
    with collector_paused():  # many acyclic results (see hallbase.collector)
        facts = load_facts(session, staff_nos, first, last, ctx.tz)
        results = {s: ctx.evaluate_days(s, days, facts, now) for s in people}
        return Evaluation(results, _cover(ctx, days, results))


ChunkEvaluator = Callable[[list[str]], Evaluation]


def chunk_evaluator(
    session: Session, ctx: AttendanceContext, first: date, last: date, now: datetime
) -> ChunkEvaluator:
    """Evaluate ``first``..``last`` a chunk of people at a time, in bounded memory.

    The people on window posts are evaluated together first (their A/B cover needs both
    posts of a window); each chunk then reads only its own people's facts.
    """
    posts = {p for w in ctx.windows for p in (w.a_post, w.b_post) if p} & set(ctx.staff)
    paired = evaluate_range(session, ctx, first, last, now, posts) if posts else None
    charged: dict[str, list[eng.Violation]] = {}
    for c in paired.cover if paired else []:
        for v in c.violations():
            charged.setdefault(v.staff_no, []).append(v)
    known = paired.results if paired else {}

    def evaluate(chunk: list[str]) -> Evaluation:
        rest = {s for s in chunk if s not in known}
        found = evaluate_range(session, ctx, first, last, now, rest).results if rest else {}
        results = {s: known[s] if s in known else found[s] for s in chunk if s in ctx.staff}
        return Evaluation(results, [], charged)

    return evaluate


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


def _prior_evaluator(
    session: Session, ctx: AttendanceContext, year: int, month: int, now: datetime
) -> ChunkEvaluator | None:
    """The earlier months of the escalation period (before this month), chunk by chunk."""
    if ctx.rules.escalation_period == "month" or month == 1:
        return None
    start = date(year, 1, 1)
    if ctx.go_live is not None:
        start = max(start, ctx.go_live)
    end = date(year, month, 1) - timedelta(days=1)
    if start > end:
        return None
    return chunk_evaluator(session, ctx, start, end, now)


def _prior_counts(
    ctx: AttendanceContext, before: ChunkEvaluator | None, chunk: list[str]
) -> dict[str, dict[str, int]]:
    """Offences per person of ``chunk`` and kind earlier in the escalation period."""
    if before is None:
        return {}
    evaluation = before(chunk)
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
    people: int = 0  # the people evaluated for it, on duty in the month or not


def month_dates(year: int, month: int) -> list[date]:
    """Every date of the month."""
    return date_range(*_month_bounds(year, month))


def month_chunks(
    session: Session,
    ctx: AttendanceContext,
    year: int,
    month: int,
    now: datetime,
    size: int | None = None,
    staff_nos: Collection[str] | None = None,
) -> Iterator[MonthReport]:
    """The month (A7, A8, A12) as reports of at most ``size`` people each, in staff order:
    a month of any size is evaluated and written in bounded memory. ``staff_nos``: only
    these people (None: everyone)."""
    first, last = _month_bounds(year, month)
    this = chunk_evaluator(session, ctx, first, last, now)
    before = _prior_evaluator(session, ctx, year, month, now)
    units = {u.code: u.name for u in session.exec(select(Unit)).all()}
    people = sorted(ctx.staff if staff_nos is None else set(staff_nos) & set(ctx.staff))
    size = size or CHUNK
    for i in range(0, len(people), size):
        chunk = people[i : i + size]
        evaluation = this(chunk)
        prior = _prior_counts(ctx, before, chunk)
        with collector_paused():
            summaries = _summaries(ctx, year, month, evaluation, prior, units)
        summaries.people = len(chunk)
        yield summaries


def _summaries(
    ctx: AttendanceContext,
    year: int,
    month: int,
    evaluation: Evaluation,
    prior: dict[str, dict[str, int]],
    units: dict[str, str],
) -> MonthReport:
    """One summary row per person of ``evaluation`` on duty in the month."""
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
    return MonthReport(year, month, rows, days, month_dates(year, month), absent, away)


def month_report(
    session: Session,
    ctx: AttendanceContext,
    year: int,
    month: int,
    now: datetime,
    staff_nos: Collection[str] | None = None,
) -> MonthReport:
    """Recompute the month from the facts and summarise it per person (A7, A8, A12);
    ``staff_nos``: only these people (None: everyone)."""
    whole = MonthReport(year, month, [], {}, month_dates(year, month), {})
    # All in one chunk: the whole report is kept anyway, and every chunk costs its own reads.
    everyone = max(1, len(ctx.staff))
    for part in month_chunks(session, ctx, year, month, now, everyone, staff_nos):
        whole.rows += part.rows
        whole.days.update(part.days)
        whole.absent.update(part.absent)
        whole.away.update(part.away)
    return whole


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
