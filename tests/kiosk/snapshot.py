"""A snapshot of every queue table, to prove that a refused request changed nothing."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from hallbase.models import AlertOutbox

TABLES = (
    "queue_counter",
    "queue_ticket",
    "queue_window_live",
    "queue_window_history",
    "queue_appointment_slot",
    "queue_appointment",
    "queue_rating",
    "queue_committed_item",
    "queue_ticket_print",
)


# The queue's and its devices' alerts: everything but the attendance scheduler's.
QUEUE_KINDS = "kind NOT LIKE 'attendance.%'"


def queue_alerts(engine: Engine) -> list[AlertOutbox]:
    """The alerts the queue and its devices raised, oldest first.

    The attendance scheduler runs beside the queue on the same clock and rightly pages staff who
    have not punched in; those alerts are its own and are tested with it.
    """
    with Session(engine) as session:
        rows = session.exec(
            select(AlertOutbox).where(text(QUEUE_KINDS)).order_by(col(AlertOutbox.id))
        ).all()
        session.expunge_all()
        return list(rows)


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the queue's tables and the queue's alerts, in a stable order."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(text(f"SELECT * FROM {table}")).all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
        rows = conn.execute(text(f"SELECT * FROM alert_outbox WHERE {QUEUE_KINDS}")).all()
        out["alert_outbox"] = sorted((tuple(r) for r in rows), key=repr)
    return out
