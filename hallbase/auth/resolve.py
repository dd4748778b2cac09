"""Who is calling: a machine key, a person's bearer token or a session cookie, checked once.

Order: ``X-Hall-Key`` (or ``?key=`` for a board or kiosk page opened by URL), then
``Authorization: Bearer hkt_...``, then the ``hk_session`` cookie. A credential that is given
but expired, revoked or unknown makes the request's problem ``credential_invalid``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import Engine
from sqlmodel import Session, col, select, update

from hallbase.auth.models import Account, ApiToken, LoginSession, MachineKey, RoleGrant
from hallbase.auth.principal import ANONYMOUS, Grant, Principal
from hallbase.auth.roles import Scope
from hallbase.auth.tokens import API_TOKEN_MARK, digest
from hallbase.clock import utcnow
from hallbase.db import read_session, write_session
from hallbase.settings import Settings

SESSION_COOKIE = "hk_session"
KEY_HEADER = "x-hall-key"
KEY_PARAM = "key"
# Last-seen and last-used times are written at most this often: not a write per request.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Resolution:
    """The caller, and why a credential it gave was refused (None: none given, or valid)."""

    principal: Principal
    problem: str | None = None


def now_of(request: Request) -> datetime:
    """The app's clock (tests set it), else the real one."""
    clock = getattr(request.app.state, "clock", None) or utcnow
    now: datetime = clock()
    return now


def person(session: Session, account: Account, **extra: object) -> Principal:
    """The principal of an active account with its grants."""
    rows = session.exec(select(RoleGrant).where(col(RoleGrant.account_id) == account.id))
    grants = tuple(
        sorted(
            (Grant(g.role, Scope(g.scope_kind, g.scope_value)) for g in rows),  # type: ignore[arg-type]
            key=lambda g: (g.role, g.scope),
        )
    )
    return Principal(
        "person",
        id=account.id,
        name=account.display_name,
        username=account.username,
        staff_no=account.staff_no,
        grants=grants,
        **extra,  # type: ignore[arg-type]
    )


def _machine(engine: Engine, secret: str, key: str, now: datetime) -> Resolution:
    with read_session(engine) as session:
        row = session.exec(
            select(MachineKey).where(col(MachineKey.key_hash) == digest(secret, key))
        ).first()
    if row is None or row.revoked_at is not None:
        return Resolution(ANONYMOUS, "credential_invalid")
    if row.last_used is None or now - row.last_used > TOUCH_EVERY:
        with write_session(engine) as session:
            session.execute(
                update(MachineKey).where(col(MachineKey.id) == row.id).values(last_used=now)
            )
    scope = Scope(row.scope_kind, row.scope_value)  # type: ignore[arg-type]
    principal = Principal(
        "machine", id=row.id, name=row.name, machine_kind=row.kind, machine_scope=scope, via="key"
    )
    return Resolution(principal)


def _bearer(engine: Engine, secret: str, token: str, now: datetime) -> Resolution:
    with read_session(engine) as session:
        found = session.exec(
            select(ApiToken, Account)
            .join(Account, col(Account.id) == col(ApiToken.account_id))
            .where(col(ApiToken.token_hash) == digest(secret, token))
        ).first()
        if found is None:
            return Resolution(ANONYMOUS, "credential_invalid")
        row, account = found
        if row.revoked_at is not None or row.expires_at <= now or not account.active:
            return Resolution(ANONYMOUS, "credential_invalid")
        principal = person(session, account, via="bearer")
    if row.last_used is None or now - row.last_used > TOUCH_EVERY:
        with write_session(engine) as session:
            touch = update(ApiToken).where(col(ApiToken.id) == row.id).values(last_used=now)
            session.execute(touch)
    return Resolution(principal)


def _cookie(engine: Engine, settings: Settings, cookie: str, now: datetime) -> Resolution:
    idle = timedelta(minutes=settings.session_idle_minutes)
    with read_session(engine) as session:
        found = session.exec(
            select(LoginSession, Account)
            .join(Account, col(Account.id) == col(LoginSession.account_id))
            .where(col(LoginSession.token_hash) == digest(settings.auth_secret, cookie))
        ).first()
        if found is None:
            return Resolution(ANONYMOUS, "credential_invalid")
        row, account = found
        if row.expires_at <= now or now - row.last_seen >= idle or not account.active:
            return Resolution(ANONYMOUS, "credential_invalid")
        principal = person(
            session, account, via="session", csrf_token=row.csrf_token, session_id=row.id
        )
    if now - row.last_seen > TOUCH_EVERY:
        with write_session(engine) as session:
            session.execute(
                update(LoginSession).where(col(LoginSession.id) == row.id).values(last_seen=now)
            )
    return Resolution(principal)


def resolve(request: Request) -> Resolution:
    """The request's caller, looked up once and kept on the request."""
    cached: Resolution | None = getattr(request.state, "hk_resolution", None)
    if cached is not None:
        return cached
    engine: Engine = request.app.state.engine
    settings: Settings = request.app.state.settings
    now = now_of(request)
    key = request.headers.get(KEY_HEADER) or request.query_params.get(KEY_PARAM)
    authorization = request.headers.get("authorization", "")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    cookie = request.cookies.get(SESSION_COOKIE)
    if key:
        result = _machine(engine, settings.auth_secret, key, now)
    elif scheme.lower() == "bearer" and token.startswith(API_TOKEN_MARK):
        result = _bearer(engine, settings.auth_secret, token, now)
    elif cookie:
        result = _cookie(engine, settings, cookie, now)
    else:
        result = Resolution(ANONYMOUS)
    request.state.hk_resolution = result
    return result


def bearer_person(engine: Engine, secret: str, token: str, now: datetime) -> Principal | None:
    """The person whose API token ``token`` is, for a token that came otherwise than over
    HTTP (an MQTT command); None when it is unknown, expired, revoked or not a token."""
    if not token.startswith(API_TOKEN_MARK):
        return None
    found = _bearer(engine, secret, token, now)
    return found.principal if found.problem is None else None
