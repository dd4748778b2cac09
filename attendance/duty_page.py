"""The duty chief's page (值班记录): review a day's presence and violations, then sign it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select

from attendance.api_days import DUTY_READERS, DUTY_SIGNERS
from attendance.common import context, now_and_today
from attendance.context import AttendanceContext
from attendance.models import DutySignature
from attendance.pages import page_setup
from attendance.reports import duty_report
from hallbase.auth import Principal, allow
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.models import Staff
from hallbase.pages import render_page, script_json
from hallbase.words import Lang, label, t, under

router = APIRouter()
DUTY_PATH = "/attendance/duty"
LOOK_BACK_DAYS = 31  # how far back unsigned working days are flagged


def unsigned_days(
    session: Session, ctx: AttendanceContext, today: date, back: int = LOOK_BACK_DAYS
) -> list[date]:
    """Past working days (since go-live) within ``back`` days that nobody signed, newest first."""
    first = today - timedelta(days=back)
    if ctx.go_live is not None:
        first = max(first, ctx.go_live)
    rows = session.exec(
        select(DutySignature).where(col(DutySignature.day) >= first, col(DutySignature.day) < today)
    ).all()
    signed = {r.day for r in rows}
    days = [today - timedelta(days=i) for i in range(1, (today - first).days + 1)]
    return [d for d in days if ctx.calendar.is_workday(d) and d not in signed]


def presence_counts(presence: list[dict[str, Any]]) -> dict[str, int]:
    """How many were normal, on leave or out, and had something wrong (rest days: none)."""
    statuses = [p["status"] for p in presence]
    leave = sum(s in ("leave", "out") for s in statuses)
    normal = statuses.count("normal")
    return {"normal": normal, "leave": leave, "issue": len(statuses) - normal - leave
            - sum(s in ("off", "pending") for s in statuses)}  # fmt: skip


@router.get(DUTY_PATH, response_class=HTMLResponse, include_in_schema=False)
def duty_page(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, allow(*DUTY_READERS)],
    day: date | None = None,
    lang: str | None = None,
) -> HTMLResponse:
    """The day's record (today by default) with the sign-off form for a duty chief (who
    signs as themselves)."""
    page = page_setup(session, lang)
    language: Lang = page["lang"]
    now, today = now_and_today(request, settings)
    day = day or today
    ctx = context(session, settings, [day, today])
    record = duty_report(session, ctx, day, now)
    names = {s.staff_no: s.name for s in session.exec(select(Staff)).all()}
    signer = None
    if who.has_role(*DUTY_SIGNERS):
        role = next(g.role for g in who.grants if g.role in DUTY_SIGNERS)
        own = names.get(who.staff_no or "", who.name)
        signer = {"name": own, "role": label("role", role, language)}
    words = {"title": t("titles.duty", language), **under("attendance.duty", language)}
    setup = {
        "lang": language,
        "sign_url": f"/api/v1/attendance/duty/{day.isoformat()}/sign",
        "words": {k: words[k] for k in ("done", "refused", "network")},
        "csrf": who.csrf_token or "",  # a session's change carries it (X-CSRF-Token)
    }
    context_ = {
        **page,
        "words": {**page["words"], **words},
        "day": day,
        "today": today,
        "record": record,
        "names": names,
        "signer": signer,
        "unsigned": unsigned_days(session, ctx, today),
        "prev_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1) if day < today else None,
        "counts": presence_counts(record["presence"]),
        "kind_label": lambda code: label("status", code, language),
        "time_of": lambda iso: datetime.fromisoformat(iso).astimezone(ctx.tz).strftime("%H:%M"),
        "setup_json": script_json(setup),
    }
    return render_page(request, "attendance_duty.html", context_)
