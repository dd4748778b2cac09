"""Alerts for supervisors: written to the outbox in the caller's transaction, relayed over MQTT."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from hallkeeper.models import AlertOutbox

SEVERITIES = ("info", "warning", "critical")


def raise_alert(
    session: Session,
    *,
    kind: str,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    severity: str = "warning",
) -> bool:
    """Queue one alert; ``key`` makes it idempotent (the same key is never sent twice).

    The message id is ``f"{kind}:{key}"``: stable across retries, restarts and re-derivations,
    so a supervisor's client can drop repeats. Returns True when the alert is new.
    """
    if severity not in SEVERITIES:
        raise ValueError(f"alert severity must be one of {SEVERITIES}, not {severity!r}")
    if now.tzinfo is None:
        raise ValueError("alert time must be timezone-aware")
    message_id = f"{kind}:{key}"
    values = {
        "message_id": message_id,
        "kind": kind,
        "severity": severity,
        "payload": {**payload, "kind": kind, "message_id": message_id, "at": now.isoformat()},
        "created_at": now,
        "attempts": 0,
    }
    table = AlertOutbox.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=["message_id"])
    result = session.connection().execute(statement)
    return bool(result.rowcount)
