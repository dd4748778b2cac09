"""Logging in and out, the caller's own identity and API tokens, and the login page (登录)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from hallbase.auth import (
    MACHINE_KINDS,
    PUBLIC,
    ROLES,
    Actor,
    AuthError,
    Principal,
    allow,
    auth_error,
)
from hallbase.auth import keys as key_store
from hallbase.auth.login import AddressLimiter, LoginResult, login, logout
from hallbase.auth.models import ApiToken
from hallbase.auth.resolve import SESSION_COOKIE, now_of
from hallbase.deps import EngineDep, ReadSessionDep, SessionDep, SettingsDep
from hallbase.fields import DbInt, OneLine
from hallbase.models import Hall
from hallbase.settings import Settings
from hallbase.words import pick_lang, t, under

USERNAME_PATTERN = r"^[A-Za-z0-9_.@-]{1,40}$"
Username = Annotated[str, Field(pattern=USERNAME_PATTERN)]
Password = Annotated[OneLine, Field(min_length=1, max_length=128)]
Reason = Annotated[OneLine, Field(max_length=200)]
Name = Annotated[OneLine, Field(min_length=1, max_length=40)]

router = APIRouter()
pages = APIRouter()
PERSON = allow(*ROLES)  # any logged-in person, whatever their role
KNOWN = allow(*ROLES, machines=MACHINE_KINDS)  # any person or machine


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoginBody(_In):
    username: Username
    password: Password


class TokenBody(_In):
    name: Name
    days: int = Field(default=90, ge=1, le=365)


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _set_cookie(response: Response, settings: Settings, result: LoginResult) -> None:
    # No max-age: the cookie goes with the browser; the session's own expiries are the
    # server's (idle and absolute), whatever the browser keeps.
    response.set_cookie(
        SESSION_COOKIE,
        result.cookie,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def _login(request: Request, engine: EngineDep, settings: Settings, body: LoginBody) -> LoginResult:
    limiter: AddressLimiter = request.app.state.auth_limiter
    return login(
        engine,
        settings,
        limiter,
        username=body.username,
        password=body.password,
        address=_address(request),
        now=now_of(request),
    )


@router.post("/login", dependencies=[PUBLIC])
def login_api(
    request: Request, response: Response, body: LoginBody, engine: EngineDep, settings: SettingsDep
) -> dict[str, Any]:
    """Open a session: sets the ``hk_session`` cookie; changes then need ``X-CSRF-Token``."""
    result = _login(request, engine, settings, body)
    _set_cookie(response, settings, result)
    return {
        "csrf_token": result.csrf_token,
        "expires_at": result.expires_at,
        "principal": result.principal.public(),
    }


@router.post("/logout", status_code=204)
def logout_api(engine: EngineDep, who: Annotated[Principal, PERSON]) -> Response:
    """End the caller's session and clear its cookie."""
    logout(engine, who)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/me")
def me(who: Annotated[Principal, KNOWN]) -> dict[str, Any]:
    """The caller: a person's roles and scopes, or a machine's kind and scope."""
    out = who.public()
    if who.via == "session":
        out["csrf_token"] = who.csrf_token
    return out


@router.get("/tokens")
def my_tokens(session: ReadSessionDep, who: Annotated[Principal, PERSON]) -> dict[str, Any]:
    """The caller's API tokens (prefixes only)."""
    rows = session.exec(
        select(ApiToken).where(col(ApiToken.account_id) == who.id).order_by(col(ApiToken.id))
    ).all()
    return {"data": [key_store.token_view(r) for r in rows], "count": len(rows)}


@router.post("/tokens", status_code=201)
def new_token(
    request: Request,
    body: TokenBody,
    session: SessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, PERSON],
) -> dict[str, Any]:
    """A bearer token for the caller's API client, shown this once."""
    assert who.id is not None and who.username is not None
    row, value = key_store.create_token(
        session,
        settings.auth_secret,
        Actor.of(who),
        now_of(request),
        account_id=who.id,
        username=who.username,
        name=body.name,
        days=body.days,
    )
    return {"token": value, **key_store.token_view(row)}


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(
    request: Request, token_id: DbInt, session: SessionDep, who: Annotated[Principal, PERSON]
) -> Response:
    """Revoke one of the caller's own tokens."""
    assert who.id is not None and who.username is not None
    key_store.revoke_token(
        session,
        Actor.of(who),
        now_of(request),
        account_id=who.id,
        username=who.username,
        token_id=token_id,
    )
    return Response(status_code=204)


def _safe_next(target: str) -> str:
    """Only a path on this site: never another host (no open redirect)."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target if "\\" not in target else "/"


def _page(request: Request, session: ReadSessionDep, lang: str | None, **extra: Any) -> Any:
    hall = session.exec(select(Hall)).first()
    language = pick_lang(lang, default=hall.language if hall else "zh")
    name = (hall.name_en or hall.name) if hall and language == "en" else (hall.name if hall else "")
    words = under("auth.login", language)
    error = extra.pop("error", None)
    return request.app.state.templates.TemplateResponse(
        request,
        "login.html",
        {
            "lang": language,
            "t": t,
            "hall_name": name,
            "words": words,
            "error": t(f"auth.error.{error}", language) if error else None,
            **extra,
        },
        status_code=401 if error == "login_failed" else 429 if error else 200,
    )


@pages.get("/login", response_class=HTMLResponse, include_in_schema=False, dependencies=[PUBLIC])
def login_page(
    request: Request, session: ReadSessionDep, lang: str | None = None, next: str = "/"
) -> Any:
    return _page(request, session, lang, next=_safe_next(next))


@pages.post("/login", include_in_schema=False, dependencies=[PUBLIC])
def login_form(
    request: Request,
    session: ReadSessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=40)],
    password: Annotated[str, Form(max_length=128)],
    next: Annotated[str, Form(max_length=2000)] = "/",
    lang: Annotated[str | None, Form(max_length=2)] = None,
) -> Any:
    """The page's form: on success a redirect to ``next`` with the cookie set."""
    origin = request.headers.get("origin")
    if origin and urlsplit(origin).netloc != request.headers.get("host"):
        raise AuthError(403, "csrf_failed")  # a login posted from another site
    target = _safe_next(next)
    try:
        body = LoginBody(username=username, password=password)
        result = _login(request, engine, settings, body)
    except AuthError as exc:
        return _page(request, session, lang, next=target, username=username, error=exc.code)
    except ValueError:
        return _page(request, session, lang, next=target, username=username, error="login_failed")
    response = RedirectResponse(target, status_code=303)
    _set_cookie(response, settings, result)
    return response


def install(app: FastAPI, api: str) -> None:
    """Add the login routes, the administration routes and the refusals' handler to ``app``."""
    from hallkeeper.api.routes import auth_admin

    app.state.auth_limiter = AddressLimiter()
    app.add_exception_handler(AuthError, auth_error)
    app.include_router(router, prefix=f"{api}/auth", tags=["auth"])
    app.include_router(auth_admin.router, prefix=f"{api}/auth", tags=["auth"])
    app.include_router(auth_admin.audit_router, prefix=f"{api}/audit", tags=["auth"])
    app.include_router(pages)
