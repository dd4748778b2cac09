"""Alerts for supervisors: written to the outbox in the caller's transaction, relayed over MQTT.

An alert whose id this process has seen committed to the outbox (`_KNOWN`) is answered
without a statement: the queue checks its limits on every ticket, and past the limit it raises
the same hour's alert again each time. Outbox rows are never deleted, so a committed id stays.

A session that queued a new alert wakes the relays of this process once it has committed
(`on_commit`): the alert leaves at once instead of at the relay's next poll. On PostgreSQL
its transaction also sends ``NOTIFY hallkeeper_alerts`` (`ALERT_CHANNEL`), which PostgreSQL
delivers at commit (and never on a rollback), so the relays of other instances that LISTEN
wake too.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Insert, Table, bindparam, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from hallbase.alert_policy import policy_of, prepare
from hallbase.db import engine_of
from hallbase.models import AlertOutbox

SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Alert:
    """One alert to queue: ``key`` makes it idempotent (the same key is never sent twice)."""

    kind: str
    key: str
    payload: dict[str, Any]
    severity: str = "warning"

    @property
    def message_id(self) -> str:
        """Stable across retries, restarts and re-derivations: ``f"{kind}:{key}"``."""
        return f"{self.kind}:{self.key}"


def _row(alert: Alert, now: datetime, hold_until: datetime | None = None) -> dict[str, Any]:
    """The outbox row of ``alert`` (its payload names the alert and the time it was raised)."""
    if alert.severity not in SEVERITIES:
        raise ValueError(f"alert severity must be one of {SEVERITIES}, not {alert.severity!r}")
    payload = {**alert.payload, "kind": alert.kind, "message_id": alert.message_id}
    return {
        "message_id": alert.message_id,
        "kind": alert.kind,
        "severity": alert.severity,
        "payload": {**payload, "at": now.isoformat()},
        "created_at": now,
        "attempts": 0,
        "hold_until": hold_until,
    }


def _insert(dialect: str, *, one: bool) -> Insert:
    table: Table = AlertOutbox.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    if one:  # bound parameters: built once, so that the compiled form is reused
        statement = statement.values(
            {
                name: bindparam(name, type_=table.c[name].type)
                for name in (
                    "message_id",
                    "kind",
                    "severity",
                    "payload",
                    "created_at",
                    "attempts",
                    "hold_until",
                )
            }
        )
    return statement.on_conflict_do_nothing(index_elements=[table.c.message_id]).returning(
        table.c.id
    )


# The single-alert statement is built once per dialect: the queue checks its limits on every
# ticket, and a statement built per call is compiled (or looked up by cache key) per call.
_ONE = {dialect: _insert(dialect, one=True) for dialect in ("sqlite", "postgresql")}


QUEUED = "hk_alerts_queued"  # session.info flag: this transaction queued a new alert
STORED = "hk_alerts_stored"  # session.info: ids this transaction inserted or found present
# Per engine: message ids known to be in its database's outbox (committed). Bounded: when full
# it starts again empty, which only costs statements.
_KNOWN: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()
KNOWN_MAX = 20_000
_waiters: list[Callable[[], None]] = []
_waiters_lock = threading.Lock()


def on_commit(callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` (cheap, non-blocking) after each commit of a session of this process
    that queued a new alert; returns the function that removes it again."""
    with _waiters_lock:
        _waiters.append(callback)

    def remove() -> None:
        with _waiters_lock:
            if callback in _waiters:
                _waiters.remove(callback)

    return remove


ALERT_CHANNEL = "hallkeeper_alerts"  # NOTIFY'd by a PostgreSQL transaction that queued alerts


@event.listens_for(OrmSession, "before_commit")
def _before_commit(session: OrmSession) -> None:
    if session.info.get(QUEUED) and session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"NOTIFY {ALERT_CHANNEL}")


@event.listens_for(OrmSession, "after_commit")
def _after_commit(session: OrmSession) -> None:
    stored = session.info.pop(STORED, None)
    if stored:
        engine = engine_of(session)
        known = _KNOWN.get(engine)
        if known is None or len(known) > KNOWN_MAX:
            known = _KNOWN[engine] = set()
        known.update(stored)
    if session.info.pop(QUEUED, False):
        with _waiters_lock:
            waiters = list(_waiters)
        for callback in waiters:
            callback()


@event.listens_for(OrmSession, "after_rollback")
def _after_rollback(session: OrmSession) -> None:
    session.info.pop(QUEUED, None)


@event.listens_for(OrmSession, "after_soft_rollback")
def _after_soft_rollback(session: OrmSession, previous_transaction: object) -> None:
    # A savepoint rolled back (or the whole transaction): which of the ids it held stay is
    # not known here, so none is remembered.
    session.info.pop(STORED, None)


def _stored(session: Session, message_ids: list[str]) -> None:
    """After the insert: each id is in the outbox once this transaction commits."""
    session.info.setdefault(STORED, set()).update(message_ids)


def _queued(session: Session, new: int) -> int:
    if new:
        session.info[QUEUED] = True
    return new


def _check_time(now: datetime) -> None:
    if now.tzinfo is None:
        raise ValueError("alert time must be timezone-aware")


def raise_alerts(session: Session, alerts: Sequence[Alert], now: datetime) -> int:
    """Queue alerts in the caller's transaction, in one statement; returns how many were new."""
    _check_time(now)
    known = _KNOWN.get(engine_of(session), ())
    alerts = [alert for alert in alerts if alert.message_id not in known]
    if not alerts:
        return 0
    policy = policy_of(session)
    if policy is None:
        rows = [_row(alert, now) for alert in alerts]
    else:
        rows = [_row(alert, now, hold) for alert, hold in prepare(session, policy, alerts, now)]
        if not rows:
            return 0
    statement = _insert(session.get_bind().dialect.name, one=False)
    new = len(session.connection().execute(statement, rows).all())
    _stored(session, [row["message_id"] for row in rows])
    return _queued(session, new)


def raise_alert(
    session: Session,
    *,
    kind: str,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    severity: str = "warning",
) -> bool:
    """Queue one alert in the caller's transaction; returns True when it is new."""
    _check_time(now)
    alert = Alert(kind, key, payload, severity)
    if alert.message_id in _KNOWN.get(engine_of(session), ()):
        return False
    policy = policy_of(session)
    if policy is not None:
        return raise_alerts(session, [alert], now) == 1
    conn = session.connection()
    row = _row(alert, now)
    new = conn.execute(_ONE[conn.dialect.name], row).first() is not None
    _stored(session, [alert.message_id])
    return bool(_queued(session, new))
