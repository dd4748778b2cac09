"""Follow-up of unacknowledged critical alerts: repeat every so often, then escalate.

An unacknowledged critical alert (of the last day) repeats every ``repeat_minutes`` (at most
``repeat_max`` times) as an ``alert.repeat`` alert, and after ``escalate_minutes`` an
``alert.escalation`` alert goes to the escalation outlets (hall file `[alerts]`). Both go
through the outbox like any alert, carry the original's id as ``origin_id`` (an
acknowledgement of either acknowledges the original) and its subject. An alert that was
withdrawn (``attendance.cleared``) is not followed up.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from attendance_engine.alerts import CLEARED_KIND
from hallbase.alert_ack import ESCALATION_KIND, REPEAT_KIND, message, subject
from hallbase.alerts import Alert, raise_alerts
from hallbase.background import BackgroundLoop, repeat
from hallbase.clock import Clock
from hallbase.db import write_session
from hallbase.hallconfig.alerts import AlertsSection
from hallbase.models import AlertOutbox
from hallbase.words import t

log = logging.getLogger(__name__)
CHECK_SECONDS = 30.0
HORIZON = timedelta(days=1)  # older alerts are not followed up (the day has moved on)


def _withdrawn(session: Session, rows: list[AlertOutbox]) -> set[str]:
    """The message ids among ``rows`` whose alert was withdrawn by a `cleared` alert."""
    wanted = {f"{CLEARED_KIND}:{r.message_id[len(r.kind) + 1 :]}": r.message_id for r in rows}
    found = session.exec(
        select(AlertOutbox.message_id).where(col(AlertOutbox.message_id).in_(list(wanted)))
    ).all()
    return {wanted[m] for m in found}


def _follow(row: AlertOutbox, kind: str, key: str, extra: dict[str, Any], text: str) -> Alert:
    payload = {
        **subject(row.payload),
        **extra,
        "origin_id": row.id,
        "origin_kind": row.kind,
        "origin_message_id": row.message_id,
        "message": text,
    }
    return Alert(kind, key, payload, "critical")


def follow_up(session: Session, cfg: AlertsSection, now: datetime) -> int:
    """Queue the repeats and escalations due at ``now``; returns how many were queued."""
    if not cfg.repeat_minutes and not cfg.escalate_minutes:
        return 0
    rows = list(
        session.exec(
            select(AlertOutbox).where(
                col(AlertOutbox.severity) == "critical",
                col(AlertOutbox.acked_at).is_(None),
                col(AlertOutbox.kind).not_in([REPEAT_KIND, ESCALATION_KIND, CLEARED_KIND]),
                col(AlertOutbox.created_at) >= now - HORIZON,
            )
        ).all()
    )
    if not rows:
        return 0
    withdrawn = _withdrawn(session, rows)
    alerts: list[Alert] = []
    for row in rows:
        if row.message_id in withdrawn:
            continue
        age = now - row.created_at
        text = message(row.payload)
        if cfg.repeat_minutes and row.repeats < cfg.repeat_max:
            n = min(cfg.repeat_max, int(age / timedelta(minutes=cfg.repeat_minutes)))
            if n > row.repeats:  # repeats missed while the service was down: sent once
                line = t("alerts.repeat", n=n, message=text)
                alerts.append(_follow(row, REPEAT_KIND, f"{row.id}:{n}", {"repeat": n}, line))
                row.repeats = n
                session.add(row)
        escalate = cfg.escalate_minutes
        if escalate and row.escalated_at is None and age >= timedelta(minutes=escalate):
            line = t("alerts.escalation", minutes=escalate, message=text)
            alerts.append(_follow(row, ESCALATION_KIND, str(row.id), {"after": escalate}, line))
            row.escalated_at = now
            session.add(row)
    return raise_alerts(session, alerts, now)


class AlertFollowUp:
    """Runs `follow_up` every ``CHECK_SECONDS``; a Component of the app."""

    def __init__(self, engine: Engine, cfg: AlertsSection, clock: Clock) -> None:
        self.engine, self.cfg, self.clock = engine, cfg, clock
        self._background = BackgroundLoop(
            "alert-follow-up",
            repeat(self._round, every=CHECK_SECONDS, logger=log, failed="alert follow-up failed"),
        )

    def step(self) -> int:
        """One look at the unacknowledged critical alerts."""
        with write_session(self.engine) as session:
            return follow_up(session, self.cfg, self.clock())

    def _round(self) -> None:
        if queued := self.step():
            log.info("alert follow-up: %d repeats and escalations queued", queued)

    def start(self) -> None:
        self._background.start()

    def stop(self) -> None:
        self._background.stop()
