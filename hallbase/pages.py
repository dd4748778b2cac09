"""The hall's list of pages: each room adds links to its pages, the home page lists them; and
what every room's pages share: rendering a template, and JSON a page's script reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, select

from hallbase.models import Hall
from hallbase.words import pick_lang


@dataclass(frozen=True)
class PageLink:
    path: str
    title: dict[str, str]


def link_page(app: FastAPI, path: str, title: dict[str, str]) -> None:
    """List a page (its path and its title by language) on the home page."""
    app.state.pages.append(PageLink(path, title))


def hall_language(session: Session, lang: str | None) -> tuple[str, str]:
    """A page's language (``?lang=``, else the hall's) and the hall's name in it."""
    hall = session.exec(select(Hall)).first()
    language = pick_lang(lang, default=hall.language if hall else "zh")
    name = (hall.name_en or hall.name) if hall and language == "en" else (hall.name if hall else "")
    return language, name


def script_json(value: Any, default: Callable[[Any], Any] | None = None) -> str:
    """JSON safe inside a page's ``<script type="application/json">`` or an attribute;
    ``default`` turns what JSON does not know into something it does."""
    return json.dumps(value, ensure_ascii=False, default=default).replace("</", "<\\/")


def render_page(request: Request, template: str, context: dict[str, Any]) -> HTMLResponse:
    """The page ``template`` with ``context``, through the app's templates."""
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, context
    )
    return response
