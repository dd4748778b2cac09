"""The alert outbox: written in the same transaction as the fact it reports."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from hallbase.models.types import UTCDateTime


class AlertOutbox(SQLModel, table=True):
    """One alert for supervisors; ``message_id`` is stable across retries and restarts."""

    __tablename__ = "alert_outbox"
    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=64, unique=True, index=True)
    kind: str = Field(max_length=40, index=True)
    severity: str = Field(default="warning", max_length=10)
    payload: dict[str, object] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    # Acknowledgement (who: the account, by id and username; how: api, mqtt or page).
    acked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    acked_by_id: int | None = None
    acked_by: str | None = Field(default=None, max_length=80)
    ack_note: str | None = Field(default=None, max_length=200)
    ack_via: str | None = Field(default=None, max_length=10)
    # Follow-up of an unacknowledged critical alert: repeats sent, escalation sent.
    repeats: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    escalated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # Held in the hall's quiet hours until then (None: not held).
    hold_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class AlertDelivery(SQLModel, table=True):
    """One alert's delivery through one outlet other than MQTT (a DingTalk or WeCom robot).

    Written before the alert is sent and marked sent only after the platform accepted it, so
    each outlet keeps the outbox's promise on its own: one outlet failing never holds back
    another (nor MQTT, which keeps ``AlertOutbox.published_at``).
    """

    __tablename__ = "alert_delivery"
    __table_args__ = (UniqueConstraint("alert_id", "outlet"),)
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(
        sa_column=Column(Integer, ForeignKey("alert_outbox.id", ondelete="CASCADE"), nullable=False)
    )
    outlet: str = Field(max_length=10)
    next_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), index=True))
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)


class AlertOutletCursor(SQLModel, table=True):
    """How far an outlet has planned deliveries through the outbox (the last alert id seen)."""

    __tablename__ = "alert_outlet_cursor"
    outlet: str = Field(primary_key=True, max_length=10)
    last_id: int = 0
