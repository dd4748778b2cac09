"""The API's schema and its documentation pages, for logged-in people only.

Swagger UI and ReDoc are served from the package's own copies (`fastapi_offline`, no CDN on a
hall's network). Their pages start the viewer with an inline script: each page's policy allows
that one script by its hash, and inline styles (the viewers draw with them); nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from hallbase.auth import ROLES, allow

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS_URL = "/static-offline-docs"
OPENAPI_URL = "/openapi.json"
SWAGGER_REDIRECT = "/docs/oauth2-redirect"
router = APIRouter(include_in_schema=False, dependencies=[allow(*ROLES)])
_INLINE = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _page(html: HTMLResponse) -> HTMLResponse:
    """``html`` with a policy that allows its own inline scripts (by hash) and no others."""
    body = bytes(html.body).decode()
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE.findall(body)
    )
    policy = (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'"
    )
    return HTMLResponse(body, headers={"Content-Security-Policy": policy})


@router.get(OPENAPI_URL)
def openapi(request: Request) -> JSONResponse:
    schema: dict[str, Any] = request.app.openapi()
    return JSONResponse(schema)


@router.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return _page(
        get_swagger_ui_html(
            openapi_url=f"{root}{OPENAPI_URL}",
            title=f"{request.app.title} - Swagger UI",
            oauth2_redirect_url=SWAGGER_REDIRECT,
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
        )
    )


@router.get(SWAGGER_REDIRECT)
def swagger_redirect() -> HTMLResponse:
    return _page(get_swagger_ui_oauth2_redirect_html())


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return _page(
        get_redoc_html(
            openapi_url=f"{root}{OPENAPI_URL}",
            title=f"{request.app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
    )


def install(app: FastAPI) -> None:
    """Serve the viewers' files (public: the libraries only) and the guarded pages."""
    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="static-offline-docs")
    app.include_router(router)
