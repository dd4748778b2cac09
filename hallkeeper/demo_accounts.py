"""The demo's people and machines: accounts with published passwords and machine keys, for
the simulated hall only.

`hallkeeper demo` creates them in its own temporary database and prints the passwords, and
the kiosk's, hall board's and rating pads' addresses with their keys, in its log; nothing else
ever creates an account with a password it did not ask for.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlmodel import col, select

from hallbase.auth import Actor, MachineKind, Role, Scope
from hallbase.auth import accounts as account_store
from hallbase.auth import keys as key_store
from hallbase.auth.models import Account, MachineKey
from hallbase.auth.roles import default_scope
from hallbase.clock import utcnow
from hallbase.db import write_session
from hallbase.models import Window
from hallbase.settings import Settings

log = logging.getLogger(__name__)

# username, display name, 工号, role, scope (None: the role's own), demo-only password
DEMO_ACCOUNTS: tuple[tuple[str, str, str | None, Role, str | None, str], ...] = (
    ("admin", "演示管理员", None, "admin", None, "demo-admin-only"),
    ("supervisor", "演示督查", None, "supervisor", None, "demo-supervisor-only"),
    ("wanglead", "王芳", "SC001", "window_lead", "unit:SCJ", "demo-lead-only"),
    ("liming", "李明", "SC002", "staff", None, "demo-staff-only"),
)


def create_demo_accounts(engine: Engine) -> None:
    """Create the demo's accounts that are not there yet, and log their passwords."""
    actor = Actor("system", "demo")
    with write_session(engine) as session:
        taken = set(session.exec(select(Account.username)))
        for username, name, staff_no, role, scope, password in DEMO_ACCOUNTS:
            if username not in taken:
                account_store.create(
                    session,
                    actor,
                    utcnow(),
                    username=username,
                    display_name=name,
                    password=password,
                    staff_no=staff_no,
                    grants=[(role, Scope.parse(scope) if scope else default_scope(role))],
                    reason="demo account",
                )
    for username, _name, _staff_no, role, _scope, password in DEMO_ACCOUNTS:
        log.warning("demo only: log in as %s / %s (%s)", username, password, role)


DEMO_KEY = "demo "  # the demo's machine keys are named "demo <what>"


def create_demo_keys(engine: Engine, settings: Settings) -> list[tuple[str, str]]:
    """New keys for the demo's kiosk, hall board and rating pads (the last run's are revoked:
    a key is shown only once), and the page addresses that open with them."""
    actor = Actor("system", "demo")
    base = f"http://{settings.host}:{settings.port}"
    now = utcnow()
    with write_session(engine) as session:
        old = session.exec(
            select(MachineKey.id).where(
                col(MachineKey.name).startswith(DEMO_KEY), col(MachineKey.revoked_at).is_(None)
            )
        ).all()
        for key_id in old:
            assert key_id is not None
            key_store.revoke_key(session, actor, now, key_id, "demo restarted")
        wanted: list[tuple[MachineKind, str, Scope, str]] = [
            ("kiosk", "kiosk", Scope("hall"), "/kiosk"),
            ("hall_board", "hall board", Scope("hall"), "/board"),
        ]
        for number in session.exec(select(Window.number).order_by(col(Window.number))):
            wanted.append(
                (
                    "rating_pad",
                    f"rating pad {number}",
                    Scope("window", str(number)),
                    f"/rate/{number}",
                )
            )
        pages = []
        for kind, name, scope, path in wanted:
            _row, value = key_store.create_key(
                session,
                settings.auth_secret,
                actor,
                now,
                kind=kind,
                name=DEMO_KEY + name,
                scope=scope,
            )
            pages.append((name, f"{base}{path}?key={value}"))
    for name, url in pages:
        log.warning("demo only: %s opens at %s", name, url)
    return pages
