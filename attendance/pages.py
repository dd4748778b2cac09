"""The pages: today's attendance board (今日考勤, live) and the monthly sheet (月度考勤表)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from attendance.access import reach
from attendance.api_days import board
from attendance.common import context, now_of
from attendance.export import day_symbol, half_absent, symbols
from attendance.reports import month_report
from hallbase.auth import OFFICE, Principal, allow
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.models import Unit
from hallbase.pages import hall_language, render_page, script_json
from hallbase.words import Lang, label, t, under

router = APIRouter()
Office = Annotated[Principal, allow(*OFFICE)]  # a window lead sees their scope's staff
BOARD_PATH = "/attendance/board"
MONTH_PATH = "/attendance/month"
MONTH_PAGE_PEOPLE = 100  # people per page of the month's sheet on screen


def page_setup(session: Any, lang: str | None) -> dict[str, Any]:
    """What every attendance page shows: language, hall name, words and label functions."""
    language, name = hall_language(session, lang)
    words = under("attendance.page", language)
    return {
        "lang": language,
        "t": t,
        "hall_name": name,
        "words": words,
        "status_label": lambda code: label("status", code, language) if code else "—",
        "slot_label": lambda code: label("slot", code, language),
        "grade_label": lambda code: label("grade", code, language),
        "flag_label": lambda code: label("flag", code, language),
        "role_label": lambda code: label("role", code, language),
    }


@router.get(BOARD_PATH, response_class=HTMLResponse, include_in_schema=False)
def board_page(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Office,
    lang: str | None = None,
) -> HTMLResponse:
    page = page_setup(session, lang)
    language: Lang = page["lang"]
    data = board(request, session, settings, who)
    labels = {
        "status": under("labels.status", language),
        "slot": under("labels.slot", language),
        "words": {key: page["words"][key] for key in ("provisional", "away", "minutes")},
    }
    page["words"]["board"] = t("titles.attendance_board", language)
    context_ = {
        **page,
        "day": data["date"],
        "rows": data["data"],
        "every_ms": 5000,
        "labels_json": script_json(labels),
    }
    return render_page(request, "attendance_board.html", context_)


@router.get(MONTH_PATH, response_class=HTMLResponse, include_in_schema=False)
def month_page(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Office,
    month: str | None = None,
    unit: str | None = None,
    page_no: Annotated[int, Query(alias="page", ge=1)] = 1,
    lang: str | None = None,
) -> HTMLResponse:
    """The month's sheet on screen, a page of people at a time (a city's month would be a page
    of a million cells); the whole month is the XLSX download or a report job."""
    page = page_setup(session, lang)
    now = now_of(request)
    month = month or now.astimezone(settings.zone).strftime("%Y-%m")
    found = re.match(r"^(\d{4})-(0[1-9]|1[0-2])$", month)
    if not found:
        raise HTTPException(422, detail=f"month {month!r} must be YYYY-MM")
    year, number = int(found[1]), int(found[2])
    ctx = context(session, settings, [date(year, number, 1)])
    seen = reach(session, who)
    people = sorted(
        no
        for no, person in ctx.staff.items()
        if (seen is None or no in seen) and (not unit or person.unit == unit)
    )
    pages = max(1, -(-len(people) // MONTH_PAGE_PEOPLE))
    page_no = min(page_no, pages)
    shown = people[(page_no - 1) * MONTH_PAGE_PEOPLE : page_no * MONTH_PAGE_PEOPLE]
    report = month_report(session, ctx, year, number, now, shown)
    page["words"]["month"] = t("titles.attendance_month", page["lang"])
    units = session.exec(select(Unit.code, Unit.name).order_by(col(Unit.code))).all()
    context_ = {
        **page,
        "month": month,
        "unit": unit or "",
        "units": units,
        "page_no": page_no,
        "pages": pages,
        "people": len(people),
        "rows": report.rows,
        "days": report.days,
        "cells": {
            no: [(s, day_symbol(s, a)) for s, a in zip(statuses, report.absent[no], strict=True)]
            for no, statuses in report.days.items()
        },
        "half_absent": half_absent(),
        "away": report.away,
        "dates": report.dates,
        "symbols": symbols(),
    }
    return render_page(request, "attendance_month.html", context_)
