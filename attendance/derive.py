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
`attendance.cleared` alert with the same key says so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

import attendance_engine as eng
from attendance.context import AttendanceContext, WindowPosts
from attendance.facts import FactSet, load_facts
from attendance.models import Device, WindowCoverVerdict
from attendance.verdict_store import stored_verdicts, upsert_day_verdicts
from hallbase.alerts import Alert, raise_alerts
from hallbase.words import label, t

ALERT_SLOT_STATUSES = frozenset({eng.Status.LATE, eng.Status.EARLY, eng.Status.ABSENT})
WAITING_STATUSES = frozenset({eng.Status.MISSING})
SEVERITY = {"absent": "critical", "window_uncovered": "critical"}
Pair = tuple[str, date]
MESSAGE_ID_MAX = 64  # alert_outbox.message_id
ALERT_HORIZON = timedelta(days=1)


@dataclass(frozen=True)
class SyncState:
    """How far the approved terminals have synced: `floor` None means one never has."""

    devices: int
    floor: datetime | None

    def covers(self, instant: datetime) -> bool:
        """True when every approved terminal has synced at or after ``instant``."""
        return self.devices == 0 or (self.floor is not None and self.floor >= instant)


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
        if self.sync.covers(self.now):
            return self.result(pair)
        if self.sync.floor is None:
            return None
        if pair not in self._at_sync:
            s, d = pair
            self._at_sync[pair] = self.ctx.evaluate(s, d, self.facts.day(s, d), self.sync.floor)
        return self._at_sync[pair]

    def provisional(self, pair: Pair, result: eng.DayResult) -> bool:
        if not result.expected or self.sync.devices == 0:
            return False
        staff_no, day = pair
        # The schedule follows from the person's schedule choices and the day alone.
        key = (self.ctx.staff[staff_no].info.schedules, day)
        last = self._last_decision.get(key)
        if last is None:
            schedule = self.ctx.schedule_for(staff_no, day)
            last = eng.decision_times(schedule, day, self.ctx.tz, self.ctx.rules)[-1]
            self._last_decision[key] = last
        return not self.sync.covers(last)


def _slot_alerts(
    ev: _Evaluator, pair: Pair, r: eng.DayResult
) -> tuple[dict[str, dict[str, Any]], int]:
    """Alerts this day warrants now (key -> payload), and how many wait for a terminal."""
    ready: dict[str, dict[str, Any]] = {}
    held = 0
    staff_no, day = pair
    name = ev.ctx.staff[staff_no].name
    for s in r.slots:
        if s.status not in ALERT_SLOT_STATUSES | WAITING_STATUSES:
            continue
        if s.status in WAITING_STATUSES:
            past = ev.at_sync(pair)
            then = past.slot(s.slot) if past is not None else None
            if then is None or then.status is not s.status:
                held += 1
                continue
        key = f"{staff_no}:{day.isoformat()}:{s.slot}:{s.status}"
        ready[key] = {
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
        }
    for e in r.off_post:
        if e.status not in (eng.Status.OFF_POST, eng.Status.ABSENT):
            continue
        start = e.start.astimezone(ev.ctx.tz).strftime("%H%M%S")
        key = f"{staff_no}:{day.isoformat()}:away{e.window}@{start}:{e.status}"
        ready[key] = {
            "staff_no": staff_no,
            "name": name,
            "date": day.isoformat(),
            "slot": None,
            "status": "off_post" if e.status is eng.Status.OFF_POST else "absent",
            "window": e.window,
            "minutes": e.minutes,
            "start": e.start.isoformat(),
            "message": t(
                "alerts.off_post",
                name=name,
                day=day.isoformat(),
                window=e.window,
                minutes=e.minutes,
            ),
        }
    return ready, held


def _alert_kind(payload: dict[str, Any], key: str) -> str:
    if "@" in key:  # an off-post event (whether off_post or, past the threshold, absent)
        return "attendance.off_post"
    return f"attendance.{payload['status']}"


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
    alerts: list[Alert] = []
    # A terminal's backlog from long ago is recorded, not paged: only today's and yesterday's
    # verdicts reach the supervisors.
    horizon = now.astimezone(ctx.tz).date() - ALERT_HORIZON
    for pair in sorted(extended):
        r = ev.result(pair)
        out.evaluated += 1
        provisional = ev.provisional(pair, r)
        recent = pair[1] >= horizon
        ready, held = _slot_alerts(ev, pair, r) if recent else ({}, 0)
        old = existing.get(pair)
        already = set(old.alerted) if old is not None else set()
        # Beyond the horizon nothing new is paged, but an alert sent earlier is withdrawn
        # only when the day no longer warrants it (not merely because the day grew old).
        warranted = ready if recent or not already else _slot_alerts(ev, pair, r)[0]
        for key in sorted(set(ready) - already):
            payload = {**ready[key], "provisional": provisional}
            kind = _alert_kind(payload, key)
            severity = SEVERITY.get(str(payload["status"]), "warning")
            alerts.append(_alert(kind, key, payload, severity))
        cleared = {
            f"cleared:{key}"
            for key in already
            if not key.startswith("cleared:")
            and key not in warranted
            and f"cleared:{key}" not in already
        }
        for key in sorted(cleared):
            # A late fact (leave filed afterwards, a make-up, a delayed upload) withdrew it.
            payload = {"staff_no": pair[0], "date": pair[1].isoformat(), "withdrawn": key[8:]}
            payload["message"] = t(
                "alerts.cleared", name=ev.ctx.staff[pair[0]].name, day=pair[1].isoformat()
            )
            alerts.append(_alert("attendance.cleared", key[8:], payload, "info"))
        out.held += held
        result = {**r.to_dict(), "provisional": provisional}
        alerted = sorted(already | set(ready) | cleared)
        row = {
            "staff_no": pair[0],
            "day": pair[1],
            "status": str(r.status),
            "absent_days": r.absent_days,
            "provisional": provisional,
            "result": result,
            "alerted": alerted,
            "held": held,
            "computed_at": now,
        }
        if old is None or (old.result, old.alerted, old.held) != (result, alerted, held):
            rows.append(row)
    upsert_day_verdicts(session.connection(), rows)
    out.alerts += raise_alerts(session, alerts, now)
    out.changed = len(rows)
    _derive_cover(session, ev, extended, now, out)
    return out


def _derive_cover(
    session: Session, ev: _Evaluator, pairs: set[Pair], now: datetime, out: DeriveResult
) -> None:
    """A/B cover of every window whose posts were evaluated, at each of A's in-slots."""
    days = sorted({d for _, d in pairs})
    # Only windows whose posts were all evaluated on the day are judged (and their stale
    # verdicts removed); when there is none, nothing is read.
    judged: list[tuple[WindowPosts, list[str], date]] = []
    for w in ev.ctx.windows:
        posts = [w.a_post] + ([w.b_post] if w.b_post else [])
        judged += [(w, posts, day) for day in days if all((p, day) in pairs for p in posts)]
    if not judged:
        return
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
            recent = day >= now.astimezone(ev.ctx.tz).date() - ALERT_HORIZON
            if recent and not alerted and _cover_ready(ev, w.number, posts, s.slot, day):
                key = f"{w.number}:{day.isoformat()}:{s.slot}"
                payload = {
                    **verdict.to_dict(),
                    "message": t(
                        "alerts.window_uncovered",
                        window=w.number,
                        day=day.isoformat(),
                        slot=label("slot", s.slot),
                    ),
                }
                alert = _alert("attendance.window_uncovered", key, payload, "critical")
                out.alerts += raise_alerts(session, [alert], now)
                alerted = True
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


def _cover_ready(ev: _Evaluator, number: int, posts: list[str], slot: str, day: date) -> bool:
    """The window was uncovered as of the terminals' sync point too (see module docstring)."""
    past = [ev.at_sync((p, day)) for p in posts]
    if any(r is None for r in past):
        return False
    a, b = posts[0], (posts[1] if len(posts) > 1 else None)
    return eng.window_cover(str(number), a, b, slot, day, [r for r in past if r]) is not None
