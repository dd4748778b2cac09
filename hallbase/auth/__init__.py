"""People, roles and machine keys: who may call what, and the audit log of who changed what.

Routes declare their callers with `allow` (a FastAPI dependency); the shell serves login and
administration (`hallkeeper.api.routes.auth`) and the command line (`hallkeeper user/key/audit`).
"""

from hallbase.auth.audit import Actor
from hallbase.auth.errors import AuthError, auth_error
from hallbase.auth.guard import (
    PUBLIC,
    Rule,
    Target,
    allow,
    in_scope,
    require_scope,
    route_rules,
    rule_of,
    staff_in,
    unit_in,
    window_in,
)
from hallbase.auth.principal import ANONYMOUS, Grant, Principal
from hallbase.auth.roles import MACHINE_KINDS, ROLES, MachineKind, Role, Scope

__all__ = [
    "ANONYMOUS",
    "MACHINE_KINDS",
    "PUBLIC",
    "ROLES",
    "Actor",
    "AuthError",
    "Grant",
    "MachineKind",
    "Principal",
    "Role",
    "Rule",
    "Scope",
    "Target",
    "allow",
    "auth_error",
    "in_scope",
    "require_scope",
    "route_rules",
    "rule_of",
    "staff_in",
    "unit_in",
    "window_in",
]
