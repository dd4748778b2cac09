"""The landing page (首页): links to the hall's pages and the admin API."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import select

from hallkeeper.api.deps import ReadSessionDep, SettingsDep
from hallkeeper.holidays import calendar_covers
from hallkeeper.i18n import pick_lang, t
from hallkeeper.models import Hall, Service, Staff, Window

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(
    request: Request, session: ReadSessionDep, settings: SettingsDep, lang: str | None = None
) -> HTMLResponse:
    hall = session.exec(select(Hall)).first()
    language = pick_lang(lang, default="en" if hall and hall.language == "en" else "zh")
    year = datetime.now(settings.zone).year
    counts = {
        "staff": session.exec(select(func.count()).select_from(Staff)).one(),
        "windows": session.exec(select(func.count()).select_from(Window)).one(),
        "services": session.exec(select(func.count()).select_from(Service)).one(),
    }
    warning = None if calendar_covers(year) else t("home.calendar_warning", language, years=year)
    name = (hall.name_en or hall.name) if hall and language == "en" else (hall.name if hall else "")
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request,
        "home.html",
        {
            "lang": language,
            "t": t,
            "hall_name": name,
            "pages": request.app.state.pages,
            "counts": counts,
            "calendar_warning": warning,
        },
    )
    return response
