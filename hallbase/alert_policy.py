"""The hall file's per-kind alert policy, applied when an alert is queued.

`raise_alerts` asks `prepare` for the alerts to store: a kind that is not enabled is not
stored; a kind's severity override replaces the severity its room gave; in quiet hours an
alert is dropped, held (stored with ``hold_until``, the end of the quiet hours: the relay
sends it then) or sent; with ``dedup_minutes``, an alert whose kind and subject (staff member,
window, device) were alerted within that window is not stored again. Where an alert goes
(``outlets``) is for the relay to read. The app registers its hall's policy per database
(`use_policy`); without one, alerts are stored as raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from hallbase.alert_ack import SUBJECT_KEYS
from hallbase.db import database_key, engine_of
from hallbase.hallconfig.alerts import AlertsSection, QuietHours
from hallbase.models import AlertOutbox

if TYPE_CHECKING:  # (hallbase.alerts imports this module)
    from hallbase.alerts import Alert


@dataclass(frozen=True)
class Policy:
    """A hall's `[alerts]` section and its time zone."""

    cfg: AlertsSection
    zone: ZoneInfo

    @property
    def plain(self) -> bool:
        """True when nothing in it changes what is stored."""
        return not self.cfg.kinds and self.cfg.quiet_hours is None


_policies: dict[str, Policy] = {}


def use_policy(engine: Engine, cfg: AlertsSection, zone: ZoneInfo) -> None:
    """Apply ``cfg`` to every alert queued in ``engine``'s database by this process."""
    policy = Policy(cfg, zone)
    if policy.plain:
        _policies.pop(database_key(engine), None)
    else:
        _policies[database_key(engine)] = policy


def policy_of(session: Session) -> Policy | None:
    """The policy registered for ``session``'s database, if any."""
    if not _policies:
        return None
    return _policies.get(database_key(engine_of(session)))


def quiet_until(quiet: QuietHours, zone: ZoneInfo, now: datetime) -> datetime | None:
    """The end of the quiet hours ``now`` falls in (None: not in quiet hours)."""
    local = now.astimezone(zone)
    at = local.time().replace(tzinfo=None)
    start, end = quiet.start, quiet.end
    inside = start <= at < end if start < end else (at >= start or at < end)
    if not inside:
        return None
    day = local.date() if at < end or start < end else local.date() + timedelta(days=1)
    return datetime.combine(day, time(end.hour, end.minute, end.second), zone)


def _subject(payload: Mapping[str, object]) -> tuple[object, ...]:
    return tuple(payload.get(key) for key in SUBJECT_KEYS)


def _recent(session: Session, kind: str, since: datetime) -> set[tuple[object, ...]]:
    rows = session.exec(
        select(AlertOutbox.payload).where(
            col(AlertOutbox.kind) == kind, col(AlertOutbox.created_at) >= since
        )
    ).all()
    return {_subject(payload) for payload in rows}


def prepare(
    session: Session, policy: Policy, alerts: Sequence[Alert], now: datetime
) -> list[tuple[Alert, datetime | None]]:
    """The alerts to store under ``policy``, each with the moment it is held until."""
    cfg = policy.cfg
    quiet_end = quiet_until(cfg.quiet_hours, policy.zone, now) if cfg.quiet_hours else None
    seen: dict[str, set[tuple[object, ...]]] = {}
    out: list[tuple[Alert, datetime | None]] = []
    for alert in alerts:
        rule = cfg.policy(alert.kind)
        if not rule.enabled:
            continue
        if rule.severity is not None and rule.severity != alert.severity:
            alert = replace(alert, severity=rule.severity)
        if rule.dedup_minutes:
            if alert.kind not in seen:
                since = now - timedelta(minutes=rule.dedup_minutes)
                seen[alert.kind] = _recent(session, alert.kind, since)
            who = _subject(alert.payload)
            if who in seen[alert.kind]:
                continue
            seen[alert.kind].add(who)
        hold = None
        if quiet_end is not None:
            action = rule.quiet or ("drop" if alert.severity == "info" else "hold")
            if action == "drop":
                continue
            hold = quiet_end if action == "hold" else None
        out.append((alert, hold))
    return out
