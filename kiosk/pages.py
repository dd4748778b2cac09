"""The hall's pages: kiosk (取号), window console (窗口), hall board (大厅屏), rating pad
(评价器) and supervisor dashboard (监督大屏).

The pages are plain HTML with vanilla JavaScript (no build step, nothing from the internet):
the server renders the frame and the words; everything the page does afterwards is an
``/api/v1/`` call, and it stays live through the Server-Sent Events of ``/api/v1/events``.
The supervisor dashboard also reads the attendance room's board and the day's alerts through
their APIs (the rooms never import each other) and draws its charts with the vendored Apache
ECharts (`ECHARTS`).

Who opens them (`kiosk.api.access`): the hall board is public; the kiosk and a rating pad are
opened by their machine key (``?key=``, which the page then sends on its own calls); the
consoles and the supervisor page need a login (a browser without one is sent to /login), and
a logged-in page sends its session's CSRF token with every change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlmodel import col, select

from hallbase.alert_ack import ACK_ROLES
from hallbase.auth import Principal, Target, in_scope
from hallbase.deps import ReadSessionDep
from hallbase.fields import DbInt
from hallbase.models import Hall, Window
from hallbase.pages import link_page
from hallbase.words import each, pick_lang, t, under
from kiosk import page_api
from kiosk.api.access import (
    AT_WINDOW,
    CONSOLE_PAGE,
    CONSOLES_PAGE,
    KIOSK_PAGE,
    KIOSK_SERVICE_PAGE,
    OPEN,
    RATE_PAGE,
    SUPERVISOR_PAGE,
)
from kiosk.config import PRIORITY_REASONS
from kiosk.errors import NotFound
from kiosk.lookup import staff_names, window_by_number
from kiosk.visit import TOKEN_PATTERN
from kiosk.words import Lang, word

HERE = Path(__file__).resolve().parent
STATIC_URL = "/queue-static"
PAGES = (
    "kiosk",
    "board",
    "supervisor",
)  # pages linked from the home page (consoles are per window)
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
_SHARED_KEYS = (
    "window.idle",
    "window.serving",
    "window.paused",
    "window.away",
    "status.waiting",
    "status.called",
    "status.serving",
    "status.suspended",
    "status.finished",
    "status.no_show",
    "channel.normal",
    "channel.priority",
    "channel.appointment",
    "rating.attitude",
    "rating.quality",
    "rating.efficiency",
    "rating.integrity",
    "rating.overall",
    *(f"reason.{r}" for r in PRIORITY_REASONS),
)

# More of the catalogue for one page, by prefix (the page looks them up as "<prefix>.<name>").
_PAGE_WORDS = {"supervisor": ("labels.status", "alerts.robot.severity")}
# The chart library (Apache ECharts, vendored in hallbase/static/vendor/echarts: no CDN).
ECHARTS = "/static/vendor/echarts/echarts.min.js"

router = APIRouter(include_in_schema=False)


def _lang(value: str | None, session: Any) -> tuple[Lang, str]:
    hall = session.exec(select(Hall)).first()
    lang = pick_lang(value, default=hall.language if hall is not None else "zh")
    name = ((hall.name_en or hall.name) if lang == "en" else hall.name) if hall else ""
    return lang, name


def _render(
    request: Request,
    session: Any,
    page: str,
    lang_param: str | None,
    who: Principal,
    **extra: Any,
) -> HTMLResponse:
    lang, hall_name = _lang(lang_param, session)
    words = under("pages", lang)
    words.update({key: word(key, lang) for key in _SHARED_KEYS})
    for prefix in _PAGE_WORDS.get(page, ()):
        words.update({f"{prefix}.{k}": v for k, v in under(prefix, lang).items()})
    zone = str(request.app.state.settings.zone)  # the hall's clock, whatever the TV's zone
    setup = {
        "lang": lang,
        "zone": zone,
        "words": words,
        "reasons": list(PRIORITY_REASONS),
        # A logged-in page sends its CSRF token on changes; a page opened by its machine key
        # keeps the key (common.js) and sends it instead.
        "csrf": who.csrf_token if who.via == "session" else None,
        **extra,
    }
    context = {
        "lang": lang,
        "other_lang": "en" if lang == "zh" else "zh",
        "lang_tag": t("lang.tag", lang),
        "lang_switch": t("lang.switch", lang),
        "hall_name": hall_name,
        "title": t(f"titles.{page}", lang),
        "w": words,
        "static": STATIC_URL,
        "page": page,
        # "</" is escaped so that no text in the data can close the script element
        "setup_json": json.dumps(setup, ensure_ascii=False).replace("</", "<\\/"),
        **extra,
    }
    response: HTMLResponse = TEMPLATES.TemplateResponse(request, f"{page}.html", context)
    return response


@router.get("/kiosk", response_class=HTMLResponse)
def kiosk_page(
    request: Request,
    session: ReadSessionDep,
    who: Annotated[Principal, KIOSK_PAGE],
    lang: str | None = None,
) -> HTMLResponse:
    return _render(request, session, "kiosk", lang, who)


@router.get("/my-ticket/{token}", response_class=HTMLResponse)
def my_ticket_page(
    request: Request,
    token: Annotated[str, PathParam(pattern=TOKEN_PATTERN)],
    session: ReadSessionDep,
    who: Annotated[Principal, OPEN],
    lang: str | None = None,
) -> HTMLResponse:
    """The citizen's own ticket on their phone, opened from the ticket's QR code."""
    return _render(request, session, "my_ticket", lang, who, token=token)


@router.get("/kiosk/service", response_class=HTMLResponse)
def kiosk_service_page(
    request: Request,
    session: ReadSessionDep,
    who: Annotated[Principal, KIOSK_SERVICE_PAGE],
    lang: str | None = None,
) -> HTMLResponse:
    return _render(request, session, "kiosk_service", lang, who)


@router.get("/board", response_class=HTMLResponse)
def board_page(
    request: Request,
    session: ReadSessionDep,
    who: Annotated[Principal, OPEN],
    lang: str | None = None,
) -> HTMLResponse:
    return _render(request, session, "board", lang, who)


@router.get("/supervisor", response_class=HTMLResponse)
def supervisor_page(
    request: Request,
    session: ReadSessionDep,
    who: Annotated[Principal, SUPERVISOR_PAGE],
    lang: str | None = None,
) -> HTMLResponse:
    # Window leads open the page for their windows; the day's alerts are the hall-wide office's.
    can_ack = who.kind == "person" and who.has_role(*ACK_ROLES)
    # The alert panel's kind filter: every kind the catalogue names, in the hall's language.
    kinds = list(under("alerts.kind", _lang(lang, session)[0]).items())
    return _render(
        request, session, "supervisor", lang, who, can_ack=can_ack, echarts=ECHARTS,
        alert_kinds=kinds,
    )  # fmt: skip


def _window_info(session: Any, number: int) -> dict[str, Any]:
    try:
        window = window_by_number(session, number)
    except NotFound as exc:
        raise HTTPException(status_code=404, detail=exc.detail) from None
    names = staff_names(session)
    return {
        "number": window.number,
        "name": window.name,
        "a_post": window.a_post,
        "a_name": names.get(window.a_post, window.a_post),
        "b_post": window.b_post,
        "b_name": names.get(window.b_post, window.b_post) if window.b_post else None,
    }


@router.get("/console/{number}", response_class=HTMLResponse)
def console_page(
    request: Request,
    number: DbInt,
    session: ReadSessionDep,
    who: Annotated[Principal, CONSOLE_PAGE],
    lang: str | None = None,
) -> HTMLResponse:
    return _render(request, session, "console", lang, who, window=_window_info(session, number))


@router.get("/rate/{number}", response_class=HTMLResponse)
def rate_page(
    request: Request,
    number: DbInt,
    session: ReadSessionDep,
    who: Annotated[Principal, RATE_PAGE],
    lang: str | None = None,
    ticket: DbInt | None = None,
) -> HTMLResponse:
    info = _window_info(session, number)
    return _render(request, session, "rate", lang, who, window=info, ticket_id=ticket)


@router.get("/console", response_class=HTMLResponse)
def console_index(
    request: Request,
    session: ReadSessionDep,
    who: Annotated[Principal, CONSOLES_PAGE],
    lang: str | None = None,
) -> HTMLResponse:
    numbers = session.exec(select(Window.number).order_by(col(Window.number))).all()
    mine = [n for n in numbers if in_scope(session, who, Target(window=n), AT_WINDOW)]
    return _render(request, session, "console_index", lang, who, numbers=mine)


def install_pages(app: FastAPI) -> None:
    """Serve the pages, their static files and their API helpers; link them from the home page."""
    app.mount(STATIC_URL, StaticFiles(directory=HERE / "static"), name="queue-static")
    app.include_router(router)
    app.include_router(page_api.router, prefix="/api/v1", tags=["queue"])
    for path, key in [*((f"/{p}", p) for p in PAGES), ("/console", "console_index")]:
        link_page(app, path, each(f"titles.{key}"))
