"""Accounts and their roles: create, disable, reset a password, grant and revoke; all audited.

Each function works in the caller's transaction and appends its audit entry there. Refusals
are coded errors (422 bad value, 404 unknown, 409 conflict).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from hallbase.auth import audit
from hallbase.auth.cache import forget_on_commit
from hallbase.auth.errors import refusal
from hallbase.auth.models import Account, LoginSession, RoleGrant
from hallbase.auth.passwords import check_new_password, hash_password
from hallbase.auth.roles import Role, Scope, check_grant
from hallbase.models import Staff


def view(session: Session, account: Account) -> dict[str, Any]:
    """An account as the API shows it (never its hash)."""
    grants = session.exec(
        select(RoleGrant).where(col(RoleGrant.account_id) == account.id).order_by(col(RoleGrant.id))
    )
    return {
        "username": account.username,
        "display_name": account.display_name,
        "staff_no": account.staff_no,
        "active": account.active,
        "locked_until": account.locked_until,
        "created_at": account.created_at,
        "changed_at": account.changed_at,
        "roles": [
            {"id": g.id, "role": g.role, "scope": str(Scope(g.scope_kind, g.scope_value))}  # type: ignore[arg-type]
            for g in grants
        ],
    }


def find(session: Session, username: str) -> Account:
    """The account named ``username``, or 404."""
    account = session.exec(select(Account).where(col(Account.username) == username)).first()
    if account is None:
        raise refusal(404, "unknown_account", username=username)
    return account


def _password(password: str, username: str) -> str:
    try:
        check_new_password(password, username)
    except ValueError as exc:
        raise refusal(422, "bad_value", why=str(exc)) from None
    return hash_password(password)


def _check_grant(role: Role, scope: Scope) -> None:
    try:
        check_grant(role, scope)
    except ValueError as exc:
        raise refusal(422, "bad_value", why=str(exc)) from None


def create(
    session: Session,
    actor: audit.Actor,
    now: datetime,
    *,
    username: str,
    display_name: str,
    password: str,
    staff_no: str | None = None,
    grants: Iterable[tuple[Role, Scope]] = (),
    reason: str | None = None,
) -> Account:
    """A new active account with its grants."""
    if session.exec(select(Account.id).where(col(Account.username) == username)).first():
        raise refusal(409, "username_taken", username=username)
    if staff_no is not None:
        known = session.exec(select(Staff.id).where(col(Staff.staff_no) == staff_no)).first()
        if known is None:
            raise refusal(422, "unknown_staff_no", staff_no=staff_no)
    wanted = sorted(set(grants))
    for role, scope in wanted:
        _check_grant(role, scope)
    account = Account(
        username=username,
        display_name=display_name,
        staff_no=staff_no,
        password_hash=_password(password, username),
        created_at=now,
        changed_at=now,
    )
    session.add(account)
    session.flush()
    for role, scope in wanted:
        session.add(
            RoleGrant(
                account_id=account.id,  # type: ignore[arg-type]
                role=role,
                scope_kind=scope.kind,
                scope_value=scope.value,
            )
        )
    session.flush()
    after = view(session, account)
    audit.append(
        session,
        actor,
        "account.create",
        f"account:{username}",
        at=now,
        after=_audited(after),
        reason=reason,
    )
    return account


def _audited(shown: dict[str, Any]) -> dict[str, Any]:
    """An account's view as JSON-ready values for the audit log."""
    return {
        k: (v.isoformat() if isinstance(v, datetime) else v)
        for k, v in shown.items()
        if k not in ("created_at", "changed_at")
    }


def _admins(session: Session, but: int | None = None) -> int:
    """Active accounts holding admin, leaving out account ``but``."""
    query = (
        select(func.count(func.distinct(Account.id)))
        .join(RoleGrant, col(RoleGrant.account_id) == col(Account.id))
        .where(col(RoleGrant.role) == "admin", col(Account.active))
    )
    if but is not None:
        query = query.where(col(Account.id) != but)
    return int(session.exec(query).one())


def _is_admin(session: Session, account: Account) -> bool:
    found = session.exec(
        select(RoleGrant.id).where(
            col(RoleGrant.account_id) == account.id, col(RoleGrant.role) == "admin"
        )
    ).first()
    return found is not None


def set_active(
    session: Session,
    actor: audit.Actor,
    now: datetime,
    username: str,
    active: bool,
    reason: str | None = None,
) -> Account:
    """Enable or disable an account; disabling ends its sessions (its tokens stop working)."""
    account = find(session, username)
    last_admin = _is_admin(session, account) and _admins(session, but=account.id) == 0
    if not active and account.active and last_admin:
        raise refusal(409, "last_admin")
    before = account.active
    account.active = active
    account.changed_at = now
    if not active:
        session.exec(delete(LoginSession).where(col(LoginSession.account_id) == account.id))
    session.add(account)
    action = "account.enable" if active else "account.disable"
    forget_on_commit(session)
    audit.append(
        session,
        actor,
        action,
        f"account:{username}",
        at=now,
        before={"active": before},
        after={"active": active},
        reason=reason,
    )
    return account


def set_password(
    session: Session,
    actor: audit.Actor,
    now: datetime,
    username: str,
    password: str,
    reason: str | None = None,
) -> Account:
    """A new password; the lockout is lifted and every session of the account ends."""
    account = find(session, username)
    account.password_hash = _password(password, username)
    account.failed_logins = 0
    account.locked_until = None
    account.changed_at = now
    session.add(account)
    session.exec(delete(LoginSession).where(col(LoginSession.account_id) == account.id))
    forget_on_commit(session)
    # The log says that the password changed, never anything about it.
    audit.append(session, actor, "account.password", f"account:{username}", at=now, reason=reason)
    return account


def grant(
    session: Session,
    actor: audit.Actor,
    now: datetime,
    username: str,
    role: Role,
    scope: Scope,
    reason: str | None = None,
) -> RoleGrant:
    """Give ``role`` within ``scope`` (a grant already held is returned as it is)."""
    account = find(session, username)
    _check_grant(role, scope)
    held = session.exec(
        select(RoleGrant).where(
            col(RoleGrant.account_id) == account.id,
            col(RoleGrant.role) == role,
            col(RoleGrant.scope_kind) == scope.kind,
            col(RoleGrant.scope_value) == scope.value,
        )
    ).first()
    if held is not None:
        return held
    row = RoleGrant(
        account_id=account.id,  # type: ignore[arg-type]
        role=role,
        scope_kind=scope.kind,
        scope_value=scope.value,
    )
    session.add(row)
    account.changed_at = now
    session.add(account)
    session.flush()
    forget_on_commit(session)
    after = {"role": role, "scope": str(scope)}
    audit.append(
        session, actor, "grant.add", f"account:{username}", at=now, after=after, reason=reason
    )
    return row


def revoke(
    session: Session,
    actor: audit.Actor,
    now: datetime,
    username: str,
    grant_id: int,
    reason: str | None = None,
) -> None:
    """Take a grant away; the last active admin keeps theirs."""
    account = find(session, username)
    row = session.get(RoleGrant, grant_id)
    if row is None or row.account_id != account.id:
        raise refusal(404, "unknown_grant", id=grant_id)
    if row.role == "admin" and account.active:
        others = session.exec(
            select(func.count()).where(
                col(RoleGrant.account_id) == account.id,
                col(RoleGrant.role) == "admin",
                col(RoleGrant.id) != grant_id,
            )
        ).one()
        if others == 0 and _admins(session, but=account.id) == 0:
            raise refusal(409, "last_admin")
    before = {"role": row.role, "scope": str(Scope(row.scope_kind, row.scope_value))}  # type: ignore[arg-type]
    session.delete(row)
    account.changed_at = now
    session.add(account)
    forget_on_commit(session)
    audit.append(
        session, actor, "grant.remove", f"account:{username}", at=now, before=before, reason=reason
    )
