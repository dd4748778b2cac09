"""The office's pages (办公管理): the hall model, schedules and working days, accounts, machine
keys, the fingerprint terminals and the audit log, rendered on the server over the JSON API
that stays the one way to change them (the pages' forms call it; its refusals are shown in the
page's language)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from hallbase.pages import link_page
from hallbase.words import each

TEMPLATES = Path(__file__).resolve().parent / "templates"


def install(app: FastAPI) -> None:
    """Add the office's pages and list their index on the home page."""
    from hallkeeper.office import (
        calendar_pages,
        explain_route,
        hall_pages,
        people_pages,
        staff_files,
        terminal_pages,
    )

    modules = (hall_pages, staff_files, calendar_pages, people_pages, terminal_pages, explain_route)
    for module in modules:
        app.include_router(module.router)
    link_page(app, hall_pages.INDEX, each("office.title.index"))
