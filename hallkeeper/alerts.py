"""Alerts for supervisors: written to the outbox in the caller's transaction, relayed over MQTT."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from hallkeeper.models import AlertOutbox

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


def raise_alerts(session: Session, alerts: Sequence[Alert], now: datetime) -> int:
    """Queue alerts in the caller's transaction, in one statement; returns how many were new."""
    if now.tzinfo is None:
        raise ValueError("alert time must be timezone-aware")
    if not alerts:
        return 0
    rows = []
    for alert in alerts:
        if alert.severity not in SEVERITIES:
            raise ValueError(f"alert severity must be one of {SEVERITIES}, not {alert.severity!r}")
        payload = {**alert.payload, "kind": alert.kind, "message_id": alert.message_id}
        rows.append(
            {
                "message_id": alert.message_id,
                "kind": alert.kind,
                "severity": alert.severity,
                "payload": {**payload, "at": now.isoformat()},
                "created_at": now,
                "attempts": 0,
            }
        )
    table = AlertOutbox.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).on_conflict_do_nothing(index_elements=["message_id"])
    result = session.connection().execute(statement.returning(table.c.id), rows)
    return len(result.all())


def raise_alert(
    session: Session,
    *,
    kind: str,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    severity: str = "warning",
) -> bool:
    """Queue one alert (see `raise_alerts`); returns True when it is new."""
    return raise_alerts(session, [Alert(kind, key, payload, severity)], now) == 1
