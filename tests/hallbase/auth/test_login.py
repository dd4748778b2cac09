"""Passwords, logging in, per-account lockout and per-address throttling."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlmodel import select

from hallbase.auth import AuthError, accounts, passwords
from hallbase.auth.audit import verify
from hallbase.auth.login import AddressLimiter, LoginPolicy, login
from hallbase.auth.models import Account, AuditEntry, LoginSession
from hallbase.auth.tokens import digest
from hallbase.db import read_session, write_session
from tests.helpers.auth import PASSWORD, TEST_ACTOR, Clock, add_account


def test_passwords_are_argon2id_and_checked() -> None:
    real = PasswordHasher()
    assert (real.time_cost, real.memory_cost) == (3, 65536)  # RFC 9106 low-memory profile
    stored = passwords.hash_password("a long passphrase")
    assert stored.startswith("$argon2id$") and "a long passphrase" not in stored
    assert passwords.verify_password(stored, "a long passphrase")
    assert not passwords.verify_password(stored, "a long passphrasE")
    assert not passwords.verify_password("not a hash", "x")
    assert not passwords.verify_password(None, "a long passphrase")  # unknown user
    assert passwords.hash_password("same one here") != passwords.hash_password("same one here")
    assert passwords.needs_rehash(real.hash("made with other parameters"))
    for bad in ("short", "x" * 129, "Username12"):
        with pytest.raises(ValueError):
            passwords.check_new_password(bad, "username12")


def _login(app: FastAPI, clock: Clock, username: str, password: str, address: str = "a") -> Any:
    return login(
        app.state.engine,
        app.state.settings,
        app.state.auth_limiter,
        username=username,
        password=password,
        address=address,
        now=clock(),
    )


def _refused(app: FastAPI, clock: Clock, username: str, password: str, address: str = "a") -> str:
    with pytest.raises(AuthError) as caught:
        _login(app, clock, username, password, address)
    return f"{caught.value.status} {caught.value.code}"


def test_login_opens_a_session_stored_as_a_digest(app: FastAPI, clock: Clock) -> None:
    add_account(app, "sup", "supervisor")
    result = _login(app, clock, "sup", PASSWORD)
    assert result.principal.username == "sup" and result.principal.via == "session"
    assert len(result.cookie) >= 43 and len(result.csrf_token) >= 43
    with read_session(app.state.engine) as session:
        row = session.exec(select(LoginSession)).one()
    assert row.token_hash == digest(app.state.settings.auth_secret, result.cookie)
    assert result.cookie not in row.token_hash and row.expires_at > clock()


def test_wrong_unknown_disabled_all_read_the_same(app: FastAPI, clock: Clock) -> None:
    add_account(app, "sup", "supervisor")
    assert _refused(app, clock, "sup", "wrong password") == "401 login_failed"
    assert _refused(app, clock, "nobody", PASSWORD) == "401 login_failed"
    assert _refused(app, clock, "SUP", PASSWORD) == "401 login_failed"
    with write_session(app.state.engine) as session:
        accounts.set_active(session, TEST_ACTOR, clock(), "sup", False)
    assert _refused(app, clock, "sup", PASSWORD) == "401 login_failed"


def test_five_failures_lock_the_account_for_fifteen_minutes(app: FastAPI, clock: Clock) -> None:
    add_account(app, "sup", "supervisor")
    for n in range(4):
        assert (
            _refused(app, clock, "sup", f"wrong {n}", address=f"10.0.0.{n}") == "401 login_failed"
        )
    assert _login(app, clock, "sup", PASSWORD)  # a success resets the count
    for n in range(5):
        _refused(app, clock, "sup", f"wrong {n}", address=f"10.0.1.{n}")
    # Locked: the right password is refused too, with the same words.
    assert _refused(app, clock, "sup", PASSWORD, address="10.0.2.1") == "401 login_failed"
    clock.advance(minutes=14, seconds=59)
    assert _refused(app, clock, "sup", PASSWORD, address="10.0.2.2") == "401 login_failed"
    clock.advance(seconds=1)
    assert _login(app, clock, "sup", PASSWORD, address="10.0.2.3")
    with read_session(app.state.engine) as session:
        account = session.exec(select(Account)).one()
        locks = session.exec(select(AuditEntry).where(AuditEntry.action == "account.locked")).all()
        assert verify(session).intact
    assert account.failed_logins == 0 and len(locks) == 1 and locks[0].actor_kind == "system"


def test_an_address_is_throttled_across_usernames(app: FastAPI, clock: Clock) -> None:
    app.state.auth_limiter = AddressLimiter(LoginPolicy(address_failures=3))
    add_account(app, "sup", "supervisor")
    for name in ("a1", "a2", "a3"):
        assert _refused(app, clock, name, PASSWORD, address="10.9.9.9") == "401 login_failed"
    with pytest.raises(AuthError) as caught:
        _login(app, clock, "sup", PASSWORD, address="10.9.9.9")
    assert caught.value.status == 429 and caught.value.code == "login_throttled"
    assert 1 <= int(caught.value.headers["Retry-After"]) <= 600
    assert _login(app, clock, "sup", PASSWORD, address="10.9.9.8")  # another address may
    clock.advance(minutes=10)
    assert _login(app, clock, "sup", PASSWORD, address="10.9.9.9")
