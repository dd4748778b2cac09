"""The approvals inbox on a phone (待我审批): what waits for the caller along the leave chain,
each with the person's month so far; approve or reject with a reason in one tap; and what
the caller decided.

What waits for someone is what the decision routes would let them decide: a pending request
of a person their approving grant reaches (`access.approver_role`), needing their rank or
lower (`may_approve`), never their own. The buttons call the JSON API
(`/api/v1/attendance/{kind}s/{id}/approve|reject` with ``reason``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from attendance.access import approver_role, identity, reach
from attendance.common import context, now_and_today
from attendance.context import AttendanceContext
from attendance.pages import page_setup
from attendance.reports import month_report
from attendance.request_items import Row, items, of_people, required_role
from attendance.self_page import request_words
from attendance_engine.leave import may_approve
from hallbase.auth import OFFICE, AuthError, Principal, allow
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.pages import render_page, script_json
from hallbase.words import Lang, t, under

router = APIRouter()
APPROVALS_PATH = "/attendance/approvals"
WAITING_MAX = 500  # pending requests of each kind looked at


def waiting_for(session: Session, ctx: AttendanceContext, who: Principal) -> list[Row]:
    """The pending requests ``who`` may decide now."""
    chain = [step.role for step in ctx.rules.approval_chain]
    if not any(g.role in chain for g in who.grants):
        return []
    ranks: dict[str, str | None] = {}
    found = []
    for row in of_people(session, reach(session, who), status="pending", limit=WAITING_MAX):
        if row.staff_no == who.staff_no:
            continue  # nobody approves their own
        if row.staff_no not in ranks:
            try:
                ranks[row.staff_no] = approver_role(session, who, chain, row.staff_no)
            except AuthError:
                ranks[row.staff_no] = None
        role = ranks[row.staff_no]
        if role is not None and may_approve(role, required_role(ctx, row), ctx.rules):
            found.append(row)
    return found


@router.get(APPROVALS_PATH, response_class=HTMLResponse, include_in_schema=False)
def approvals_page(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, allow(*OFFICE)],
    lang: str | None = None,
) -> HTMLResponse:
    """The caller's inbox: an office role outside the chain finds it empty, and is told why."""
    page = page_setup(session, lang)
    language: Lang = page["lang"]
    now, today = now_and_today(request, settings)
    ctx = context(session, settings, [today])
    waiting = items(session, ctx, waiting_for(session, ctx, who), language)
    people = {i.staff_no for i in waiting}
    report = month_report(session, ctx, today.year, today.month, now, people) if people else None
    months = {row["staff_no"]: row for row in report.rows} if report else {}
    decided = items(session, ctx, of_people(session, None, decided_by=identity(who)), language)
    chain = [step.role for step in ctx.rules.approval_chain]
    words = {
        **request_words(language),
        **under("attendance.inbox", language),
        "title": t("titles.approvals", language),
    }
    setup = {
        "lang": language,
        "csrf": who.csrf_token or "",
        "words": {k: words[k] for k in ("done", "refused", "network")},
    }
    context_ = {
        **page,
        "words": {**page["words"], **words},
        "waiting": waiting,
        "decided": decided[:20],
        "months": months,
        "approver": any(g.role in chain for g in who.grants),
        "local": lambda instant: instant.astimezone(ctx.tz).strftime("%m-%d %H:%M"),
        "setup_json": script_json(setup),
    }
    return render_page(request, "attendance_approvals.html", context_)
