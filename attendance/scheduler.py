"""The real-time part: re-derive today at each decision instant, and each minute when needed.

It also wakes at each day's settling deadline (`attendance.overdue`): a staff-day still
provisional then is alerted once.

A missing morning punch becomes a verdict at due + threshold + 1 minute (the engine's
`decision_times`), not at night. The scheduler also wakes every minute while a window's
away period is open (off post grows by the minute) or while alerts wait for a terminal
to sync. `tick()` does one round and is what tests drive with an injected clock; `start()`
runs it in a thread that sleeps until the next instant.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import col, func, select

import attendance_engine as eng
from attendance.common import context
from attendance.derive import DeriveResult, rederive
from attendance.facts import open_queue_away
from attendance.models import DayVerdict, WindowAway
from attendance.overdue import deadlines_around, overdue_alerts
from attendance.refresh import last_stored_day, rederive_span
from attendance.standin import check_stand_ins
from hallbase.background import BackgroundLoop, repeat
from hallbase.clock import Clock, utcnow
from hallbase.db import read_session, write_session
from hallbase.holidays import warn_missing_years
from hallbase.settings import Settings

log = logging.getLogger(__name__)
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
GAP_DAYS = timedelta(days=31)
RETRY = "attendance tick failed; retrying in a minute"


class AttendanceScheduler:
    """Ticks the engine at deadlines; a Component of the app (start/stop)."""

    def __init__(self, settings: Settings, engine: Engine, clock: Clock | None = None) -> None:
        self.settings, self.engine = settings, engine
        self.clock: Clock = clock or utcnow
        self._background = BackgroundLoop(
            "attendance-scheduler",
            # A bad row must not stop real-time attendance for good: retried in a minute.
            repeat(self._round, every=60.0, first=0.0, logger=log, failed=RETRY),
        )
        self._last: datetime | None = None
        self.ticks = 0

    def decision_instants(self, day: date) -> list[datetime]:
        """Every instant of ``day`` at which some schedule's slot can be decided."""
        with read_session(self.engine) as session:
            ctx = context(session, self.settings, [day])
        found: set[datetime] = set()
        for schedule in ctx.schedules:
            if schedule.valid_on(day):
                found |= set(eng.decision_times(schedule, day, ctx.tz, ctx.rules))
        return sorted(found)

    def _busy(self, today: date) -> bool:
        """True while something changes by the minute: an open away period (the API's or a
        window's own, from the queue), a waiting alert."""
        with read_session(self.engine) as session:
            away = session.exec(
                select(func.count()).select_from(WindowAway).where(col(WindowAway.end).is_(None))
            ).one() + open_queue_away(session)
            held = session.exec(
                select(func.count())
                .select_from(DayVerdict)
                .where(col(DayVerdict.held) > 0, col(DayVerdict.day) >= today - timedelta(days=1))
            ).one()
        return bool(away or held)

    def _settle_hours(self) -> int:
        return self.settings.hall.attendance.settle_within_hours

    def due(self, now: datetime) -> bool:
        """True when a decision instant or a day's settling deadline passed since the last
        tick (or nothing ran yet)."""
        if self._last is None:
            return True
        if self._last < deadlines_around(now, self.settings.zone, self._settle_hours())[0]:
            return True
        today = now.astimezone(self.settings.zone).date()
        for day in (today - timedelta(days=1), today):
            if any(self._last < t <= now for t in self.decision_instants(day)):
                return True
        return self._busy(today)

    def tick(self, now: datetime | None = None) -> DeriveResult:
        """Re-derive today for everyone, and yesterday on the first tick of a day.

        Yesterday's last out-slots close at midnight, so the first tick after midnight (or
        after a start) decides them.
        """
        now = now or self.clock()
        zone = self.settings.zone
        today = now.astimezone(zone).date()
        days = [today]
        new_day = self._last is None or self._last.astimezone(zone).date() < today
        if new_day:
            days.insert(0, today - timedelta(days=1))
            with read_session(self.engine) as session:
                warn_missing_years(session, today)  # from December: next year's holidays
        if self._last is None:
            self._fill_gap(now, today)
        with write_session(self.engine) as session:
            ctx = context(session, self.settings, days)
            result = rederive(session, ctx, [(s, d) for s in ctx.staff for d in days], now)
            result.alerts += check_stand_ins(session, ctx, now)
            result.alerts += overdue_alerts(session, ctx, now, self._settle_hours())
        self._last = now
        self.ticks += 1
        if result.changed or result.alerts:
            log.info(
                "attendance tick at %s: %d changed, %d alerts, %d waiting for terminals",
                now.isoformat(),
                result.changed,
                result.alerts,
                result.held,
            )
        return result

    def _fill_gap(self, now: datetime, today: date) -> None:
        """On start, judge the days before yesterday that the service may have missed.

        Days nobody punched on get a stored verdict only from a tick: while the service was
        down, none came. The last month (and back to the last stored verdict) is judged.
        """
        with write_session(self.engine) as session:
            last = last_stored_day(session)
            first = min(last or today, today - GAP_DAYS)
            done = rederive_span(session, self.settings, now, first=first, last=today - 2 * DAY)
        if done.changed:
            log.info("attendance: %d staff-days judged that no tick had judged", done.changed)

    def next_wake(self, now: datetime) -> datetime:
        """The next decision instant or settling deadline, or a minute from now when something
        is running."""
        today = now.astimezone(self.settings.zone).date()
        later = [t for t in self.decision_instants(today) if t > now]
        later += [t for t in self.decision_instants(today + timedelta(days=1)) if t > now]
        later.append(deadlines_around(now, self.settings.zone, self._settle_hours())[1])
        wake = min(later)
        if self._busy(today):
            wake = min(wake, now + MINUTE)
        return wake

    def _round(self) -> timedelta:
        """Tick when due; returns the time to sleep until the next look."""
        now = self.clock()
        if self.due(now):
            self.tick(now)
        wait = (self.next_wake(self.clock()) - self.clock()).total_seconds()
        return timedelta(seconds=min(max(wait, 0.5), 60.0))

    def start(self) -> None:
        """Run ticks in a background thread."""
        self._background.start()

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self._background.stop()
