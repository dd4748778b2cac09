"""Request bodies of the queue API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hallbase.fields import DbInt


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TicketIn(_In):
    service: str = Field(description="service code, e.g. social_security")
    priority_reason: str | None = Field(
        default=None,
        description="priority lane (绿色通道): elderly, disabled or military (configurable)",
    )


class StaffIn(_In):
    staff_no: str | None = Field(default=None, description="who is at the window (A or B post)")


class CallIn(StaffIn):
    ticket_id: DbInt


class FinishIn(_In):
    outcome: Literal["done", "missing_documents"] = "done"
    missing_documents: list[str] = Field(default_factory=list)


class TransferIn(_In):
    to_window: DbInt | None = None
    to_service: str | None = None
    come_back: bool = Field(default=False, description="return to this window afterwards")


class RatingIn(_In):
    attitude: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    efficiency: int = Field(ge=1, le=5)
    integrity: int = Field(ge=1, le=5)
    overall: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=500)


class SlotIn(_In):
    service: str
    start: datetime
    end: datetime
    capacity: int = Field(ge=1, le=10_000)


class SlotPatch(_In):
    capacity: int = Field(ge=0, le=10_000)


class BookingIn(_In):
    slot_id: DbInt
    name: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=20)
    id_number: str | None = Field(default=None, description="kept only as a salted hash")
    booked_by: Literal["api", "phone", "counter"] = "api"


class CheckInIn(_In):
    code: str | None = None
    id_number: str | None = None
