"""`hallkeeper user|key|audit ...`: accounts and roles, machine keys, the audit chain's check.

The first administrator is made here (`hallkeeper user add NAME --role admin`); there is no
default password. A password is typed at a prompt (twice) or piped with ``--password-stdin``.
"""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.table import Table
from sqlmodel import col, select

from hallbase.auth import MACHINE_KINDS, ROLES, MachineKind, Role, Scope, audit
from hallbase.auth import accounts as account_store
from hallbase.auth import keys as key_store
from hallbase.auth.models import Account, MachineKey
from hallbase.auth.roles import default_scope
from hallbase.clock import utcnow
from hallbase.db import read_session, write_session
from hallbase.errors import CodedError
from hallkeeper.cli_common import cli_actor as _actor
from hallkeeper.cli_common import err, out
from hallkeeper.cli_common import fail as _fail
from hallkeeper.cli_common import open_hall as _open

user_app = typer.Typer(help="People who log in: accounts and their roles.")
key_app = typer.Typer(help="Machine keys of kiosks, boards, rating pads, keypad bridges.")
audit_app = typer.Typer(help="The hash-chained audit log.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        _fail("the two passwords differ")
    return first


def _scope(role: Role, text: str | None) -> Scope:
    try:
        return Scope.parse(text) if text else default_scope(role)
    except ValueError as exc:
        _fail(str(exc))


RoleOpt = Annotated[
    list[str], typer.Option("--role", help=f"repeatable; one of: {', '.join(ROLES)}")
]
ScopeOpt = Annotated[
    str | None,
    typer.Option(help="hall, self, unit:<code> or window:<number>; default: the role's own"),
]
StdinOpt = Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")]


def _roles(names: list[str]) -> list[Role]:
    unknown = [n for n in names if n not in ROLES]
    if unknown:
        _fail(f"unknown role {unknown[0]!r}; one of: {', '.join(ROLES)}")
    return names  # type: ignore[return-value]


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="login name")],
    role: RoleOpt,
    scope: ScopeOpt = None,
    staff_no: Annotated[str | None, typer.Option(help="link to this staff member (工号)")] = None,
    name: Annotated[str | None, typer.Option(help="display name; default: the username")] = None,
    password_stdin: StdinOpt = False,
) -> None:
    """Create an account with its roles; the password is asked for, never defaulted."""
    _settings, engine = _open()
    grants = [(r, _scope(r, scope)) for r in _roles(role)]
    password = _password(password_stdin)
    try:
        with write_session(engine) as session:
            account_store.create(
                session,
                _actor(),
                utcnow(),
                username=username,
                display_name=name or username,
                password=password,
                staff_no=staff_no,
                grants=grants,
            )
    except CodedError as exc:
        _fail(exc.message["en"])
    out.print(f"account {username} created: {', '.join(f'{r} ({s})' for r, s in grants)}")


@user_app.command("passwd")
def user_passwd(username: str, password_stdin: StdinOpt = False) -> None:
    """Set a new password (lifts a lockout, ends the account's sessions)."""
    _settings, engine = _open()
    password = _password(password_stdin)
    try:
        with write_session(engine) as session:
            account_store.set_password(session, _actor(), utcnow(), username, password)
    except CodedError as exc:
        _fail(exc.message["en"])
    out.print(f"password of {username} changed")


@user_app.command("grant")
def user_grant(
    username: str, role: Annotated[str, typer.Argument()], scope: ScopeOpt = None
) -> None:
    """Give an account one more role."""
    _settings, engine = _open()
    [checked] = _roles([role])
    try:
        with write_session(engine) as session:
            account_store.grant(
                session, _actor(), utcnow(), username, checked, _scope(checked, scope)
            )
    except CodedError as exc:
        _fail(exc.message["en"])
    out.print(f"{username} now holds {role} ({_scope(checked, scope)})")


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable an account: its sessions end, its tokens stop working."""
    _settings, engine = _open()
    try:
        with write_session(engine) as session:
            account_store.set_active(session, _actor(), utcnow(), username, False)
    except CodedError as exc:
        _fail(exc.message["en"])
    out.print(f"account {username} disabled")


@user_app.command("list")
def user_list() -> None:
    """Every account with its roles."""
    _settings, engine = _open()
    table = Table("username", "name", "staff_no", "active", "roles")
    with read_session(engine) as session:
        for account in session.exec(select(Account).order_by(col(Account.username))):
            shown = account_store.view(session, account)
            roles = ", ".join(f"{g['role']} ({g['scope']})" for g in shown["roles"])
            active = "yes" if account.active else "no"
            table.add_row(
                account.username, account.display_name, account.staff_no or "", active, roles
            )
    out.print(table)


@key_app.command("add")
def key_add(
    name: Annotated[str, typer.Argument(help="where the machine is (e.g. 大厅1号取号机)")],
    kind: Annotated[str, typer.Option(help=f"one of: {', '.join(MACHINE_KINDS)}")],
    scope: Annotated[str, typer.Option(help="hall, unit:<code> or window:<number>")] = "hall",
) -> None:
    """Issue a machine key; it is printed this once and stored only as a digest."""
    settings, engine = _open()
    if kind not in MACHINE_KINDS:
        _fail(f"unknown kind {kind!r}; one of: {', '.join(MACHINE_KINDS)}")
    machine: MachineKind = kind
    try:
        parsed = Scope.parse(scope)
        with write_session(engine) as session:
            row, value = key_store.create_key(
                session, settings.auth_secret, _actor(), utcnow(), kind=machine, name=name,
                scope=parsed,
            )  # fmt: skip
            key_id = row.id
    except (CodedError, ValueError) as exc:
        _fail(exc.message["en"] if isinstance(exc, CodedError) else str(exc))
    out.print(f"key {key_id} for {kind} {name} ({parsed}), shown only now:")
    out.print(value, highlight=False)


@key_app.command("list")
def key_list() -> None:
    """Machine keys: prefix, kind, scope, last used, revoked."""
    _settings, engine = _open()
    table = Table("id", "prefix", "kind", "name", "scope", "last used", "revoked")
    with read_session(engine) as session:
        for row in session.exec(select(MachineKey).order_by(col(MachineKey.id))):
            shown = key_store.key_view(row)
            table.add_row(
                str(row.id), row.prefix, row.kind, row.name, shown["scope"],
                str(row.last_used or ""), str(row.revoked_at or ""),
            )  # fmt: skip
    out.print(table)


@key_app.command("revoke")
def key_revoke(key_id: Annotated[int, typer.Argument(help="the key's id (see key list)")]) -> None:
    """Revoke a machine key at once."""
    _settings, engine = _open()
    try:
        with write_session(engine) as session:
            key_store.revoke_key(session, _actor(), utcnow(), key_id)
    except CodedError as exc:
        _fail(exc.message["en"])
    out.print(f"key {key_id} revoked")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the chain: exit 0 when intact, 1 naming the first broken entry."""
    _settings, engine = _open()
    with read_session(engine) as session:
        verdict = audit.verify(session)
    if verdict.intact:
        out.print(f"chain intact, {verdict.count} entries")
        return
    err.print(
        f"chain broken at entry {verdict.broken_seq}: {verdict.reason} ({verdict.detail})",
        highlight=False,
    )
    raise typer.Exit(1)
