"""Queue alerts written to the shared outbox in the caller's transaction.

A small local helper for now: the lead's MQTT relay publishes `alert_outbox` rows. The key is
the stable message id, so the same condition seen twice is stored once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from hallkeeper.db import compiled_rows
from hallkeeper.models import AlertOutbox


def _insert(dialect: str) -> Insert:
    table: Table = AlertOutbox.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(table)
        .values(
            message_id=bindparam("message_id"),
            kind=bindparam("kind"),
            severity=bindparam("severity"),
            payload=bindparam("payload", type_=table.c.payload.type),
            created_at=bindparam("created_at", type_=table.c.created_at.type),
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=[table.c.message_id])
        .returning(table.c.id)
    )


# Built once per dialect with bound parameters: an alert is checked on every ticket of a long
# queue, and a statement built per call is compiled (or looked up by cache key) per call.
_INSERT = {dialect: _insert(dialect) for dialect in ("sqlite", "postgresql")}


def raise_alert(
    session: Session,
    kind: str,
    key: str,
    payload: dict[str, Any],
    now: datetime,
    severity: str = "warning",
) -> bool:
    """Write an alert unless one with message id ``key`` exists; True when a row was added."""
    conn = session.connection()
    params = {
        "message_id": key[:64],
        "kind": kind,
        "severity": severity,
        "payload": payload,
        "created_at": now,
    }
    return bool(compiled_rows(conn, _INSERT[conn.dialect.name], params))
