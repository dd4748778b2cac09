"""Logging in and out: password check, per-account lockout, per-address throttling, sessions.

The password is checked outside any transaction (argon2 takes tens of milliseconds, and a
writer would hold SQLite's lock meanwhile). Every failure answers the same `login_failed`,
whether the username is unknown, the password wrong, the account disabled or locked.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import col, delete, select, update

from hallbase.auth import audit
from hallbase.auth.cache import forget_on_commit
from hallbase.auth.errors import AuthError
from hallbase.auth.models import Account, LoginSession
from hallbase.auth.passwords import hash_password, needs_rehash, verify_password
from hallbase.auth.principal import Principal
from hallbase.auth.resolve import person
from hallbase.auth.tokens import digest, new_secret
from hallbase.db import read_session, write_session
from hallbase.settings import Settings


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures lock an account and for how long; how many an address may make."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)
    address_failures: int = 20
    address_window: timedelta = timedelta(minutes=10)


POLICY = LoginPolicy()


class AddressLimiter:
    """Failed logins per client address within a sliding window (in this process's memory;
    the per-account lockout in the database holds across processes)."""

    MAX_ADDRESSES = 10_000  # the oldest addresses are forgotten past this

    def __init__(self, policy: LoginPolicy = POLICY) -> None:
        self.policy = policy
        self._failures: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, address: str, now: datetime) -> deque[datetime]:
        times = self._failures.get(address, deque())
        while times and now - times[0] >= self.policy.address_window:
            times.popleft()
        return times

    def retry_after(self, address: str, now: datetime) -> int | None:
        """Seconds until ``address`` may try again, or None when it may now."""
        with self._lock:
            times = self._recent(address, now)
            if len(times) < self.policy.address_failures:
                return None
            return max(1, int((times[0] + self.policy.address_window - now).total_seconds()))

    def failed(self, address: str, now: datetime) -> None:
        """Count one failure of ``address``."""
        with self._lock:
            times = self._recent(address, now)
            times.append(now)
            self._failures[address] = times
            self._failures.move_to_end(address)
            while len(self._failures) > self.MAX_ADDRESSES:
                self._failures.popitem(last=False)


@dataclass(frozen=True)
class LoginResult:
    """A new session: the cookie's value (never stored), its CSRF token and who logged in."""

    cookie: str
    csrf_token: str
    expires_at: datetime
    principal: Principal


def _fail(engine: Engine, account: Account | None, now: datetime, policy: LoginPolicy) -> None:
    """Count a wrong password against an account; lock it at the limit (audited)."""
    if account is None or not account.active or _locked(account, now):
        return
    with write_session(engine) as session:
        bump = (
            update(Account)
            .where(col(Account.id) == account.id)
            .values(failed_logins=Account.failed_logins + 1)
            .returning(col(Account.failed_logins))
        )
        count = session.execute(bump).scalar_one()
        if count >= policy.max_failures:
            until = now + policy.lockout
            session.execute(
                update(Account)
                .where(col(Account.id) == account.id)
                .values(failed_logins=0, locked_until=until)
            )
            audit.append(
                session,
                audit.Actor("system", "login"),
                "account.locked",
                f"account:{account.username}",
                at=now,
                after={"locked_until": until.isoformat()},
                reason=f"{count} wrong passwords",
            )


def _locked(account: Account, now: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > now


def login(
    engine: Engine,
    settings: Settings,
    limiter: AddressLimiter,
    *,
    username: str,
    password: str,
    address: str,
    now: datetime,
) -> LoginResult:
    """Check the password and open a session; AuthError 429 or 401 ``login_failed``."""
    policy = limiter.policy
    wait = limiter.retry_after(address, now)
    if wait is not None:
        raise AuthError(429, "login_throttled", {"Retry-After": str(wait)})
    with read_session(engine) as session:
        account = session.exec(select(Account).where(col(Account.username) == username)).first()
    matches = verify_password(account.password_hash if account else None, password)
    if account is None or not matches or not account.active or _locked(account, now):
        limiter.failed(address, now)
        if not matches:
            _fail(engine, account, now, policy)
        raise AuthError(401, "login_failed")
    cookie, csrf = new_secret(), new_secret()
    expires = now + timedelta(hours=settings.session_max_hours)
    idle = timedelta(minutes=settings.session_idle_minutes)
    with write_session(engine) as session:
        changes: dict[str, object] = {"failed_logins": 0, "locked_until": None}
        if needs_rehash(account.password_hash):
            changes["password_hash"] = hash_password(password)
        session.execute(update(Account).where(col(Account.id) == account.id).values(**changes))
        # The account's ended sessions go as it opens a new one: the table stays small.
        session.execute(
            delete(LoginSession).where(
                col(LoginSession.account_id) == account.id,
                (col(LoginSession.expires_at) <= now) | (col(LoginSession.last_seen) <= now - idle),
            )
        )
        row = LoginSession(
            token_hash=digest(settings.auth_secret, cookie),
            account_id=account.id,  # type: ignore[arg-type]
            csrf_token=csrf,
            created_at=now,
            last_seen=now,
            expires_at=expires,
            address=address[:64],
        )
        session.add(row)
        session.flush()
        principal = person(session, account, via="session", csrf_token=csrf, session_id=row.id)
    return LoginResult(cookie, csrf, expires, principal)


def logout(engine: Engine, principal: Principal) -> None:
    """End the caller's session (a bearer token or key has none to end)."""
    if principal.session_id is None:
        return
    with write_session(engine) as session:
        session.execute(delete(LoginSession).where(col(LoginSession.id) == principal.session_id))
        forget_on_commit(session)
