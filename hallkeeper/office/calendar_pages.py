"""Schedules (班次) with their seasonal validity, and the working-day calendar: the admins'
holiday overrides, a year at a glance, and next year's arrangement (the State Council's
notice) entered line by line."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from attendance.common import now_of
from hallbase.auth import Principal
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.holidays import calendar_covers, day_kind, imported_years, missing_years
from hallbase.models import HolidayOverride, Schedule, Staff
from hallkeeper.api.routes.calendar import overrides_map
from hallkeeper.api.routes.schedules import schedule_public
from hallkeeper.office.common import OFFICE_PAGE, ROOT, frame, render
from hallkeeper.office.forms import Form, Input, put_form

router = APIRouter(include_in_schema=False)
Office = Annotated[Principal, OFFICE_PAGE]
API = "/api/v1"


def slot_line(slot: dict[str, Any]) -> str:
    """A slot as the form's line: ``name due [kind=..] [half=..] [from=..] [to=..]``."""
    parts = [slot["name"], slot["due"].strftime("%H:%M"), f"kind={slot['kind']}"]
    parts.append(f"half={slot['half']}")
    if slot.get("window_start"):
        parts.append(f"from={slot['window_start'].strftime('%H:%M')}")
    if slot.get("window_end"):
        parts.append(f"to={slot['window_end'].strftime('%H:%M')}")
    return " ".join(parts)


@router.get(f"{ROOT}/schedules", response_class=HTMLResponse)
def schedules_page(
    request: Request, session: ReadSessionDep, who: Office, lang: str | None = None
) -> HTMLResponse:
    """Every schedule with its slots and the part of the year it holds for."""
    page = frame(request, session, who, lang, "schedules")
    schedules = [
        schedule_public(session, s)
        for s in session.exec(select(Schedule).order_by(col(Schedule.name))).all()
    ]
    for schedule in schedules:
        schedule["slot_lines"] = "\n".join(slot_line(slot) for slot in schedule["slots"])
    users = session.exec(select(Staff.schedule)).all()
    counts = {s["name"]: sum(1 for u in users if u == s["name"]) for s in schedules}
    form = put_form(
        "schedule-form",
        f"{API}/schedules",
        Input("name", create_only=True, required=True, hint=page["w"]["hint.schedule_name"]),
        Input("label"),
        Input("default", "check"),
        Input("valid_from", hint=page["w"]["hint.month_day"]),
        Input("valid_to", hint=page["w"]["hint.month_day"]),
        Input("slots", "slots", required=True, hint=page["w"]["hint.slots"]),
    )
    context = {
        **page,
        "schedules": schedules,
        "counts": counts,
        "form": form,
    }
    return render(request, "office_schedules.html", context)


@router.get(f"{ROOT}/calendar", response_class=HTMLResponse)
def calendar_page(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Office,
    lang: str | None = None,
    year: Annotated[int | None, Query(ge=1901, le=2998)] = None,
) -> HTMLResponse:
    """A year's working days (holidays, moved working days, the admins' overrides), the
    overrides, and the form for next year's arrangement."""
    page = frame(request, session, who, lang, "calendar")
    today = now_of(request).astimezone(settings.zone).date()
    year = year or today.year
    first, last = date(year, 1, 1), date(year, 12, 31)
    overrides = overrides_map(session, first, last)
    months = []
    for month in range(1, 13):
        weeks = []
        for week in calendar.Calendar().monthdatescalendar(year, month):
            weeks.append([
                None if d.month != month else day_kind(d, overrides) for d in week
            ])  # fmt: skip
        months.append({"month": month, "weeks": weeks})
    imported = imported_years(session)
    missing = missing_years(today, imported)
    covered = year in imported or calendar_covers(year)
    rows = session.exec(select(HolidayOverride).order_by(col(HolidayOverride.day))).all()
    override_form = put_form(
        "holiday-form",
        f"{API}/holidays",
        Input("day", "date", create_only=True, required=True),
        Input("workday", "check"),
        Input("note"),
    )
    notice_form = Form(
        id="notice-form",
        create_url=f"{API}/holidays/import",
        inputs=(
            Input("year", "int", required=True, default=str(today.year + 1)),
            Input("title"),
            Input("holidays", "notice", required=True, hint=page["w"]["hint.notice"]),
        ),
    )
    context = {
        **page,
        "year": year,
        "today": today,
        "months": months,
        "weekdays": [page["w"][f"weekday.{i}"] for i in range(7)],
        "missing": missing,
        "covered": covered,
        "overrides": rows,
        "override_form": override_form,
        "notice_form": notice_form,
        "one_day": timedelta(days=1),
    }
    return render(request, "office_calendar.html", context)
