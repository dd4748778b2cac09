"""Who is calling: a machine key, a person's bearer token or a session cookie, checked once.

Order: ``X-Hall-Key`` (or ``?key=`` for a board or kiosk page opened by URL), then
``Authorization: Bearer hkt_...``, then the ``hk_session`` cookie. A credential that is given
but expired, revoked or unknown makes the request's problem ``credential_invalid``.

A verified credential is kept a few seconds in memory (`hallbase.auth.cache`): most requests
resolve their caller without the database, and `aresolve` (the guard's) without a thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import anyio.to_thread
from fastapi import Request
from sqlalchemy import Engine, Executable
from sqlmodel import Session, col, select, update

from hallbase.auth.cache import CREDENTIALS, CacheKey, Verified
from hallbase.auth.models import Account, ApiToken, LoginSession, MachineKey, RoleGrant
from hallbase.auth.principal import ANONYMOUS, Grant, Principal
from hallbase.auth.roles import Scope
from hallbase.auth.tokens import API_TOKEN_MARK, digest
from hallbase.clock import utcnow
from hallbase.db import brief_write, read_session
from hallbase.settings import Settings

SESSION_COOKIE = "hk_session"
KEY_HEADER = "x-hall-key"
KEY_PARAM = "key"
# Last-seen and last-used times are written at most this often, not a write per request; the
# write is left for later when the database is busy (`brief_write`): a request never waits on it.
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


def _touch(
    engine: Engine, last: datetime | None, now: datetime, stamp: Callable[[], Executable]
) -> datetime:
    """The credential's use time on record: ``last``, or ``now`` once the ``stamp`` statement
    wrote it (when ``last`` is older than TOUCH_EVERY, or none). A stamp left for later by a
    busy database (`brief_write`) still counts as written here: this process knows the use."""
    if last is not None and now - last <= TOUCH_EVERY:
        return last
    brief_write(engine, stamp())
    return now


Found = tuple[Resolution, Verified | None]
REFUSED: Found = (Resolution(ANONYMOUS, "credential_invalid"), None)


def _machine(engine: Engine, hashed: str, now: datetime) -> Found:
    with read_session(engine) as session:
        row = session.exec(select(MachineKey).where(col(MachineKey.key_hash) == hashed)).first()
    if row is None or row.revoked_at is not None:
        return REFUSED
    touched = _touch(
        engine,
        row.last_used,
        now,
        lambda: update(MachineKey).where(col(MachineKey.id) == row.id).values(last_used=now),
    )
    scope = Scope(row.scope_kind, row.scope_value)  # type: ignore[arg-type]
    principal = Principal(
        "machine", id=row.id, name=row.name, machine_kind=row.kind, machine_scope=scope, via="key"
    )
    return Resolution(principal), Verified(principal, touched=touched)


def _bearer(engine: Engine, hashed: str, now: datetime) -> Found:
    with read_session(engine) as session:
        found = session.exec(
            select(ApiToken, Account)
            .join(Account, col(Account.id) == col(ApiToken.account_id))
            .where(col(ApiToken.token_hash) == hashed)
        ).first()
        if found is None:
            return REFUSED
        row, account = found
        if row.revoked_at is not None or row.expires_at <= now or not account.active:
            return REFUSED
        principal = person(session, account, via="bearer")
    touched = _touch(
        engine,
        row.last_used,
        now,
        lambda: update(ApiToken).where(col(ApiToken.id) == row.id).values(last_used=now),
    )
    return Resolution(principal), Verified(principal, expires_at=row.expires_at, touched=touched)


def _cookie(engine: Engine, hashed: str, idle: timedelta, now: datetime) -> Found:
    with read_session(engine) as session:
        found = session.exec(
            select(LoginSession, Account)
            .join(Account, col(Account.id) == col(LoginSession.account_id))
            .where(col(LoginSession.token_hash) == hashed)
        ).first()
        if found is None:
            return REFUSED
        row, account = found
        if row.expires_at <= now or now - row.last_seen >= idle or not account.active:
            return REFUSED
        principal = person(
            session, account, via="session", csrf_token=row.csrf_token, session_id=row.id
        )
    last_seen = _touch(
        engine,
        row.last_seen,
        now,
        lambda: update(LoginSession).where(col(LoginSession.id) == row.id).values(last_seen=now),
    )
    verified = Verified(
        principal, expires_at=row.expires_at, last_seen=last_seen, touched=last_seen
    )
    return Resolution(principal), verified


class _Asked(NamedTuple):
    """The credential a request gives, as the cache knows it, and what looking it up needs."""

    key: CacheKey  # (database, secret, kind, credential)
    engine: Engine
    settings: Settings
    now: datetime


def _idle(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.session_idle_minutes)


def _asked(request: Request, now: datetime) -> _Asked | None:
    state = request.app.state
    engine: Engine = state.engine
    settings: Settings = state.settings
    headers = request.headers
    key = headers.get(KEY_HEADER) or (
        request.query_params.get(KEY_PARAM) if request.scope.get("query_string") else None
    )
    if key:
        return _Asked((id(engine), settings.auth_secret, "key", key), engine, settings, now)
    scheme, _, token = headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() == "bearer" and token.startswith(API_TOKEN_MARK):
        return _Asked((id(engine), settings.auth_secret, "bearer", token), engine, settings, now)
    cookie = request.cookies.get(SESSION_COOKIE) if "cookie" in headers else None
    if cookie:
        return _Asked((id(engine), settings.auth_secret, "cookie", cookie), engine, settings, now)
    return None


def _lookup(asked: _Asked) -> Found:
    """The credential looked up in the database by its digest (computed only now: a request
    whose credential the cache holds needs none)."""
    _database, secret, kind, value = asked.key
    hashed = digest(secret, value)
    if kind == "key":
        return _machine(asked.engine, hashed, asked.now)
    if kind == "bearer":
        return _bearer(asked.engine, hashed, asked.now)
    return _cookie(asked.engine, hashed, _idle(asked.settings), asked.now)


def _still_valid(verified: Verified, settings: Settings, now: datetime) -> bool:
    if verified.expires_at is not None and verified.expires_at <= now:
        return False
    return verified.last_seen is None or now - verified.last_seen < _idle(settings)


def _from_cache(request: Request) -> tuple[Resolution | None, _Asked | None]:
    """The request's caller when known without the database, else what to look up."""
    cached: Resolution | None = getattr(request.state, "hk_resolution", None)
    if cached is not None:
        return cached, None
    now = now_of(request)
    asked = _asked(request, now)
    if asked is None:
        return Resolution(ANONYMOUS), None
    verified = CREDENTIALS.get(asked.key)
    if verified is None or (verified.touched is not None and now - verified.touched > TOUCH_EVERY):
        return None, asked  # not held, or its last use is due to be written
    if not _still_valid(verified, asked.settings, now):
        return REFUSED[0], None
    return Resolution(verified.principal), None


def _looked_up(request: Request, asked: _Asked) -> Resolution:
    result, verified = _lookup(asked)
    if verified is not None:
        CREDENTIALS.put(asked.key, verified)
    return result


def resolve(request: Request) -> Resolution:
    """The request's caller, looked up once and kept on the request."""
    result, asked = _from_cache(request)
    if result is None:
        assert asked is not None
        result = _looked_up(request, asked)
    request.state.hk_resolution = result
    return result


async def aresolve(request: Request) -> Resolution:
    """`resolve` for coroutines: the database, when needed at all, in a worker thread."""
    result, asked = _from_cache(request)
    if result is None:
        assert asked is not None
        result = await anyio.to_thread.run_sync(_looked_up, request, asked)
    request.state.hk_resolution = result
    return result


def bearer_person(engine: Engine, secret: str, token: str, now: datetime) -> Principal | None:
    """The person whose API token ``token`` is, for a token that came otherwise than over
    HTTP (an MQTT command); None when it is unknown, expired, revoked or not a token."""
    if not token.startswith(API_TOKEN_MARK):
        return None
    found, _verified = _bearer(engine, digest(secret, token), now)
    return found.principal if found.problem is None else None
