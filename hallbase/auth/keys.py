"""Machine keys and people's API tokens: issued once, stored as digests, revocable; audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from hallbase.auth import audit
from hallbase.auth.cache import forget_on_commit
from hallbase.auth.errors import refusal
from hallbase.auth.models import ApiToken, MachineKey
from hallbase.auth.roles import MachineKind, Scope, check_machine_scope
from hallbase.auth.tokens import API_TOKEN_MARK, MACHINE_KEY_MARK, digest, new_credential


def key_view(key: MachineKey) -> dict[str, Any]:
    """A machine key as listed (its prefix, never the key)."""
    return {
        "id": key.id,
        "kind": key.kind,
        "name": key.name,
        "prefix": key.prefix,
        "scope": str(Scope(key.scope_kind, key.scope_value)),  # type: ignore[arg-type]
        "created_at": key.created_at,
        "revoked_at": key.revoked_at,
        "last_used": key.last_used,
    }


def create_key(
    session: Session,
    secret: str,
    actor: audit.Actor,
    now: datetime,
    *,
    kind: MachineKind,
    name: str,
    scope: Scope,
    reason: str | None = None,
) -> tuple[MachineKey, str]:
    """A new machine key: the row, and the key itself (shown this once)."""
    try:
        check_machine_scope(scope)
    except ValueError as exc:
        raise refusal(422, "bad_value", why=str(exc)) from None
    value, prefix = new_credential(MACHINE_KEY_MARK)
    row = MachineKey(
        kind=kind,
        name=name,
        prefix=prefix,
        key_hash=digest(secret, value),
        scope_kind=scope.kind,
        scope_value=scope.value,
        created_at=now,
    )
    session.add(row)
    session.flush()
    after = {"kind": kind, "name": name, "prefix": prefix, "scope": str(scope)}
    audit.append(session, actor, "key.create", f"key:{row.id}", at=now, after=after, reason=reason)
    return row, value


def revoke_key(
    session: Session, actor: audit.Actor, now: datetime, key_id: int, reason: str | None = None
) -> MachineKey:
    """Revoke a machine key at once (revoking it again changes nothing)."""
    row = session.get(MachineKey, key_id)
    if row is None:
        raise refusal(404, "unknown_key", id=key_id)
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
        forget_on_commit(session)
        before = {"kind": row.kind, "name": row.name, "prefix": row.prefix}
        audit.append(
            session, actor, "key.revoke", f"key:{row.id}", at=now, before=before, reason=reason
        )
    return row


def token_view(token: ApiToken) -> dict[str, Any]:
    """An API token as its owner sees it listed (its prefix, never the token)."""
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "last_used": token.last_used,
    }


def create_token(
    session: Session,
    secret: str,
    actor: audit.Actor,
    now: datetime,
    *,
    account_id: int,
    username: str,
    name: str,
    days: int,
) -> tuple[ApiToken, str]:
    """A new bearer token of an account, valid ``days`` days: the row and the token (once)."""
    value, prefix = new_credential(API_TOKEN_MARK)
    row = ApiToken(
        account_id=account_id,
        name=name,
        prefix=prefix,
        token_hash=digest(secret, value),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    after = {"name": name, "prefix": prefix, "expires_at": row.expires_at.isoformat()}
    audit.append(session, actor, "token.create", f"account:{username}", at=now, after=after)
    return row, value


def revoke_token(
    session: Session,
    actor: audit.Actor,
    now: datetime,
    *,
    account_id: int,
    username: str,
    token_id: int,
) -> None:
    """Revoke one of an account's own tokens."""
    row = session.get(ApiToken, token_id)
    if row is None or row.account_id != account_id:
        raise refusal(404, "unknown_token", id=token_id)
    if row.revoked_at is None:
        row.revoked_at = now
        session.add(row)
        forget_on_commit(session)
        before = {"name": row.name, "prefix": row.prefix}
        audit.append(session, actor, "token.revoke", f"account:{username}", at=now, before=before)
