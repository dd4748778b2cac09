"""The admin's pages for who may do what: accounts and their roles, machine keys, and the
audit log (read-only, filterable)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import col, select

from hallbase.auth import Principal, audit
from hallbase.auth import accounts as account_store
from hallbase.auth.keys import key_view
from hallbase.auth.models import Account, AuditEntry, MachineKey
from hallbase.auth.roles import MACHINE_KINDS, ROLES
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.words import label
from hallkeeper.office.common import ADMIN_PAGE, ROOT, frame, render
from hallkeeper.office.forms import Form, Input

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, ADMIN_PAGE]
API = "/api/v1/auth"
AUDIT_PAGE_SIZE = 50


@router.get(f"{ROOT}/accounts", response_class=HTMLResponse)
def accounts_page(
    request: Request, session: ReadSessionDep, who: Admin, lang: str | None = None
) -> HTMLResponse:
    """Accounts with their roles and scopes; forms to add one, reset a password, grant a role."""
    page = frame(request, session, who, lang, "accounts")
    language = page["lang"]
    rows = session.exec(select(Account).order_by(col(Account.username))).all()
    accounts = [account_store.view(session, a) for a in rows]
    roles = tuple((r, label("role", r, language)) for r in ROLES)
    names = tuple((a["username"], a["display_name"]) for a in accounts)
    hint = page["w"]["hint.scope"]
    create = Form(
        id="account-form",
        create_url=f"{API}/accounts",
        inputs=(
            Input("username", required=True, hint=page["w"]["hint.username"]),
            Input("display_name", required=True),
            Input("password", "password", required=True),
            Input("staff_no", clearable=True),
            Input("roles.0.role", "select", roles, required=True, label="role", default="staff"),
            Input("roles.0.scope", label="scope", hint=hint),
        ),
    )
    password = Form(
        id="password-form",
        create_url=f"{API}/accounts/{{key}}/password",
        inputs=(
            Input("username", "select", names, create_only=True, required=True),
            Input("password", "password", required=True),
        ),
    )
    grant = Form(
        id="grant-form",
        create_url=f"{API}/accounts/{{key}}/grants",
        inputs=(
            Input("username", "select", names, create_only=True, required=True),
            Input("role", "select", roles, required=True),
            Input("scope", hint=hint),
        ),
    )
    context = {**page, "accounts": accounts, "forms": (create, password, grant)}
    return render(request, "office_accounts.html", context)


@router.get(f"{ROOT}/keys", response_class=HTMLResponse)
def keys_page(
    request: Request, session: ReadSessionDep, who: Admin, lang: str | None = None
) -> HTMLResponse:
    """Machine keys (prefixes only), the form issuing one (shown once) and revoking."""
    page = frame(request, session, who, lang, "keys")
    rows = session.exec(select(MachineKey).order_by(col(MachineKey.id).desc())).all()
    form = Form(
        id="key-form",
        create_url=f"{API}/keys",
        inputs=(
            Input("kind", "select", tuple((k, page["w"][f"machine.{k}"]) for k in MACHINE_KINDS),
                  required=True),
            Input("name", required=True),
            Input("scope", default="hall", hint=page["w"]["hint.key_scope"]),
        ),
    )  # fmt: skip
    return render(
        request, "office_keys.html", {**page, "keys": [key_view(r) for r in rows], "form": form}
    )


@router.get(f"{ROOT}/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Admin,
    lang: str | None = None,
    action: Annotated[str, Query(max_length=40)] = "",
    actor: Annotated[str, Query(max_length=80)] = "",
    target: Annotated[str, Query(max_length=120)] = "",
    date_from: date | None = None,
    date_to: date | None = None,
    page_no: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The audit log, newest first, filtered by action (a prefix: ``staff.`` finds every
    staff change), actor, target and days."""
    page = frame(request, session, who, lang, "audit")
    query = select(AuditEntry)
    if action:
        query = query.where(col(AuditEntry.action).startswith(action))
    if actor:
        query = query.where(col(AuditEntry.actor_name).contains(actor))
    if target:
        query = query.where(col(AuditEntry.target).contains(target))
    if date_from:
        start = datetime.combine(date_from, time(0), settings.zone)
        query = query.where(col(AuditEntry.at) >= start)
    if date_to:
        end = datetime.combine(date_to + timedelta(days=1), time(0), settings.zone)
        query = query.where(col(AuditEntry.at) < end)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(AuditEntry.seq).desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset((page_no - 1) * AUDIT_PAGE_SIZE)
    ).all()
    entries: list[dict[str, Any]] = []
    for row in rows:
        view = audit.entry_view(row)
        view["at_local"] = row.at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M:%S")
        entries.append(view)
    filters = {
        "action": action,
        "actor": actor,
        "target": target,
        "date_from": date_from.isoformat() if date_from else "",
        "date_to": date_to.isoformat() if date_to else "",
    }
    actions = session.exec(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    context = {
        **page,
        "entries": entries,
        "total": total,
        "filters": filters,
        "page_no": page_no,
        "pages": max(1, -(-total // AUDIT_PAGE_SIZE)),
        "actions": actions,
    }
    return render(request, "office_audit.html", context)
