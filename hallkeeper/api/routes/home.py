"""The landing page (首页): links to the hall's pages and the admin API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import select

from attendance.common import now_of
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.holidays import imported_years, missing_years
from hallbase.models import Hall, Service, Staff, Window
from hallbase.words import pick_lang, t

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(
    request: Request, session: ReadSessionDep, settings: SettingsDep, lang: str | None = None
) -> HTMLResponse:
    hall = session.exec(select(Hall)).first()
    language = pick_lang(lang, default=hall.language if hall else "zh")
    today = now_of(request).astimezone(settings.zone).date()
    counts = {
        "staff": session.exec(select(func.count()).select_from(Staff)).one(),
        "windows": session.exec(select(func.count()).select_from(Window)).one(),
        "services": session.exec(select(func.count()).select_from(Service)).one(),
    }
    missing = missing_years(today, imported_years(session))
    years = t("home.years_sep", language).join(map(str, missing))
    warning = t("home.calendar_warning", language, years=years) if missing else None
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
