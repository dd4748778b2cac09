"""The demo's people and machines: accounts with published passwords and machine keys, for the
simulated hall only.

`hallkeeper demo` creates them in its own temporary database and prints the passwords and the
pages' addresses with their keys in its log; nothing else ever creates an account with a
password it did not ask for.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlmodel import col, select

from hallbase.auth import Actor, MachineKind, Role, Scope
from hallbase.auth import accounts as account_store
from hallbase.auth import keys as key_store
from hallbase.auth.models import Account, MachineKey
from hallbase.auth.roles import HALL, default_scope
from hallbase.clock import utcnow
from hallbase.db import write_session

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


# kind, name, the page it opens: the hall's kiosk and its public board.
DEMO_KEYS: tuple[tuple[MachineKind, str, str], ...] = (
    ("kiosk", "demo kiosk", "/kiosk"),
    ("hall_board", "demo hall board", "/board"),
)


def create_demo_keys(engine: Engine, secret: str, base_url: str) -> None:
    """New machine keys for the demo's kiosk and board (the last run's are revoked); log the
    pages' addresses with them."""
    actor = Actor("system", "demo")
    now = utcnow()
    with write_session(engine) as session:
        names = [name for _kind, name, _path in DEMO_KEYS]
        for old in session.exec(select(MachineKey).where(col(MachineKey.name).in_(names))):
            if old.id is not None:
                key_store.revoke_key(session, actor, now, old.id, reason="demo restarted")
        made = [
            (path, key_store.create_key(
                session, secret, actor, now, kind=kind, name=name, scope=HALL, reason="demo key"
            )[1])
            for kind, name, path in DEMO_KEYS
        ]  # fmt: skip
    for path, value in made:
        log.warning("demo only: open %s%s?key=%s", base_url, path, value)
