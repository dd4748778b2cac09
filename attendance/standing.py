"""Monthly flags and escalation steps, raised when a re-derivation makes them true.

A re-derivation that stores a violation on a recent day (today or yesterday) asks here what
the person's standing has become: their stored verdicts of the escalation period (days with
a violation only) and the window-uncovered verdicts charged to them are read back, and the
engine (`attendance_engine.standing`) decides which monthly thresholds are crossed
(`attendance.monthly_flag`: 退回原单位, 不合格) and which rung of the escalation ladder each
recent violation reached (`attendance.escalation_step`). Every page has a key of its own, so
asking again never pages twice. A day whose alerts wait for a terminal (``held``) is not
counted until the terminal confirms it: its re-derivation then asks again.

A re-derivation that changes a stored verdict which carried a violation (any day: leave
approved afterwards, a make-up, a correction) asks again too, to withdraw: each flag and step
paged for the months and the period judged that no longer holds gets one
`attendance.cleared` alert with its key (the follow-up of critical alerts then stops
repeating it). What was paged is read back from the outbox (the payload's ``base`` and
``generation``); a flag or step reached again after its withdrawal pages under its next
generation's key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

import attendance_engine as eng
from attendance.context import AttendanceContext
from attendance.models import DayVerdict, WindowCoverVerdict
from attendance_engine.alerts import CLEARED_KIND, recent
from attendance_engine.results import day_from_dict
from attendance_engine.standing import (
    ESCALATION_STEP_KIND,
    MONTHLY_FLAG_KIND,
    MonthFlag,
    Paged,
    page_key,
    period_name,
    standing,
    step_key,
    withdrawals,
)
from hallbase.alerts import Alert, raise_alerts
from hallbase.models import AlertOutbox
from hallbase.words import label, t

# Day statuses that can carry a violation (a day's status is the worst of its parts).
VIOLATING = ("absent", "missing", "late", "early", "off_post")
FLAG_SEVERITY = "critical"  # 退回原单位 must reach someone: repeated until acknowledged
STEP_SEVERITY = "warning"

MESSAGE_ID_MAX = 64  # alert_outbox.message_id
KINDS = (MONTHLY_FLAG_KIND, ESCALATION_STEP_KIND)
PEOPLE_PER_QUERY = 100  # prefixes of this many people in one query (two kinds each)

_day = DayVerdict.__table__  # type: ignore[attr-defined]
_cover = WindowCoverVerdict.__table__  # type: ignore[attr-defined]
_outbox = AlertOutbox.__table__  # type: ignore[attr-defined]


def triggered(rows: Iterable[Mapping[str, Any]], today: date) -> dict[str, set[date]]:
    """The people (and recent days) whose newly stored verdicts carry a confirmed violation."""
    out: dict[str, set[date]] = {}
    for row in rows:
        if row["status"] in VIOLATING and not row["held"] and recent(row["day"], today):
            out.setdefault(row["staff_no"], set()).add(row["day"])
    return out


def relieved(before: Iterable[tuple[tuple[str, date], str]]) -> dict[str, set[date]]:
    """The people (and days, of any age) whose changed verdict carried a violation before
    (``before``: each changed staff-day and its stored status)."""
    out: dict[str, set[date]] = {}
    for (staff_no, day), status in before:
        if status in VIOLATING:
            out.setdefault(staff_no, set()).add(day)
    return out


def _period_start(ctx: AttendanceContext, day: date) -> date:
    start = date(day.year, day.month if ctx.rules.escalation_period == "month" else 1, 1)
    return max(start, ctx.go_live) if ctx.go_live is not None else start


def _stored_days(
    session: Session, people: Sequence[str], first: date, last: date
) -> dict[str, list[eng.DayResult]]:
    """The stored, confirmed verdicts with a violation of ``people`` from ``first`` to ``last``."""
    rows = session.connection().execute(
        sa.select(_day.c.staff_no, _day.c.result).where(
            _day.c.staff_no.in_(people),
            _day.c.day >= first,
            _day.c.day <= last,
            _day.c.status.in_(VIOLATING),
            _day.c.held == 0,
        )
    )
    out: dict[str, list[eng.DayResult]] = {}
    for staff_no, result in rows:
        data = json.loads(result) if isinstance(result, str) else result
        out.setdefault(staff_no, []).append(day_from_dict(data))
    return out


def _cover_violations(
    session: Session, people: set[str], first: date, last: date, today: date
) -> dict[str, list[eng.Violation]]:
    """Window-uncovered verdicts charged to ``people`` (a recent one once it was paged)."""
    rows = session.connection().execute(
        sa.select(_cover.c.day, _cover.c.result).where(
            _cover.c.day >= first, _cover.c.day <= last, _cover.c.status == "window_uncovered"
        )
    )
    out: dict[str, list[eng.Violation]] = {}
    for day, result in rows:
        data = json.loads(result) if isinstance(result, str) else result
        if recent(day, today) and not data.get("alerted"):
            continue  # waits for a terminal to confirm it
        due = datetime.fromisoformat(data["due"])
        for who in (data.get("a_staff"), data.get("b_staff")):
            if who in people:
                v = eng.Violation(who, day, "window_uncovered", due, data["slot"])
                out.setdefault(who, []).append(v._replace(window=data.get("window")))
    return out


def _fit(kind: str, staff_no: str, key: str) -> str:
    """``key``, its part after the staff number shortened to a digest when the message id
    would pass 64 characters (the staff number stays first: the outbox is searched by it)."""
    if len(kind) + 1 + len(key) <= MESSAGE_ID_MAX:
        return key
    room = MESSAGE_ID_MAX - len(kind) - len(staff_no) - 2
    return f"{staff_no}:{hashlib.sha1(key.encode()).hexdigest()[:room]}"


def _flag_alert(name: str, flag: MonthFlag, generation: int, key: str) -> Alert:
    month = f"{flag.year}-{flag.month:02d}"
    count = int(flag.count) if float(flag.count).is_integer() else flag.count
    limit = int(flag.limit) if float(flag.limit).is_integer() else flag.limit
    payload = {
        "staff_no": flag.staff_no,
        "name": name,
        "month": month,
        "reason": flag.reason,
        "count": flag.count,
        "limit": flag.limit,
        "score": flag.summary.score,
        "grade": flag.summary.grade,
        "base": flag.key,
        "generation": generation,
        "message": t(
            f"alerts.monthly_flag.{flag.reason}", name=name, month=month, count=count, limit=limit
        ),
    }
    return Alert(
        MONTHLY_FLAG_KIND, _fit(MONTHLY_FLAG_KIND, flag.staff_no, key), payload, FLAG_SEVERITY
    )


def _period_words(period: str) -> str:
    year, _, month = period.partition("-")
    if month:
        return t("alerts.escalation_period.month", year=year, month=int(month))
    return t("alerts.escalation_period.year", year=year)


def _step_alert(
    ctx: AttendanceContext, name: str, step: eng.EscalationStep, generation: int, key: str
) -> Alert:
    day = step.at.astimezone(ctx.tz).date()
    period = period_name(step, ctx.rules, ctx.tz)
    payload = {
        "staff_no": step.staff_no,
        "name": name,
        "date": day.isoformat(),
        "violation": step.kind,
        "period": period,
        "occurrence": step.occurrence,
        "step": step.code,
        "step_zh": step.zh,
        "base": step_key(step, ctx.rules, ctx.tz),
        "generation": generation,
        "message": t(
            "alerts.escalation_step",
            name=name,
            period=_period_words(period),
            n=step.occurrence,
            kind=label("status", step.kind),
            day=day.isoformat(),
            step=step.zh,
        ),
    }
    return Alert(
        ESCALATION_STEP_KIND, _fit(ESCALATION_STEP_KIND, step.staff_no, key), payload, STEP_SEVERITY
    )


class _Sent:
    """The flags and steps paged to ``people`` since ``since``, as `Paged` by base key, and
    the payload of each latest page (for the withdrawal's words)."""

    def __init__(self, session: Session, people: Sequence[str], since: datetime) -> None:
        latest: dict[tuple[str, str, str], tuple[int, str, dict[str, Any]]] = {}
        for kind, message_id, payload in self._rows(session, people, since):
            data = json.loads(payload) if isinstance(payload, str) else payload
            key = message_id[len(kind) + 1 :]
            base = str(data.get("base") or key)  # pages from before generations: the key
            generation = int(data.get("generation") or 1)
            pk = (str(data["staff_no"]), kind, base)
            if pk not in latest or latest[pk][0] < generation:
                latest[pk] = (generation, key, data)
        cleared = sorted({f"{CLEARED_KIND}:{key}" for _, key, _ in latest.values()})
        found: set[str] = set()
        for first in range(0, len(cleared), 1000):  # well inside every driver's parameter limit
            found.update(
                session.connection().scalars(
                    sa.select(_outbox.c.message_id).where(
                        _outbox.c.message_id.in_(cleared[first : first + 1000])
                    )
                )
            )
        self.paged: dict[tuple[str, str], dict[str, Paged]] = {}
        self.payloads: dict[str, dict[str, Any]] = {}
        for (staff_no, kind, base), (generation, key, data) in latest.items():
            done = f"{CLEARED_KIND}:{key}" in found
            self.paged.setdefault((staff_no, kind), {})[base] = Paged(key, generation, done)
            self.payloads[key] = data

    @staticmethod
    def _rows(
        session: Session, people: Sequence[str], since: datetime
    ) -> Iterator[tuple[str, str, Any]]:
        """(kind, message id, payload) of the pages to ``people``, a few people a query: one
        OR of every person's prefix outgrows SQLite's expression depth (1,000) in a big post."""
        conn = session.connection()
        for first in range(0, len(people), PEOPLE_PER_QUERY):
            prefixes = [
                _outbox.c.message_id.startswith(f"{k}:{s}:", autoescape=True)
                for k in KINDS
                for s in people[first : first + PEOPLE_PER_QUERY]
            ]
            rows = conn.execute(
                sa.select(_outbox.c.kind, _outbox.c.message_id, _outbox.c.payload).where(
                    _outbox.c.kind.in_(KINDS), _outbox.c.created_at >= since, sa.or_(*prefixes)
                )
            )
            yield from ((kind, message_id, payload) for kind, message_id, payload in rows)

    def of(self, staff_no: str, kind: str, field: str, scope: Iterable[str]) -> dict[str, Paged]:
        """The pages of ``kind`` to ``staff_no`` whose payload's ``field`` is in ``scope``."""
        wanted = set(scope)
        return {
            base: p
            for base, p in self.paged.get((staff_no, kind), {}).items()
            if self.payloads[p.key].get(field) in wanted
        }


def _withdrawal(kind: str, paged: Paged, data: dict[str, Any]) -> Alert:
    """The `cleared` alert withdrawing the page ``paged`` of ``kind`` (``data``: its payload)."""
    name = data.get("name", data["staff_no"])
    if kind == MONTHLY_FLAG_KIND:
        reason = t(f"alerts.monthly_flag_reason.{data['reason']}")
        text = t("alerts.monthly_flag_cleared", name=name, month=data["month"], reason=reason)
    else:
        text = t(
            "alerts.escalation_step_cleared",
            name=name,
            period=_period_words(data["period"]),
            n=data["occurrence"],
            kind=label("status", data["violation"]),
            step=data["step_zh"],
        )
    payload = {
        "staff_no": data["staff_no"],
        "name": name,
        "withdrawn": paged.key,
        "withdrawn_kind": kind,
        "month": data.get("month"),
        "period": data.get("period"),
        "message": text,
    }
    return Alert(CLEARED_KIND, paged.key, payload, "info")


def standing_alerts(
    session: Session,
    ctx: AttendanceContext,
    changed: Mapping[str, set[date]],
    now: datetime,
    *,
    relieved: Mapping[str, set[date]] | None = None,
) -> int:
    """Raise the monthly flags and escalation steps that ``changed`` (people and the recent
    days of theirs that gained a violation) made true, and withdraw those paged for the months
    and periods of ``changed`` and ``relieved`` (days of any age that lost or changed a
    violation) that no longer hold; returns how many alerts were new."""
    lost = relieved or {}
    judged = {s: changed.get(s, set()) | lost.get(s, set()) for s in {*changed, *lost}}
    people = sorted(s for s, days in judged.items() if days and s in ctx.staff)
    if not people:
        return 0
    today = now.astimezone(ctx.tz).date()
    first = min(_period_start(ctx, d) for s in people for d in judged[s])
    sent = _Sent(session, people, datetime.combine(first, time(), ctx.tz))
    # Someone who gained nothing recent and was never paged has nothing to raise or withdraw
    # (a terminal's backlog of old days, the common case of a big upload): not judged.
    ever_paged = {staff_no for staff_no, _kind in sent.paged}
    people = [s for s in people if changed.get(s) or s in ever_paged]
    if not people:
        return 0
    stored = _stored_days(session, people, first, today)
    cover = _cover_violations(session, set(people), first, today, today)
    alerts: list[Alert] = []
    for staff_no in people:
        person = ctx.staff[staff_no]
        gained = changed.get(staff_no, set())
        # One escalation period at a time (yesterday may close last year's).
        for start in sorted({_period_start(ctx, d) for d in judged[staff_no]}):
            in_period = [r for r in stored.get(staff_no, []) if _period_start(ctx, r.date) == start]
            extra = [v for v in cover.get(staff_no, []) if _period_start(ctx, v.date) == start]
            days = [d for d in judged[staff_no] if _period_start(ctx, d) == start]
            months = {(d.year, d.month) for d in days}
            found = standing(
                person.info, in_period, extra, ctx.rules, tz=ctx.tz, today=today, months=months
            )
            period = (
                f"{start.year}-{start.month:02d}"
                if ctx.rules.escalation_period == "month"
                else str(start.year)
            )
            flags = sent.of(
                staff_no, MONTHLY_FLAG_KIND, "month", (f"{y}-{m:02d}" for y, m in months)
            )
            steps = sent.of(staff_no, ESCALATION_STEP_KIND, "period", [period])
            for kind, paged in ((MONTHLY_FLAG_KIND, flags), (ESCALATION_STEP_KIND, steps)):
                for p in withdrawals(paged, found.warranted):
                    alerts.append(_withdrawal(kind, p, sent.payloads[p.key]))
            if not any(_period_start(ctx, d) == start for d in gained):
                continue  # judged to withdraw only: a loss pages nothing new
            raised = {(d.year, d.month) for d in gained}
            for f in found.flags:
                if (f.year, f.month) in raised and (nk := page_key(f.key, flags)) is not None:
                    alerts.append(_flag_alert(person.name, f, nk[1], nk[0]))
            for step in found.steps:
                if (nk := page_key(step_key(step, ctx.rules, ctx.tz), steps)) is not None:
                    alerts.append(_step_alert(ctx, person.name, step, nk[1], nk[0]))
    return raise_alerts(session, alerts, now)
