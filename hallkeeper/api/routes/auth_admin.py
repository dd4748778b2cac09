"""The administrator's routes: accounts and their roles, machine keys, and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import col, select

from hallbase.auth import Actor, MachineKind, Principal, Role, Scope, allow, audit
from hallbase.auth import accounts as account_store
from hallbase.auth import keys as key_store
from hallbase.auth.errors import refusal
from hallbase.auth.models import Account, AuditEntry, MachineKey
from hallbase.auth.resolve import now_of
from hallbase.auth.roles import default_scope
from hallbase.deps import PageDep, ReadSessionDep, SessionDep, SettingsDep
from hallbase.fields import DbInt, OneLine
from hallkeeper.api.routes.auth import Name, Password, Reason, Username

router = APIRouter()
audit_router = APIRouter()
ADMIN = allow("admin")
ScopeText = Annotated[
    str, Field(pattern=r"^(hall|self|unit:[A-Za-z0-9_-]{1,20}|window:[0-9]{1,9})$")
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GrantBody(_In):
    role: Role
    scope: ScopeText | None = None  # default: the role's (hall; staff: self)
    reason: Reason | None = None


class AccountBody(_In):
    username: Username
    display_name: Name
    password: Password
    staff_no: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,20}$")] | None = None
    roles: list[GrantBody] = Field(default=[], max_length=20)
    reason: Reason | None = None


class ReasonBody(_In):
    reason: Reason | None = None


class PasswordBody(_In):
    password: Password
    reason: Reason | None = None


class KeyBody(_In):
    kind: MachineKind
    name: Name
    scope: ScopeText = "hall"
    reason: Reason | None = None


def _scope(role: Role, text: str | None) -> Scope:
    try:
        return Scope.parse(text) if text else default_scope(role)
    except ValueError as exc:
        raise refusal(422, "bad_value", why=str(exc)) from None


@router.get("/accounts")
def list_accounts(
    session: ReadSessionDep, page: PageDep, _who: Annotated[Principal, ADMIN]
) -> dict[str, Any]:
    """Every account with its roles, by username."""
    total = session.exec(select(func.count()).select_from(Account)).one()
    rows = session.exec(
        select(Account).order_by(col(Account.username)).limit(page.limit).offset(page.offset)
    ).all()
    return {"data": [account_store.view(session, r) for r in rows], "count": total, **page.echo()}


@router.post("/accounts", status_code=201)
def create_account(
    request: Request, body: AccountBody, session: SessionDep, who: Annotated[Principal, ADMIN]
) -> dict[str, Any]:
    """A new account; its first password is given here and never shown again."""
    grants = [(g.role, _scope(g.role, g.scope)) for g in body.roles]
    account = account_store.create(
        session,
        Actor.of(who),
        now_of(request),
        username=body.username,
        display_name=body.display_name,
        password=body.password,
        staff_no=body.staff_no,
        grants=grants,
        reason=body.reason,
    )
    return account_store.view(session, account)


@router.get("/accounts/{username}")
def get_account(
    username: Username, session: ReadSessionDep, _who: Annotated[Principal, ADMIN]
) -> dict[str, Any]:
    """One account with its roles."""
    return account_store.view(session, account_store.find(session, username))


@router.post("/accounts/{username}/disable")
def disable_account(
    request: Request,
    username: Username,
    body: ReasonBody,
    session: SessionDep,
    who: Annotated[Principal, ADMIN],
) -> dict[str, Any]:
    """Disable an account: its sessions end and its tokens stop working."""
    account = account_store.set_active(
        session, Actor.of(who), now_of(request), username, False, body.reason
    )
    return account_store.view(session, account)


@router.post("/accounts/{username}/enable")
def enable_account(
    request: Request,
    username: Username,
    body: ReasonBody,
    session: SessionDep,
    who: Annotated[Principal, ADMIN],
) -> dict[str, Any]:
    """Enable a disabled account again."""
    account = account_store.set_active(
        session, Actor.of(who), now_of(request), username, True, body.reason
    )
    return account_store.view(session, account)


@router.post("/accounts/{username}/password", status_code=204)
def reset_password(
    request: Request,
    username: Username,
    body: PasswordBody,
    session: SessionDep,
    who: Annotated[Principal, ADMIN],
) -> Response:
    """Set a new password: the lockout is lifted and the account's sessions end."""
    account_store.set_password(
        session, Actor.of(who), now_of(request), username, body.password, body.reason
    )
    return Response(status_code=204)


@router.post("/accounts/{username}/grants", status_code=201)
def add_grant(
    request: Request,
    username: Username,
    body: GrantBody,
    session: SessionDep,
    who: Annotated[Principal, ADMIN],
) -> dict[str, Any]:
    """Give the account a role within a scope."""
    scope = _scope(body.role, body.scope)
    row = account_store.grant(
        session, Actor.of(who), now_of(request), username, body.role, scope, body.reason
    )
    return {"id": row.id, "role": row.role, "scope": str(scope)}


@router.delete("/accounts/{username}/grants/{grant_id}", status_code=204)
def remove_grant(
    request: Request,
    username: Username,
    grant_id: DbInt,
    session: SessionDep,
    who: Annotated[Principal, ADMIN],
    reason: Annotated[OneLine | None, Query(max_length=200)] = None,
) -> Response:
    """Take a role away (``?reason=`` is logged)."""
    account_store.revoke(session, Actor.of(who), now_of(request), username, grant_id, reason)
    return Response(status_code=204)


@router.get("/keys")
def list_keys(
    session: ReadSessionDep, page: PageDep, _who: Annotated[Principal, ADMIN]
) -> dict[str, Any]:
    """Machine keys, newest first: prefixes, scopes, when last used; never the keys."""
    total = session.exec(select(func.count()).select_from(MachineKey)).one()
    rows = session.exec(
        select(MachineKey).order_by(col(MachineKey.id).desc()).limit(page.limit).offset(page.offset)
    ).all()
    return {"data": [key_store.key_view(r) for r in rows], "count": total, **page.echo()}


@router.post("/keys", status_code=201)
def create_key(
    request: Request,
    body: KeyBody,
    session: SessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, ADMIN],
) -> dict[str, Any]:
    """A new machine key, shown this once: put it in the device's or page's settings."""
    try:
        scope = Scope.parse(body.scope)
    except ValueError as exc:
        raise refusal(422, "bad_value", why=str(exc)) from None
    row, value = key_store.create_key(
        session,
        settings.auth_secret,
        Actor.of(who),
        now_of(request),
        kind=body.kind,
        name=body.name,
        scope=scope,
        reason=body.reason,
    )
    return {"key": value, **key_store.key_view(row)}


@router.delete("/keys/{key_id}", status_code=204)
def revoke_key(
    request: Request,
    key_id: DbInt,
    session: SessionDep,
    who: Annotated[Principal, ADMIN],
    reason: Annotated[OneLine | None, Query(max_length=200)] = None,
) -> Response:
    """Revoke a machine key at once (``?reason=`` is logged)."""
    key_store.revoke_key(session, Actor.of(who), now_of(request), key_id, reason)
    return Response(status_code=204)


@audit_router.get("")
def read_audit(
    session: ReadSessionDep, page: PageDep, _who: Annotated[Principal, ADMIN]
) -> dict[str, Any]:
    """The audit log, newest first."""
    total = session.exec(select(func.count()).select_from(AuditEntry)).one()
    rows = session.exec(
        select(AuditEntry)
        .order_by(col(AuditEntry.seq).desc())
        .limit(page.limit)
        .offset(page.offset)
    ).all()
    return {"data": [audit.entry_view(r) for r in rows], "count": total, **page.echo()}
