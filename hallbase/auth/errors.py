"""Refusals of the trust layer, in the project's coded form, and how they are answered.

A refusal never says whether a username exists: every failed login reads the same.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from hallbase.errors import CodedError
from hallbase.words import each


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


async def auth_error(request: Request, exc: Exception) -> Response:
    """JSON for API callers; a browser opening a page without a login goes to the login page."""
    assert isinstance(exc, AuthError)
    if exc.status == 401 and _is_page(request) and not request.url.path.startswith("/api/"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
