"""Queue alerts written to the shared outbox in the caller's transaction.

A small local helper for now: the lead's MQTT relay publishes `alert_outbox` rows. The key is
the stable message id, so the same condition seen twice is stored once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from hallkeeper.models import AlertOutbox


def raise_alert(
    session: Session,
    kind: str,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    severity: str = "warning",
) -> bool:
    """Write an alert unless one with message id ``key`` exists; True when a row was added."""
    table: Table = AlertOutbox.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(table)
        .values(
            message_id=key[:64],
            kind=kind,
            severity=severity,
            payload=payload,
            created_at=now,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=[table.c.message_id])
        .returning(table.c.id)
    )
    return session.connection().execute(stmt).first() is not None
