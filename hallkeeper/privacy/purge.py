"""The purge of personal data past its keeping: once a day in the service, or by command.

`run_purge` purges every kind (attendance: `attendance.retention`; citizens' data in the
queue: `kiosk.retention`) in one transaction, and appends one audit entry with the counts
when anything went or a retention line moved. A dry run only counts. `PurgeJob` runs it
once per local day, after ``[privacy] purge_hour``, as a background part of the service.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from attendance.models import RetentionMark
from attendance.retention import KindPurge, cutoff, purge_attendance
from hallbase.auth import Actor, audit
from hallbase.background import BackgroundLoop, repeat
from hallbase.clock import Clock
from hallbase.db import write_session
from hallbase.settings import Settings
from kiosk.retention import blank_citizens

log = logging.getLogger(__name__)
SYSTEM = Actor("system", "privacy-purge")
CHECK_SECONDS = 600.0  # how often the job looks whether today's purge is due


@dataclass
class PurgeReport:
    """Everything one purge did (or, dry, would do)."""

    at: datetime
    dry_run: bool
    kinds: list[KindPurge]
    citizens_months: int | str
    citizens_kept_from: date | None
    citizens_blanked: int
    audited: bool = False

    @property
    def total(self) -> int:
        return sum(k.total for k in self.kinds) + self.citizens_blanked

    def view(self) -> dict[str, Any]:
        """As the audit entry, the API and the command line show it."""
        citizens = {
            "kind": "citizens",
            "months": self.citizens_months,
            "kept_from": None if self.citizens_kept_from is None else str(self.citizens_kept_from),
            "removed": {"queue_appointment": self.citizens_blanked},
            "held_back_by": None,
        }
        return {
            "at": self.at.isoformat(),
            "dry_run": self.dry_run,
            "kinds": [k.view() for k in self.kinds] + [citizens],
            "total": self.total,
        }


def _marks(session: Session) -> dict[str, date]:
    return {m.kind: m.kept_from for m in session.exec(select(RetentionMark))}


def run_purge(
    session: Session,
    settings: Settings,
    now: datetime,
    actor: Actor = SYSTEM,
    *,
    dry_run: bool = False,
    reason: str | None = None,
) -> PurgeReport:
    """Purge (or count) everything past its months, in the caller's transaction; audited."""
    privacy = settings.hall.privacy
    zone = settings.zone
    before = _marks(session)
    kinds = purge_attendance(session, privacy, now, zone, dry_run=dry_run)
    first = cutoff(now.astimezone(zone).date(), privacy.citizens_months)
    blanked = 0 if first is None else blank_citizens(session, first, dry_run=dry_run)
    report = PurgeReport(now, dry_run, kinds, privacy.citizens_months, first, blanked)
    if not dry_run and (report.total or _marks(session) != before):
        audit.append(
            session,
            actor,
            "privacy.purge",
            "privacy:retention",
            at=now,
            before={k: str(v) for k, v in sorted(before.items())},
            after=report.view(),
            reason=reason,
        )
        report.audited = True
    if report.total and not dry_run:
        log.info("privacy purge: %d records removed or blanked", report.total)
    return report


class PurgeJob:
    """Runs the purge once a local day, after ``purge_hour``; a Component of the app."""

    def __init__(self, settings: Settings, engine: Engine, clock: Clock) -> None:
        self.settings, self.engine, self.clock = settings, engine, clock
        self.last_day: date | None = None
        self.last: PurgeReport | None = None
        self._background = BackgroundLoop(
            "privacy-purge",
            repeat(
                self.step,
                every=CHECK_SECONDS,
                first=60.0,  # not in the start's rush; a restart still purges the same day
                logger=log,
                failed="privacy purge failed; tried again later",
            ),
        )

    def due(self, now: datetime) -> bool:
        """True when today's purge has not run and the purge hour has come."""
        local = now.astimezone(self.settings.zone)
        hour = self.settings.hall.privacy.purge_hour
        return local.hour >= hour and self.last_day != local.date()

    def step(self) -> None:
        """Purge when due."""
        now = self.clock()
        if not self.due(now):
            return
        with write_session(self.engine) as session:
            self.last = run_purge(session, self.settings, now, reason="daily purge")
        self.last_day = now.astimezone(self.settings.zone).date()

    def start(self) -> None:
        self._background.start()

    def stop(self) -> None:
        self._background.stop()
