"""Who is calling: nobody, a person with roles and scopes, or a machine with its kind and scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from hallbase.auth.roles import Role, Scope

Via = Literal["none", "session", "bearer", "key"]


@dataclass(frozen=True)
class Grant:
    """One role held within one scope."""

    role: Role
    scope: Scope


@dataclass(frozen=True)
class Principal:
    """The caller of a request, resolved once per request (`hallbase.auth.resolve`)."""

    kind: Literal["anonymous", "person", "machine"]
    id: int | None = None  # the account's or the machine key's id
    name: str = ""
    username: str | None = None
    staff_no: str | None = None
    grants: tuple[Grant, ...] = ()
    machine_kind: str | None = None
    machine_scope: Scope | None = None
    via: Via = "none"
    csrf_token: str | None = field(default=None, repr=False)
    session_id: int | None = None

    @property
    def roles(self) -> frozenset[str]:
        """The roles held, whatever their scope."""
        return frozenset(g.role for g in self.grants)

    def has_role(self, *roles: str) -> bool:
        """True when a person holds any of ``roles``."""
        return any(g.role in roles for g in self.grants)

    def public(self) -> dict[str, Any]:
        """What `/api/v1/auth/me` shows (no secret but the caller's own CSRF token)."""
        out: dict[str, Any] = {"kind": self.kind, "name": self.name, "via": self.via}
        if self.kind == "person":
            out |= {
                "username": self.username,
                "staff_no": self.staff_no,
                "roles": [{"role": g.role, "scope": str(g.scope)} for g in self.grants],
            }
        elif self.kind == "machine":
            out |= {"machine_kind": self.machine_kind, "scope": str(self.machine_scope)}
        return out


ANONYMOUS = Principal("anonymous")
