"""Re-derive staff-days: evaluate with the engine, store the verdicts, raise alerts once.

Alerts and offline terminals
----------------------------
Every verdict is stored at once (the live board shows it), but a day stays `provisional`
until every approved terminal (`Device.approved`) has synced past the day's last decision
instant. Alerts that rest on the absence of a punch (`missing`, and `window_uncovered`
that follows from it) wait while a terminal lags: the day is evaluated a second time as of
the terminals' common sync point, and the alert goes out only when that evaluation says the
same. A terminal that comes back uploads its punches (which re-derives the day), and the
next derivation releases or drops the waiting alerts. Late, early and absent-by-punch
alerts rest on a punch that is there, so they never wait. Each alert's key is (staff,
date, slot, status): a re-derivation never sends it twice. When a late fact withdraws a
verdict that was alerted (leave filed afterwards, an approved make-up), one
`attendance.cleared` alert with the same key says so. These decisions are the engine's
(`attendance_engine.alerts`); this module reads and stores, and words the messages. A
confirmed violation on a recent day also asks `attendance.standing` whether the person's
month crossed a threshold or the escalation ladder a new rung; a verdict that carried a
violation and changed asks whether a flag or rung paged earlier still holds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

import attendance_engine as eng
from attendance.context import AttendanceContext, WindowPosts
from attendance.facts import FactSet, load_facts
from attendance.models import Device, WindowCoverVerdict
from attendance.retention import judged_from
from attendance.standing import relieved, standing_alerts, triggered
from attendance.verdict_store import dumps, stored_verdicts, upsert_day_verdicts
from attendance_engine.alerts import (
    Page,
    SyncState,
    cover_confirmed,
    cover_page,
    day_alerts,
    day_provisional,
)
from hallbase.alerts import Alert, raise_alerts
from hallbase.words import label, t

Pair = tuple[str, date]
MESSAGE_ID_MAX = 64  # alert_outbox.message_id


@dataclass
class DeriveResult:
    """What one re-derivation did."""

    evaluated: int = 0
    changed: int = 0
    alerts: int = 0
    held: int = 0


def sync_state(session: Session) -> SyncState:
    """The approved terminals' common sync point."""
    t = Device.__table__  # type: ignore[attr-defined]
    # Core, not the ORM: every ADMS post asks, and the ORM's per-statement work cost more.
    rows = [
        r[0] for r in session.connection().execute(sa.select(t.c.last_sync).where(t.c.approved))
    ]
    if not rows:
        return SyncState(0, None)
    floor = None if any(r is None for r in rows) else min(r for r in rows if r is not None)
    return SyncState(len(rows), floor)


def _upsert(session: Session, table: sa.Table, keys: list[str], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table)
    update = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys}
    session.connection().execute(stmt.on_conflict_do_update(index_elements=keys, set_=update), rows)


class _Evaluator:
    """Evaluates staff-days now and, on demand, as of the terminals' sync point."""

    def __init__(
        self, ctx: AttendanceContext, facts: FactSet, now: datetime, sync: SyncState
    ) -> None:
        self.ctx, self.facts, self.now, self.sync = ctx, facts, now, sync
        self.results: dict[Pair, eng.DayResult] = {}
        self._at_sync: dict[Pair, eng.DayResult] = {}
        self._last_decision: dict[tuple[tuple[str, ...], date], datetime] = {}

    def result(self, pair: Pair) -> eng.DayResult:
        if pair not in self.results:
            s, d = pair
            self.results[pair] = self.ctx.evaluate(s, d, self.facts.day(s, d), self.now)
        return self.results[pair]

    def at_sync(self, pair: Pair) -> eng.DayResult | None:
        """The verdict as of the sync point (None: a terminal never synced)."""
        at = self.sync.as_of(self.now)
        if at is None:
            return None
        if at == self.now:
            return self.result(pair)
        if pair not in self._at_sync:
            s, d = pair
            self._at_sync[pair] = self.ctx.evaluate(s, d, self.facts.day(s, d), at)
        return self._at_sync[pair]

    def provisional(self, pair: Pair, result: eng.DayResult) -> bool:
        return day_provisional(result.expected, self.sync, lambda: self._last_decision_of(pair))

    def _last_decision_of(self, pair: Pair) -> datetime:
        staff_no, day = pair
        # The schedule follows from the person's schedule choices and the day alone.
        key = (self.ctx.staff[staff_no].info.schedules, day)
        last = self._last_decision.get(key)
        if last is None:
            schedule = self.ctx.schedule_for(staff_no, day)
            last = eng.decision_times(schedule, day, self.ctx.tz, self.ctx.rules)[-1]
            self._last_decision[key] = last
        return last


def _payload(name: str, r: eng.DayResult, page: Page, provisional: bool) -> dict[str, Any]:
    """What a page about a slot verdict or an off-post event says (the engine decided it)."""
    staff_no, day = r.staff_no, r.date
    s, e = page.slot, page.event
    if s is not None:
        return {
            "staff_no": staff_no,
            "name": name,
            "date": day.isoformat(),
            "slot": s.slot,
            "status": str(s.status),
            "minutes": s.minutes,
            "due": s.due.isoformat(),
            "punch": s.punch.isoformat() if s.punch else None,
            "absent_days": r.absent_days,
            "message": t(
                "alerts.verdict",
                name=name,
                day=day.isoformat(),
                slot=label("slot", s.slot),
                status=label("status", str(s.status)),
            )
            + (t("alerts.minutes", minutes=s.minutes) if s.minutes else ""),
            "provisional": provisional,
        }
    assert e is not None  # a page that is not a withdrawal rests on a slot or an event
    return {
        "staff_no": staff_no,
        "name": name,
        "date": day.isoformat(),
        "slot": None,
        "status": page.status,
        "window": e.window,
        "minutes": e.minutes,
        "start": e.start.isoformat(),
        "message": t(
            "alerts.off_post", name=name, day=day.isoformat(), window=e.window, minutes=e.minutes
        ),
        "provisional": provisional,
    }


def _alert(kind: str, key: str, payload: dict[str, Any], severity: str) -> Alert:
    """An alert, its key shortened by a digest when the message id would pass 64 chars."""
    if len(kind) + 1 + len(key) > MESSAGE_ID_MAX:
        key = hashlib.sha1(key.encode()).hexdigest()[: MESSAGE_ID_MAX - len(kind) - 1]
    return Alert(kind, key, payload, severity)


def rederive(
    session: Session, ctx: AttendanceContext, pairs: Iterable[Pair], now: datetime
) -> DeriveResult:
    """Evaluate ``pairs`` (and their window partners), store changed verdicts, raise alerts."""
    wanted = {p for p in pairs if p[0] in ctx.staff}
    if not wanted:
        return DeriveResult()
    # Days before the retention line keep their verdicts: the facts behind them are gone.
    floor = judged_from(
        session.connection(), min(d for _, d in wanted), now.astimezone(ctx.tz).date()
    )
    if floor is not None:
        wanted = {p for p in wanted if p[1] >= floor}
        if not wanted:
            return DeriveResult()
    extended = set(wanted)
    for s, d in wanted:
        for q in ctx.partners(s):  # usually none: no set built per staff-day
            if q in ctx.staff:
                extended.add((q, d))
    people = {s for s, _ in extended}
    days = {d for _, d in extended}
    # Always by person: the context may hold only these people (see load_context).
    facts = load_facts(session, people, min(days), max(days), ctx.tz)
    ev = _Evaluator(ctx, facts, now, sync_state(session))
    # Only the columns compared below (whole ORM objects cost more than the evaluation).
    existing = stored_verdicts(session.connection(), people, min(days), max(days))
    out = DeriveResult()
    rows: list[dict[str, Any]] = []
    before: list[tuple[Pair, str]] = []  # changed verdicts' stored statuses
    alerts: list[Alert] = []
    today = now.astimezone(ctx.tz).date()
    for pair in sorted(extended):
        r = ev.result(pair)
        out.evaluated += 1
        provisional = ev.provisional(pair, r)
        old = existing.get(pair)
        decided = day_alerts(
            r,
            today=today,
            tz=ctx.tz,
            already=json.loads(old.alerted) if old is not None else (),
            at_sync=partial(ev.at_sync, pair),
        )
        name = ctx.staff[pair[0]].name
        for page in decided.new:
            payload = _payload(name, r, page, provisional)
            alerts.append(_alert(page.kind, page.key, payload, page.severity))
        for page in decided.cleared:
            # A late fact (leave filed afterwards, a make-up, a delayed upload) withdrew it.
            payload = {"staff_no": pair[0], "date": pair[1].isoformat(), "withdrawn": page.key}
            payload["message"] = t("alerts.cleared", name=name, day=pair[1].isoformat())
            alerts.append(_alert(page.kind, page.key, payload, page.severity))
        held, alerted = decided.held, decided.alerted
        out.held += held
        # Compared and stored as the text the database keeps (see verdict_store).
        result = dumps({**r.to_dict(), "provisional": provisional})
        alerted_text = dumps(alerted)
        row = {
            "staff_no": pair[0],
            "day": pair[1],
            "status": str(r.status),
            "absent_days": r.absent_days,
            "provisional": provisional,
            "result": result,
            "alerted": alerted_text,
            "held": held,
            "computed_at": now,
        }
        if old is None or not old.same(result, alerted_text, held):
            rows.append(row)
            if old is not None:
                before.append((pair, old.status))
    upsert_day_verdicts(session.connection(), rows)
    out.alerts += raise_alerts(session, alerts, now)
    out.changed = len(rows)
    charged = _derive_cover(session, ev, extended, now, out)
    # The month and the escalation period of whoever gained a violation (or an empty window).
    changed = triggered(rows, today)
    for staff_no, day in charged:
        changed.setdefault(staff_no, set()).add(day)
    # ... and of whoever lost or changed one: a flag or step it carried may be withdrawn.
    out.alerts += standing_alerts(session, ctx, changed, now, relieved=relieved(before))
    return out


def _derive_cover(
    session: Session, ev: _Evaluator, pairs: set[Pair], now: datetime, out: DeriveResult
) -> set[Pair]:
    """A/B cover of every window whose posts were evaluated, at each of A's in-slots;
    returns the posts (and days) charged with a window newly paged uncovered."""
    days = sorted({d for _, d in pairs})
    # Only windows whose posts were all evaluated on the day are judged (and their stale
    # verdicts removed); when there is none, nothing is read.
    judged: list[tuple[WindowPosts, list[str], date]] = []
    for w in ev.ctx.windows:
        posts = [w.a_post] + ([w.b_post] if w.b_post else [])
        judged += [(w, posts, day) for day in days if all((p, day) in pairs for p in posts)]
    charged: set[Pair] = set()
    if not judged:
        return charged
    table = WindowCoverVerdict.__table__  # type: ignore[attr-defined]
    # Only the columns compared below, through Core (see `rederive`).
    existing = {
        (c.window_number, c.day, c.slot): c
        for c in session.connection().execute(
            sa.select(table.c.window_number, table.c.day, table.c.slot, table.c.result).where(
                table.c.day >= days[0], table.c.day <= days[-1]
            )
        )
    }
    rows: list[dict[str, Any]] = []
    stale: list[tuple[int, date, str]] = []
    today = now.astimezone(ev.ctx.tz).date()
    for w, posts, day in judged:
        a_result = ev.result((w.a_post, day))
        results = [ev.result((p, day)) for p in posts]
        found: set[str] = set()
        for s in a_result.slots:
            if s.kind != "in":
                continue
            verdict = eng.window_cover(str(w.number), w.a_post, w.b_post, s.slot, day, results)
            if verdict is None:
                continue
            found.add(s.slot)
            pk = (w.number, day, s.slot)
            old = existing.get(pk)
            alerted = bool(old is not None and old.result.get("alerted"))
            page = cover_page(
                w.number, day, s.slot, today=today, alerted=alerted,
                confirmed=partial(_cover_ready, ev, w.number, posts, s.slot, day),
            )  # fmt: skip
            if page is not None:
                payload = {
                    **verdict.to_dict(),
                    "message": t(
                        "alerts.window_uncovered",
                        window=w.number,
                        day=day.isoformat(),
                        slot=label("slot", s.slot),
                    ),
                }
                alert = _alert(page.kind, page.key, payload, page.severity)
                out.alerts += raise_alerts(session, [alert], now)
                alerted = True
                charged.update((p, day) for p in posts)
            result = {**verdict.to_dict(), "alerted": alerted}
            if old is None or old.result != result:
                rows.append(
                    {
                        "window_number": w.number,
                        "day": day,
                        "slot": s.slot,
                        "status": str(verdict.status),
                        "result": result,
                        "computed_at": now,
                    }
                )
        stale += [k for k in existing if k[0] == w.number and k[1] == day and k[2] not in found]
    _upsert(session, table, ["window_number", "day", "slot"], rows)
    for number, day, slot in stale:
        session.connection().execute(
            table.delete().where(
                table.c.window_number == number, table.c.day == day, table.c.slot == slot
            )
        )
    return charged


def _cover_ready(ev: _Evaluator, number: int, posts: list[str], slot: str, day: date) -> bool:
    """The window was uncovered as of the terminals' sync point too (see module docstring)."""
    a, b = posts[0], (posts[1] if len(posts) > 1 else None)
    return cover_confirmed(number, a, b, slot, day, [ev.at_sync((p, day)) for p in posts])
