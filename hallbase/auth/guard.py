"""`allow(...)`: the one dependency by which a route says who may call it.

    @router.post("/{number}/call-next", dependencies=[allow("staff", "window_lead",
                 machines=("keypad_bridge",), scope=window_in("number"))])
    def call_next(..., who: Annotated[Principal, allow(...)]) -> ...

No credential: 401 with ``WWW-Authenticate``; a person without the role or a machine of another
kind: 403 ``forbidden``; the role or key but not for this window, unit or person: 403
``out_of_scope``; a cookie-authenticated change without the session's CSRF token: 403
``csrf_failed``. Bearer tokens and machine keys need no CSRF token (no browser sends them
by itself).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session, col, or_, select

from hallbase.auth.errors import AuthError, unauthenticated
from hallbase.auth.principal import ANONYMOUS, Principal
from hallbase.auth.resolve import aresolve
from hallbase.auth.roles import MachineKind, Role, Scope
from hallbase.auth.tokens import same
from hallbase.db import read_session
from hallbase.models import Staff, Window

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Target:
    """What a request acts on, for the scope check: a window, a staff member or a unit."""

    window: int | None = None
    staff_no: str | None = None
    unit: str | None = None


TargetOf = Callable[[Request], Target | None]


def _param(request: Request, name: str) -> str | None:
    value = request.path_params.get(name)
    return str(value) if value is not None else request.query_params.get(name)


def window_in(param: str = "number") -> TargetOf:
    """The window numbered by path or query parameter ``param``."""

    def target(request: Request) -> Target | None:
        value = _param(request, param)
        ok = value is not None and value.isascii() and value.isdigit() and len(value) <= 9
        return Target(window=int(value)) if ok and value is not None else None

    return target


def staff_in(param: str = "staff_no") -> TargetOf:
    """The staff member (工号) named by path or query parameter ``param``."""

    def target(request: Request) -> Target | None:
        value = _param(request, param)
        return Target(staff_no=value) if value else None

    return target


def unit_in(param: str = "code") -> TargetOf:
    """The unit named by path or query parameter ``param``."""

    def target(request: Request) -> Target | None:
        value = _param(request, param)
        return Target(unit=value) if value else None

    return target


def _posts(session: Session, number: int) -> list[Staff]:
    """The staff on window ``number``'s A and B posts."""
    window = session.exec(select(Window).where(col(Window.number) == number)).first()
    if window is None:
        return []
    posts = [p for p in (window.a_post, window.b_post) if p]
    return list(session.exec(select(Staff).where(col(Staff.staff_no).in_(posts))))


def covers(session: Session, scope: Scope, target: Target, own_staff_no: str | None) -> bool:
    """True when ``scope`` (held by someone with ``own_staff_no``) reaches ``target``."""
    if scope.kind == "hall":
        return True
    if target.window is not None:
        if scope.kind == "window":
            return scope.value == str(target.window)
        posts = _posts(session, target.window)
        if scope.kind == "unit":
            return any(p.unit_code == scope.value for p in posts)
        return own_staff_no is not None and any(p.staff_no == own_staff_no for p in posts)
    if target.staff_no is not None:
        if scope.kind == "self":
            return own_staff_no is not None and target.staff_no == own_staff_no
        if scope.kind == "unit":
            unit = session.exec(
                select(Staff.unit_code).where(col(Staff.staff_no) == target.staff_no)
            ).first()
            return unit == scope.value
        on_window = session.exec(
            select(Window.id).where(
                col(Window.number) == int(scope.value),
                or_(col(Window.a_post) == target.staff_no, col(Window.b_post) == target.staff_no),
            )
        ).first()
        return on_window is not None
    if target.unit is not None:
        return scope.kind == "unit" and scope.value == target.unit
    return False


def _quick(scope: Scope, target: Target) -> bool | None:
    """Whether ``scope`` reaches ``target`` when that needs no database, else None."""
    if scope.kind == "hall":
        return True
    if target.window is not None and scope.kind == "window":
        return scope.value == str(target.window)
    return None


def quick_scope(principal: Principal, target: Target, roles: Iterable[str] | None) -> bool | None:
    """`in_scope` when it needs no database (hall and window scopes), else None."""
    if principal.kind == "machine":
        scope = principal.machine_scope
        return False if scope is None else _quick(scope, target)
    wanted = None if roles is None else frozenset(roles)
    answer: bool | None = False
    for grant in principal.grants:
        if wanted is not None and grant.role not in wanted:
            continue
        quick = _quick(grant.scope, target)
        if quick:
            return True
        if quick is None:
            answer = None
    return answer


def in_scope(
    session: Session, principal: Principal, target: Target, roles: Iterable[str] | None = None
) -> bool:
    """True when the caller's key, or one of its grants (of ``roles``, default any), reaches
    ``target``. For handlers whose target is in the body, after `allow` let the caller in."""
    if principal.kind == "machine":
        scope = principal.machine_scope
        return scope is not None and covers(session, scope, target, None)
    wanted = None if roles is None else frozenset(roles)
    return any(
        covers(session, g.scope, target, principal.staff_no)
        for g in principal.grants
        if wanted is None or g.role in wanted
    )


def require_scope(
    session: Session, principal: Principal, target: Target, roles: Iterable[str] | None = None
) -> None:
    """`in_scope` or 403 ``out_of_scope``."""
    if not in_scope(session, principal, target, roles):
        raise AuthError(403, "out_of_scope")


async def _form_csrf(request: Request) -> str | None:
    """A form's ``csrf_token`` field, read only for a cookie's change without the header."""
    if request.method in SAFE_METHODS or request.headers.get(CSRF_HEADER):
        return None
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return None
    value = (await request.form()).get(CSRF_FIELD)
    return value if isinstance(value, str) else None


def _in_scope(engine: Engine, who: Principal, target: Target, roles: frozenset[str]) -> bool:
    with read_session(engine) as session:
        return in_scope(session, who, target, roles)


@dataclass(frozen=True)
class Rule:
    """Who may call a route (see `allow`); the authorization matrix reads it off each route."""

    roles: frozenset[str]
    machines: frozenset[str]
    scope: TargetOf | None
    anonymous: bool


class Guard:
    """The dependency `allow` builds: resolves the caller and applies its `Rule`."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    async def __call__(self, request: Request) -> Principal:
        # A coroutine: a plain function dependency costs a worker-thread hop per request.
        # The form's token is read here, only when needed, not by a sub-dependency: each
        # dependency level costs FastAPI's resolution on every request, whoever calls.
        rule = self.rule
        found = await aresolve(request)
        who = found.principal
        if who.via == "session" and request.method not in SAFE_METHODS:
            given = request.headers.get(CSRF_HEADER) or await _form_csrf(request) or ""
            if not (who.csrf_token and same(given, who.csrf_token)):
                if rule.anonymous:
                    return ANONYMOUS  # a public route: taken as anyone's, never as theirs
                raise AuthError(403, "csrf_failed")
        if rule.anonymous:
            return who
        if who.kind == "anonymous":
            raise unauthenticated(found.problem or "auth_required")
        if not self._admits(who):
            raise AuthError(403, "forbidden")
        if rule.scope is not None and not await self._reaches(request, who):
            raise AuthError(403, "out_of_scope")
        return who

    def _admits(self, who: Principal) -> bool:
        if who.kind == "machine":
            return who.machine_kind in self.rule.machines
        return who.has_role(*self.rule.roles)

    async def _reaches(self, request: Request, who: Principal) -> bool:
        assert self.rule.scope is not None
        target = self.rule.scope(request)
        if target is None:  # not a window or person at all: the hall's scope only (then 422)
            return quick_scope(who, Target(), self.rule.roles) is True
        quick = quick_scope(who, target, self.rule.roles)
        if quick is not None:
            return quick
        engine: Engine = request.app.state.engine
        return await anyio.to_thread.run_sync(_in_scope, engine, who, target, self.rule.roles)


def allow(
    *roles: Role,
    machines: Iterable[MachineKind] = (),
    scope: TargetOf | None = None,
    anonymous: bool = False,
) -> Any:
    """A dependency admitting persons holding any of ``roles`` and machines of the kinds in
    ``machines``; with ``scope``, only those whose grant or key reaches the request's target.
    ``anonymous=True`` marks a public route (the caller, if any, is still resolved).
    Use it in ``dependencies=[...]`` or as ``who: Annotated[Principal, allow(...)]``."""
    rule = Rule(frozenset(roles), frozenset(machines), scope, anonymous)
    return Depends(Guard(rule))


def rule_of(dependency: object) -> Rule | None:
    """The rule of an `allow` dependency's callable, else None (for the authorization matrix)."""
    return dependency.rule if isinstance(dependency, Guard) else None


def api_routes(app: Any) -> list[Any]:
    """Every API route of ``app`` as served (prefixes and routers' dependencies applied): each
    has ``path``, ``methods``, ``endpoint`` and ``dependant``, for `route_rules`."""
    from fastapi.routing import iter_route_contexts

    return [r for r in iter_route_contexts(app.routes) if getattr(r, "dependant", None)]


def route_rules(route: object) -> list[Rule]:
    """Every `allow` rule a FastAPI route depends on, however deep (none: nobody said)."""
    dependant = getattr(route, "dependant", None)
    stack = list(dependant.dependencies) if dependant is not None else []
    found = []
    while stack:
        dependency = stack.pop()
        rule = rule_of(dependency.call)
        if rule is not None:
            found.append(rule)
        stack.extend(dependency.dependencies)
    return found


PUBLIC = allow(anonymous=True)
