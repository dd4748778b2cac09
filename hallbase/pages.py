"""The hall's list of pages: each room adds links to its pages, the home page lists them."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI


@dataclass(frozen=True)
class PageLink:
    path: str
    title: dict[str, str]


def link_page(app: FastAPI, path: str, title: dict[str, str]) -> None:
    """List a page (its path and its title by language) on the home page."""
    app.state.pages.append(PageLink(path, title))
