"""What every office page shares: who may open it, its frame (language, hall, menu) and how
it is rendered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from hallbase.auth import OFFICE, Principal, allow
from hallbase.auth.roles import Role
from hallbase.models import Staff
from hallbase.pages import hall_language, render_page, script_json
from hallbase.words import label, t, under

OFFICE_PAGE = allow(*OFFICE)  # the office reads; the admin's forms change (through the API)
ADMIN_PAGE = allow("admin")
AUDITORS: tuple[Role, ...] = ("admin", "supervisor")  # the terminals and the punches they send
AUDITOR_PAGE = allow(*AUDITORS)
ROOT = "/office"


@dataclass(frozen=True)
class MenuItem:
    """One entry of the office menu: its page, its title's key, and the roles that open it
    (none: the whole office)."""

    path: str
    key: str
    roles: tuple[Role, ...] = ()


MENU = (
    MenuItem(f"{ROOT}/windows", "windows"),
    MenuItem(f"{ROOT}/services", "services"),
    MenuItem(f"{ROOT}/staff", "staff"),
    MenuItem(f"{ROOT}/units", "units"),
    MenuItem(f"{ROOT}/schedules", "schedules"),
    MenuItem(f"{ROOT}/calendar", "calendar"),
    MenuItem(f"{ROOT}/terminals", "terminals", roles=AUDITORS),
    MenuItem(f"{ROOT}/accounts", "accounts", roles=("admin",)),
    MenuItem(f"{ROOT}/keys", "keys", roles=("admin",)),
    MenuItem(f"{ROOT}/audit", "audit", roles=("admin",)),
)


def to_json(value: Any) -> str:
    """JSON safe inside a page's ``<script type="application/json">`` or an attribute."""
    return script_json(value, default=str)


def staff_options(session: Session, lang: str) -> tuple[tuple[str, str], ...]:
    """Every staff member as a select's option: staff number, and name with number."""
    rows = session.exec(select(Staff).order_by(col(Staff.staff_no))).all()
    return tuple((s.staff_no, t("office.person", lang, name=s.name, no=s.staff_no)) for s in rows)


def frame(
    request: Request, session: Session, who: Principal, lang: str | None, section: str
) -> dict[str, Any]:
    """The frame of an office page: language, hall name, words, the menu the caller may open,
    whether they may change things, and what the page's script needs."""
    language, name = hall_language(session, lang)
    admin = who.has_role("admin")
    words = under("office", language)
    menu = [
        {"path": m.path, "title": t(f"office.title.{m.key}", language), "active": m.key == section}
        for m in MENU
        if not m.roles or who.has_role(*m.roles)
    ]
    setup = {
        "lang": language,
        "csrf": who.csrf_token or "",
        "explain": f"{ROOT}/explain?lang={language}",
        "words": {k: words[k] for k in ("saved", "network", "confirm_delete", "refused")},
    }
    return {
        "lang": language,
        "t": t,
        "w": words,
        "hall_name": name,
        "menu": menu,
        "section": section,
        "title": t(f"office.title.{section}", language),
        "admin": admin,
        "csrf": who.csrf_token or "",  # the upload form's field (a session's change needs it)
        "setup_json": to_json(setup),
        "to_json": to_json,
        "label": lambda table, code: label(table, code, language) if code else "",
    }


def render(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    """The page ``template`` with ``context``."""
    return render_page(request, template, context)
