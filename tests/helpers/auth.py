"""People and machines for tests: accounts, a logged-in client, bearer tokens, machine keys.

    name, password = add_account(app, "lead", "window_lead:unit:SCJ", staff_no="SC001")
    login(client, "lead")           # the client now sends the cookie and its X-CSRF-Token
    key = machine_key(app, "kiosk")  # send as header X-Hall-Key (or ?key=)
    token = api_token(app, "lead")   # send as Authorization: Bearer <token>

Grants are written ``role`` (its default scope) or ``role:scope`` (``window_lead:window:3``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlmodel import select

from hallbase.auth import Actor, Scope
from hallbase.auth import accounts as account_store
from hallbase.auth import keys as key_store
from hallbase.auth.login import login as open_session
from hallbase.auth.resolve import SESSION_COOKIE
from hallbase.auth.roles import default_scope
from hallbase.clock import utcnow
from hallbase.db import write_session

PASSWORD = "correct horse battery"
# The cheapest argon2id there is: tests hash hundreds of passwords on a shared machine.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
TEST_ACTOR = Actor("cli", "test")


def _now(app: Any) -> datetime:
    now: datetime = getattr(app.state, "clock", utcnow)()
    return now


def _grant(text: str) -> tuple[Any, Scope]:
    role, _, scope = text.partition(":")
    return role, Scope.parse(scope) if scope else default_scope(role)  # type: ignore[arg-type]


def add_account(
    app: Any,
    username: str,
    *grants: str,
    staff_no: str | None = None,
    password: str = PASSWORD,
) -> tuple[str, str]:
    """An active account with ``grants``; returns its username and password."""
    with write_session(app.state.engine) as session:
        account_store.create(
            session,
            TEST_ACTOR,
            _now(app),
            username=username,
            display_name=username,
            password=password,
            staff_no=staff_no,
            grants=[_grant(g) for g in grants],
        )
    return username, password


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log ``client`` in; it keeps the cookie and sends the CSRF token on every request."""
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    csrf: str = answer.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = csrf
    return csrf


def machine_key(app: Any, kind: str, scope: str = "hall", name: str = "test") -> str:
    """A new machine key of ``kind`` within ``scope``."""
    with write_session(app.state.engine) as session:
        _row, value = key_store.create_key(
            session,
            app.state.settings.auth_secret,
            TEST_ACTOR,
            _now(app),
            kind=kind,  # type: ignore[arg-type]
            name=name,
            scope=Scope.parse(scope),
        )
    return value


def api_token(app: Any, username: str, days: int = 30) -> str:
    """A new bearer token of ``username``."""
    with write_session(app.state.engine) as session:
        account = account_store.find(session, username)
        assert account.id is not None
        _row, value = key_store.create_token(
            session,
            app.state.settings.auth_secret,
            TEST_ACTOR,
            _now(app),
            account_id=account.id,
            username=username,
            name="test",
            days=days,
        )
    return value


def bearer(app: Any, username: str, *grants: str, staff_no: str | None = None) -> dict[str, str]:
    """Headers of a new account ``username`` with ``grants`` (its bearer token)."""
    add_account(app, username, *grants, staff_no=staff_no)
    return {"Authorization": f"Bearer {api_token(app, username)}"}


def admin_headers(app: Any) -> dict[str, str]:
    """Headers of an admin (account ``test-admin``, made once per database), for fixtures
    that change things."""
    from hallbase.auth.models import Account
    from hallbase.db import read_session

    with read_session(app.state.engine) as session:
        known = session.exec(select(Account).where(Account.username == "test-admin")).first()
    if known is None:
        add_account(app, "test-admin", "admin")
    return {"Authorization": f"Bearer {api_token(app, 'test-admin')}"}


def as_staff(app: Any, staff_no: str) -> dict[str, str]:
    """Headers of an account for hall staff member ``staff_no``, with the role the hall file
    gives them (a window lead's scope: their unit); made once, reused after."""
    from hallbase.auth.models import Account
    from hallbase.db import read_session
    from hallbase.models import Staff

    username = f"as-{staff_no}"
    with read_session(app.state.engine) as session:
        person = session.exec(select(Staff).where(Staff.staff_no == staff_no)).one()
        known = session.exec(select(Account).where(Account.username == username)).first()
    if known is None:
        role = person.role
        grant = f"window_lead:unit:{person.unit_code}" if role == "window_lead" else role
        add_account(app, username, grant, staff_no=staff_no)
    return {"Authorization": f"Bearer {api_token(app, username)}"}


@dataclass
class Clock:
    """A clock the test moves."""

    now: datetime = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Open a session for ``username`` as the login route would; the client keeps the cookie.
    Returns the session's CSRF token (not sent by itself)."""
    app: Any = client.app
    result = open_session(
        app.state.engine,
        app.state.settings,
        app.state.auth_limiter,
        username=username,
        password=password,
        address="testclient",
        now=app.state.clock(),
    )
    client.cookies.set(SESSION_COOKIE, result.cookie)
    return result.csrf_token
