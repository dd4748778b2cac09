"""The demo's people: accounts with published passwords, for the simulated hall only.

`hallkeeper demo` creates them in its own temporary database and prints the passwords in its
log; nothing else ever creates an account with a password it did not ask for.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlmodel import select

from hallbase.auth import Actor, Role, Scope
from hallbase.auth import accounts as account_store
from hallbase.auth.models import Account
from hallbase.auth.roles import default_scope
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
