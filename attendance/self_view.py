"""One person's attendance as their phone page shows it (我的考勤): today, the month so far,
the events that count towards 退回原单位 with the escalation steps, and their requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from attendance import makeups
from attendance.context import AttendanceContext
from attendance.export import day_symbol, symbols
from attendance.reports import days_report, month_report
from attendance.request_items import Item, items, of_people
from hallbase.models import Unit
from hallbase.words import Lang, label, under


@dataclass(frozen=True)
class MonthView:
    """The month so far: the sheet's symbols, the counts, the score and the steps."""

    row: dict[str, Any] | None  # the month report's row (None: not on duty this month)
    cells: list[tuple[date, str, str]]  # date, status, the sheet's symbol
    discipline: int  # late + early + off post (+ missing when it is a violation only)
    events_limit: int  # return_to_unit_events
    absent_limit: float  # return_to_unit_absent_days
    steps: list[dict[str, Any]]  # the escalation steps, with the local date

    @property
    def current(self) -> list[dict[str, Any]]:
        """Where each kind of offence stands: its latest step."""
        latest = {step["kind"]: step for step in self.steps}
        return sorted(latest.values(), key=lambda step: step["at"], reverse=True)


def month_view(
    session: Session, ctx: AttendanceContext, staff_no: str, day: date, now: datetime
) -> MonthView:
    """``staff_no``'s month of ``day`` up to now, as the month report reckons it."""
    report = month_report(session, ctx, day.year, day.month, now, {staff_no})
    rules = ctx.rules
    if not report.rows:
        return MonthView(None, [], 0, rules.return_to_unit_events, 0, [])
    row = report.rows[0]
    statuses, absent = report.days[staff_no], report.absent[staff_no]
    cells = [
        (d, s, day_symbol(s, a)) for d, s, a in zip(report.dates, statuses, absent, strict=True)
    ]
    missing = 0 if rules.missing_makes_absent else row["missing"]
    steps = [
        {**step, "day": datetime.fromisoformat(step["at"]).astimezone(ctx.tz).date()}
        for step in row["escalation"]
    ]
    return MonthView(
        row=row,
        cells=cells,
        discipline=row["late"] + row["early"] + row["off_post"] + missing,
        events_limit=rules.return_to_unit_events,
        absent_limit=rules.return_to_unit_absent_days,
        steps=steps,
    )


@dataclass(frozen=True)
class PersonView:
    """Everything the page shows of one person."""

    staff_no: str
    name: str
    unit: str
    windows: list[tuple[int, str]]  # window number, post (A or B)
    today: dict[str, Any] | None  # the day's result (days_report)
    month: MonthView
    requests: list[Item]
    slots: list[str]  # today's slots, for a make-up
    makeups: int  # this month's live make-ups
    makeup_limit: int | None


def person_view(
    session: Session,
    ctx: AttendanceContext,
    staff_no: str,
    now: datetime,
    lang: Lang,
    makeup_limit: int | None,
) -> PersonView:
    """``staff_no``'s page: today and the month to ``now``, and their newest requests."""
    today = now.astimezone(ctx.tz).date()
    person = ctx.staff[staff_no]
    unit = session.exec(select(Unit).where(Unit.code == person.unit)).first()
    windows = [
        (w.number, "A" if w.a_post == staff_no else "B")
        for w in ctx.windows
        if staff_no in (w.a_post, w.b_post)
    ]
    day = days_report(session, ctx, today, today, now, staff_no)
    rows = of_people(session, {staff_no}, limit=30)
    return PersonView(
        staff_no=staff_no,
        name=person.name,
        unit=unit.name if unit else person.unit,
        windows=windows,
        today=day[0] if day else None,
        month=month_view(session, ctx, staff_no, today, now),
        requests=items(session, ctx, rows, lang),
        slots=[w.spec.name for w in ctx.schedule_for(staff_no, today).windows()],
        makeups=makeups.month_count(session, staff_no, today),
        makeup_limit=makeup_limit,
    )


def live_labels(lang: Lang) -> dict[str, Any]:
    """The words the live part of the page redraws today's slots with."""
    return {
        "status": under("labels.status", lang),
        "slot": under("labels.slot", lang),
        "symbols": symbols(),
        "off": label("status", "off", lang),
    }
