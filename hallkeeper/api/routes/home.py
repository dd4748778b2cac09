"""The landing page (首页): login, and the links to the pages the caller may open.

Anonymous callers see the login link and the public pages only; a logged-in person the pages
their roles open (read off each page's `allow` rule), and the office the administration links.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import select

from attendance.common import now_of
from hallbase.auth import OFFICE, PUBLIC, Principal, api_routes, route_rules
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.holidays import imported_years, missing_years
from hallbase.models import Hall, Service, Staff, Window
from hallbase.pages import PageLink
from hallbase.words import pick_lang, t

router = APIRouter()


def opens(app: Any, page: PageLink, who: Principal) -> bool:
    """True when ``who`` may open ``page``: a public page, or one whose rule admits their
    roles."""
    for route in api_routes(app):
        if route.path == page.path and "GET" in (route.methods or ()):
            rules = route_rules(route)
            if not rules or any(rule.anonymous for rule in rules):
                return True  # public (a page without a rule is open to anyone)
            return who.kind == "person" and all(who.has_role(*r.roles) for r in rules)
    return True


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, PUBLIC],
    lang: str | None = None,
) -> HTMLResponse:
    hall = session.exec(select(Hall)).first()
    language = pick_lang(lang, default=hall.language if hall else "zh")
    office = who.has_role(*OFFICE)
    warning = None
    counts: dict[str, int] = {}
    if office:
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
    pages = [p for p in request.app.state.pages if opens(request.app, p, who)]
    templates = request.app.state.templates
    response: HTMLResponse = templates.TemplateResponse(
        request,
        "home.html",
        {
            "lang": language,
            "t": t,
            "hall_name": name,
            "pages": pages,
            "counts": counts,
            "office": office,
            "who_name": who.name if who.kind == "person" else None,
            "calendar_warning": warning,
        },
    )
    return response
