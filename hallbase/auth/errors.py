"""Refusals of the trust layer, in the project's coded form, and how they are answered.

A refusal never says whether a username exists: every failed login reads the same.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from hallbase import TEMPLATES
from hallbase.errors import CodedError
from hallbase.words import each, pick_lang, t, under

PAGES = Jinja2Templates(directory=TEMPLATES)  # the refusal page (refused.html) and its frame


def messages(code: str, **fields: object) -> dict[str, str]:
    """The refusal ``code`` (``auth.error.<code>`` in the catalogue) in every language."""
    return each(f"auth.error.{code}", **fields)


def refusal(status: int, code: str, **fields: object) -> CodedError:
    """A coded refusal of an account or key change, its message's fields filled in."""
    return CodedError(status, code, messages(code, **fields))


class AuthError(CodedError):
    """A refused credential or permission: 401 (who are you?), 403 (not you), 429 (slow down)."""

    def __init__(self, status: int, code: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, code, messages(code))
        self.headers = headers or {}


def unauthenticated(code: str = "auth_required") -> AuthError:
    """401 with the schemes the service takes."""
    return AuthError(401, code, {"WWW-Authenticate": 'Bearer realm="hallkeeper"'})


def _is_page(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.method in ("GET", "HEAD") and "text/html" in accept


def refused_page(request: Request, exc: AuthError, target: str) -> Response:
    """The HTML 403 page: why, who is logged in, a link home and one to log in as another."""
    lang = pick_lang(request.query_params.get("lang"))
    found = getattr(request.state, "hk_resolution", None)
    name = found.principal.name if found is not None else ""
    context = {
        "lang": lang,
        "t": t,
        "hall_name": t("auth.refused.title", lang),
        "words": under("auth.refused", lang),
        "reason": exc.message.get(lang, exc.message["en"]),
        "signed_in": t("auth.refused.signed_in", lang, name=name) if name else "",
        "next": quote(target, safe=""),
    }
    response: Response = PAGES.TemplateResponse(
        request, "refused.html", context, status_code=exc.status, headers=exc.headers
    )
    return response


async def auth_error(request: Request, exc: Exception) -> Response:
    """JSON for API callers; a browser opening a page without a login goes to the login page,
    and one whose login may not open it gets the refusal as a page (403)."""
    assert isinstance(exc, AuthError)
    if _is_page(request) and not request.url.path.startswith("/api/"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if exc.status == 401:
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if exc.status == 403:
            return refused_page(request, exc, target)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
