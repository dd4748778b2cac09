"""The queue's tables: counters, tickets, window live state, appointments, ratings and
committed items (承诺件). Every instant is an aware UTC datetime. The windows' state history
is shared with attendance (`hallbase.models.WindowStateHistory`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from hallbase.models.types import UTCDateTime


class QueueCounter(SQLModel, table=True):
    """The last number issued per service and business day; bumped atomically."""

    __tablename__ = "queue_counter"
    service_id: int = Field(foreign_key="service.id", primary_key=True)
    day: date = Field(primary_key=True)
    last_number: int = 0


# The waiting tickets that may be called before the others (a transfer leg at the head, an
# appointment, the priority channel): few, so `kiosk.calling` finds the first of them in a
# partial index of their own, and the first of everyone else in ix_queue_ticket_waiting. A
# query uses the partial index only when its WHERE holds this text as it is.
SPECIAL_WAITING = "status = 'waiting' AND (head OR channel IN ('appointment', 'priority'))"


class Ticket(SQLModel, table=True):
    """One leg of a citizen's visit: the ticket as issued (leg 0) or a transfer leg (1, 2 ...).

    A transfer keeps the number (A001) and queues at the head of another window or service.
    """

    __tablename__ = "queue_ticket"
    __table_args__ = (
        UniqueConstraint("counter_service_id", "day", "number", "leg", name="uq_ticket_number"),
        Index("ix_queue_ticket_waiting", "status", "day", "service_id", "issued_at"),
        Index(
            "ix_queue_ticket_special",
            "status",
            "day",
            "service_id",
            sqlite_where=text(SPECIAL_WAITING),
            postgresql_where=text(SPECIAL_WAITING),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    counter_service_id: int = Field(foreign_key="service.id")
    number: int
    leg: int = 0
    code: str = Field(max_length=8)
    service_id: int = Field(foreign_key="service.id")
    channel: str = Field(default="normal", max_length=12)  # normal / priority / appointment
    priority_reason: str | None = Field(default=None, max_length=20)
    appointment_id: int | None = Field(default=None, foreign_key="queue_appointment.id")
    parent_id: int | None = Field(default=None, foreign_key="queue_ticket.id")
    head: bool = False  # a transfer leg: called before everybody else
    target_window: int | None = None  # only this window may call it
    return_window: int | None = None  # after this leg, back to that window
    status: str = Field(default="waiting", max_length=12)
    outcome: str | None = Field(default=None, max_length=20)
    missing_documents: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    window_number: int | None = Field(default=None, index=True)
    staff_no: str | None = Field(default=None, max_length=20, index=True)
    recalls: int = 0
    due_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    issued_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    called_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    started_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The citizen's own handle on the visit (the ticket's QR code): unguessable, unlike the id.
    # Set on the ticket as issued (leg 0); its transfer legs are found through it.
    public_token: str | None = Field(default=None, max_length=32, unique=True, index=True)


class WindowLive(SQLModel, table=True):
    """A window's state now: serving / idle / paused / away, who is there, whom it serves."""

    __tablename__ = "queue_window_live"
    window_number: int = Field(primary_key=True)
    state: str = Field(default="idle", max_length=10)
    staff_no: str | None = Field(default=None, max_length=20)
    ticket_id: int | None = Field(default=None, foreign_key="queue_ticket.id")
    since: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class AppointmentSlot(SQLModel, table=True):
    """A bookable period of one service with a capacity; ``booked`` is bumped atomically."""

    __tablename__ = "queue_appointment_slot"
    __table_args__ = (UniqueConstraint("service_id", "start", name="uq_slot_start"),)
    id: int | None = Field(default=None, primary_key=True)
    service_id: int = Field(foreign_key="service.id")
    day: date = Field(index=True)
    start: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    end: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    capacity: int
    booked: int = 0


class Appointment(SQLModel, table=True):
    """A booking; the citizen checks in with ``code`` or the ID number (only a hash is kept)."""

    __tablename__ = "queue_appointment"
    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="queue_appointment_slot.id", index=True)
    code: str = Field(max_length=20, unique=True, index=True)
    name: str = Field(default="", max_length=40)
    phone: str = Field(default="", max_length=20)
    id_salt: str | None = Field(default=None, max_length=32)
    id_hash: str | None = Field(default=None, max_length=64)
    booked_by: str = Field(default="api", max_length=10)
    status: str = Field(default="booked", max_length=12)  # booked / checked_in / cancelled
    ticket_id: int | None = None  # no foreign key: tickets already point at appointments
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Rating(SQLModel, table=True):
    """The citizen's rating of one ticket leg (one only)."""

    __tablename__ = "queue_rating"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="queue_ticket.id", unique=True)
    window_number: int | None = None
    staff_no: str | None = Field(default=None, max_length=20)
    service_id: int = Field(foreign_key="service.id")
    attitude: int
    quality: int
    efficiency: int
    integrity: int
    overall: int
    comment: str = Field(default="", max_length=500)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class CommittedItem(SQLModel, table=True):
    """A committed item (承诺件) accepted at a window, tracked to its promised date (限时办结)."""

    __tablename__ = "queue_committed_item"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="queue_ticket.id", unique=True)
    service_id: int = Field(foreign_key="service.id")
    window_number: int | None = None
    staff_no: str | None = Field(default=None, max_length=20)
    accepted_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    promised_date: date
    completed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class TicketPrintState(SQLModel, table=True):
    """Whether a ticket came out of the kiosk's printer: ``printed``, ``waiting`` (for the
    printer; ``cause`` is the trouble that holds it) or ``failed`` (it will not print by itself;
    ``cause`` says why). No row: the printer has not handled the ticket yet."""

    __tablename__ = "queue_ticket_print"
    ticket_id: int = Field(foreign_key="queue_ticket.id", primary_key=True)
    state: str = Field(max_length=10, index=True)
    cause: str | None = Field(default=None, max_length=24)
    prints: int = 0  # how many times it came out
    reprint_by: str | None = Field(default=None, max_length=40)  # who asked for the last reprint
    printer: str | None = Field(default=None, max_length=20)  # its printer's name (hall file)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    printed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
