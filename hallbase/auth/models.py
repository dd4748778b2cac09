"""The tables of people, their roles, their credentials, machine keys and the audit log.

No secret is stored as given: passwords as argon2 hashes, session cookies, API tokens and
machine keys as keyed digests (`hallbase.auth.tokens.digest`). The audit log is append-only:
each entry carries the hash of the one before it (`hallbase.auth.audit`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from hallbase.models.types import UTCDateTime


class Account(SQLModel, table=True):
    """A person who logs in: a staff member (linked by 工号) or an office user."""

    __tablename__ = "auth_account"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=40, unique=True, index=True)
    display_name: str = Field(max_length=40)
    # A soft link to staff.staff_no: checked when set; a staff row may go while the account stays.
    staff_no: str | None = Field(default=None, max_length=20, index=True)
    password_hash: str = Field(max_length=200)
    active: bool = True
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    changed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class RoleGrant(SQLModel, table=True):
    """One role of an account with its scope: the hall, a unit, a window, or oneself."""

    __tablename__ = "auth_grant"
    __table_args__ = (UniqueConstraint("account_id", "role", "scope_kind", "scope_value"),)
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("auth_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    role: str = Field(max_length=20)
    scope_kind: str = Field(max_length=10)  # hall | unit | window | self
    scope_value: str = Field(default="", max_length=20)  # unit code or window number


class LoginSession(SQLModel, table=True):
    """A logged-in browser: the cookie's digest, its CSRF token and its two expiries."""

    __tablename__ = "auth_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("auth_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_seen: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    address: str = Field(default="", max_length=64)


class ApiToken(SQLModel, table=True):
    """A person's named bearer token for API clients: expiring and revocable."""

    __tablename__ = "auth_api_token"
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("auth_account.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=40)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_used: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class MachineKey(SQLModel, table=True):
    """A kiosk's, board's, rating pad's, keypad bridge's or terminal's key, with its scope."""

    __tablename__ = "auth_machine_key"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    name: str = Field(max_length=40)
    prefix: str = Field(max_length=16)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    scope_kind: str = Field(max_length=10)  # hall | unit | window
    scope_value: str = Field(default="", max_length=20)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    last_used: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AuditEntry(SQLModel, table=True):
    """One entry of the append-only log: who changed what, from what, to what, and why.

    ``before`` and ``after`` are canonical JSON text, so that the stored bytes are the hashed
    ones on every database.
    """

    __tablename__ = "audit_log"
    seq: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    actor_kind: str = Field(max_length=10)  # person | machine | cli | system
    actor_id: int | None = None
    actor_name: str = Field(max_length=80)
    action: str = Field(max_length=40, index=True)
    target: str = Field(max_length=120)
    before: str | None = Field(default=None, sa_column=Column(Text))
    after: str | None = Field(default=None, sa_column=Column(Text))
    reason: str | None = Field(default=None, max_length=500)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditHead(SQLModel, table=True):
    """The log's last sequence number and hash (one row): appends take their turn on it, and
    it shows when entries were cut off the end."""

    __tablename__ = "audit_head"
    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(max_length=64)
