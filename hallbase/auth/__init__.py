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
    api_routes,
    in_scope,
    require_scope,
    route_rules,
    rule_of,
    staff_in,
    unit_in,
    window_in,
)
from hallbase.auth.principal import ANONYMOUS, Grant, Principal
from hallbase.auth.roles import HALL_WIDE, MACHINE_KINDS, OFFICE, ROLES, MachineKind, Role, Scope
from hallbase.auth.trail import log_change

__all__ = [
    "ANONYMOUS",
    "HALL_WIDE",
    "MACHINE_KINDS",
    "OFFICE",
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
    "api_routes",
    "auth_error",
    "in_scope",
    "log_change",
    "require_scope",
    "route_rules",
    "rule_of",
    "staff_in",
    "unit_in",
    "window_in",
]
