"""Windows (窗口) with their A and B posts and the services they call, in order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Index, text
from sqlmodel import Field, Session, SQLModel, col, delete

from hallbase.models.types import UTCDateTime


class WindowBase(SQLModel):
    number: int = Field(index=True, unique=True)
    name: str = Field(max_length=100)
    kind: str = Field(default="comprehensive", max_length=20)
    a_post: str = Field(foreign_key="staff.staff_no", max_length=20)
    b_post: str | None = Field(default=None, foreign_key="staff.staff_no", max_length=20)


class Window(WindowBase, table=True):
    id: int | None = Field(default=None, primary_key=True)


class WindowService(SQLModel, table=True):
    __tablename__ = "window_service"
    window_id: int = Field(foreign_key="window.id", primary_key=True)
    service_id: int = Field(foreign_key="service.id", primary_key=True)
    priority: int


def set_window_services(session: Session, window_id: int, service_ids: Sequence[int]) -> None:
    """Replace the services a window calls, in calling order (first is called first)."""
    session.exec(delete(WindowService).where(col(WindowService.window_id) == window_id))
    for priority, service_id in enumerate(service_ids):
        session.add(WindowService(window_id=window_id, service_id=service_id, priority=priority))


class WindowStateHistory(SQLModel, table=True):
    """One period of a window's state; ``end`` is None while it lasts (feeds off-post rules).

    The queue writes it; attendance reads it (a window away from its post), so it is shared.
    """

    __tablename__ = "queue_window_history"
    # Each state change closes the window's open period; the history grows all year, so that
    # one row is found in an index of the open periods alone (one a window), not among them all.
    __table_args__ = (
        Index(
            "ix_queue_window_history_open",
            "window_number",
            sqlite_where=text('"end" IS NULL'),
            postgresql_where=text('"end" IS NULL'),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    window_number: int = Field(index=True)
    state: str = Field(max_length=10)
    staff_no: str | None = Field(default=None, max_length=20, index=True)
    start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    end: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
