"""My attendance on a phone (我的考勤): today live, the month, and requests with the rules'
checks before they are filed; and the same page of a person for those whose scope reaches
them (a window lead's staff, the approvers' inbox links to it), read only.

The forms call the JSON API (`/api/v1/attendance/leaves|outs|makeups`, their `/check`, and
`/{id}/cancel` to withdraw); the page polls `/api/v1/attendance/days` for today.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from attendance.common import context, now_and_today
from attendance.pages import page_setup
from attendance.requests import LEAVE_KIND
from attendance.self_view import live_labels, person_view
from hallbase.auth import ROLES, Principal, allow, staff_in
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.pages import render_page, script_json
from hallbase.words import Lang, label, t, under

router = APIRouter()
ME_PATH = "/attendance/me"
PERSON_PATH = "/attendance/people/{staff_no}"
POLL_MS = 15000  # today's slots are polled this often


def request_words(lang: Lang) -> dict[str, Any]:
    """The words of the request lists and forms, shared with the approvals page."""
    return {
        **under("attendance.self", lang),
        "request_status": under("attendance.request_status", lang),
        "kinds": under("attendance.self.kind", lang),
    }


def render(
    request: Request,
    session: Any,
    settings: Any,
    who: Principal,
    staff_no: str | None,
    lang: str | None,
) -> HTMLResponse:
    """The page of ``staff_no`` (None: the caller has no 工号), with forms when it is the
    caller's own."""
    page = page_setup(session, lang)
    language: Lang = page["lang"]
    now, today = now_and_today(request, settings)
    ctx = context(session, settings, [today])
    words = request_words(language)
    own = staff_no is not None and staff_no == who.staff_no
    title = t("titles.self" if own or staff_no is None else "titles.person", language)
    view = None
    if staff_no is not None:
        if staff_no not in ctx.staff:
            raise HTTPException(404, detail=f"unknown staff_no {staff_no!r}")
        limit = settings.hall.attendance.makeup_monthly_limit
        view = person_view(session, ctx, staff_no, now, language, limit)
    setup = {
        "lang": language,
        "staff_no": staff_no,
        "today": today.isoformat(),
        "every_ms": POLL_MS,
        "csrf": who.csrf_token or "",
        "labels": live_labels(language),
        "words": {
            k: words[k]
            for k in ("done", "refused", "network", "confirm_withdraw", "due", "no_punch")
        },
        "check_words": under("attendance.self.check", language),
    }
    context_ = {
        **page,
        "words": {**page["words"], **words, "title": title},
        "own": own,
        "view": view,
        "today": today,
        "who": who,
        "leave_kinds": [(code, label("leave_kind", code, language)) for code in LEAVE_KIND],
        "local": lambda instant: instant.astimezone(ctx.tz).strftime("%m-%d %H:%M"),
        "hm": lambda iso: datetime.fromisoformat(iso).astimezone(ctx.tz).strftime("%H:%M"),
        "setup_json": script_json(setup),
    }
    return render_page(request, "attendance_self.html", context_)


@router.get(ME_PATH, response_class=HTMLResponse, include_in_schema=False)
def my_page(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, allow(*ROLES)],
    lang: str | None = None,
) -> HTMLResponse:
    """The caller's own record (their account's 工号): staff have scope self, so only this."""
    return render(request, session, settings, who, who.staff_no, lang)


@router.get(PERSON_PATH, response_class=HTMLResponse, include_in_schema=False)
def person_page(
    staff_no: str,
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, allow(*ROLES, scope=staff_in("staff_no"))],
    lang: str | None = None,
) -> HTMLResponse:
    """A person's record for those whose scope reaches them; staff reach only themselves."""
    return render(request, session, settings, who, staff_no, lang)
