"""A snapshot of every queue table, to prove that a refused request changed nothing."""

from __future__ import annotations

from sqlalchemy import Engine, text

TABLES = (
    "queue_counter",
    "queue_ticket",
    "queue_window_live",
    "queue_window_history",
    "queue_appointment_slot",
    "queue_appointment",
    "queue_rating",
    "queue_committed_item",
    "alert_outbox",
)


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the queue's tables, in a stable order."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
    return out
