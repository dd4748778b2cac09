"""The pages: today's attendance board (今日考勤, live) and the monthly sheet (月度考勤表)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from sqlmodel import select

from attendance.api_days import board
from attendance.common import context, now_of
from attendance.export import HALF_ABSENT, SYMBOLS, day_symbol
from attendance.reports import month_report
from attendance_engine.labels import FLAG, GRADE, SLOT, STATUS, label
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.i18n import Lang, pick_lang, t
from hallbase.models import Hall

router = APIRouter()
BOARD_PATH = "/attendance/board"
MONTH_PATH = "/attendance/month"
TITLES = {
    "board": {"zh": "今日考勤", "en": "Today's attendance"},
    "month": {"zh": "月度考勤表", "en": "Monthly attendance sheet"},
}
WORDS: dict[str, dict[Lang, str]] = {
    "staff_no": {"zh": "工号", "en": "Staff no."},
    "name": {"zh": "姓名", "en": "Name"},
    "status": {"zh": "状态", "en": "Status"},
    "slots": {"zh": "打卡情况", "en": "Punches"},
    "live": {"zh": "实时更新，最近刷新：", "en": "Live; last refreshed:"},
    "provisional": {"zh": "待终端同步", "en": "awaiting terminal sync"},
    "show": {"zh": "查看", "en": "Show"},
    "download": {"zh": "下载", "en": "Download"},
    "late": {"zh": "迟到", "en": "Late"},
    "early": {"zh": "早退", "en": "Early"},
    "off_post": {"zh": "脱岗", "en": "Off post"},
    "missing": {"zh": "缺卡", "en": "Missing"},
    "absent_days": {"zh": "旷工(天)", "en": "Absent (days)"},
    "leave_days": {"zh": "请假(天)", "en": "Leave (days)"},
    "score": {"zh": "得分", "en": "Score"},
    "grade": {"zh": "等级", "en": "Grade"},
    "flags": {"zh": "处理", "en": "Flags"},
    "legend": {"zh": "图例", "en": "Legend"},
    "half_absent": {"zh": "旷工半天", "en": "Absent half a day"},
    "away": {"zh": "暂离", "en": "Away"},
    "away_minutes": {"zh": "暂离(分钟)", "en": "Away (min)"},
    "minutes": {"zh": "分钟", "en": "min"},
}


def page_setup(session: Any, lang: str | None) -> dict[str, Any]:
    """What every attendance page shows: language, hall name, words and label functions."""
    hall = session.exec(select(Hall)).first()
    language = pick_lang(lang, default="en" if hall and hall.language == "en" else "zh")
    name = (hall.name_en or hall.name) if hall and language == "en" else (hall.name if hall else "")
    words = {k: v[language] for k, v in WORDS.items()}
    return {
        "lang": language,
        "t": t,
        "hall_name": name,
        "words": words,
        "status_label": lambda code: label("status", code, language) if code else "—",
        "slot_label": lambda code: label("slot", code, language),
        "grade_label": lambda code: label("grade", code, language),
        "flag_label": lambda code: label("flag", code, language),
    }


@router.get(BOARD_PATH, response_class=HTMLResponse, include_in_schema=False)
def board_page(
    request: Request, session: ReadSessionDep, settings: SettingsDep, lang: str | None = None
) -> HTMLResponse:
    page = page_setup(session, lang)
    language: Lang = page["lang"]
    data = board(request, session, settings)
    index = 0 if language == "zh" else 1
    labels = {
        "status": {k: v[index] for k, v in STATUS.items()},
        "slot": {k: v[index] for k, v in SLOT.items()},
        "words": {key: WORDS[key][language] for key in ("provisional", "away", "minutes")},
    }
    page["words"]["board"] = TITLES["board"][language]
    context_ = {
        **page,
        "day": data["date"],
        "rows": data["data"],
        "every_ms": 5000,
        "labels_json": json.dumps(labels, ensure_ascii=False).replace("</", "<\\/"),
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "attendance_board.html", context_
    )
    return response


@router.get(MONTH_PATH, response_class=HTMLResponse, include_in_schema=False)
def month_page(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    month: str | None = None,
    lang: str | None = None,
) -> HTMLResponse:
    page = page_setup(session, lang)
    now = now_of(request)
    month = month or now.astimezone(settings.zone).strftime("%Y-%m")
    found = re.match(r"^(\d{4})-(0[1-9]|1[0-2])$", month)
    if not found:
        raise HTTPException(422, detail=f"month {month!r} must be YYYY-MM")
    year, number = int(found[1]), int(found[2])
    ctx = context(session, settings, [date(year, number, 1)])
    report = month_report(session, ctx, year, number, now)
    page["words"]["month"] = TITLES["month"][page["lang"]]
    context_ = {
        **page,
        "month": month,
        "rows": report.rows,
        "days": report.days,
        "cells": {
            no: [(s, day_symbol(s, a)) for s, a in zip(statuses, report.absent[no], strict=True)]
            for no, statuses in report.days.items()
        },
        "half_absent": HALF_ABSENT,
        "away": report.away,
        "dates": report.dates,
        "symbols": SYMBOLS,
        "grades": GRADE,
        "flags": FLAG,
    }
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, "attendance_month.html", context_
    )
    return response
