"""Tickets and windows' live state as the queue's code handles them: frozen records, read and
written with SQLAlchemy Core.

`kiosk.models` defines the tables (and the columns queries name); the queue never makes ORM
objects of these two: the ORM's identity map and unit of work cost more than the one-row
statements a ticket or a call needs. A record is a row as read; a change is one UPDATE by
primary key (`Rows.update`), which answers the changed record. The statements are built once
per table (and per list of changed columns), so SQLAlchemy's compiled cache serves them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import TypeAdapter
from sqlalchemy import Executable, Select, Table, Update, bindparam, insert, select, update
from sqlmodel import Session, SQLModel

from kiosk.models import Ticket, WindowLive

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

R = TypeVar("R", bound="DataclassInstance")


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """A row of `kiosk.models.Ticket` (fields in the table's column order)."""

    id: int
    day: date
    counter_service_id: int
    number: int
    leg: int
    code: str
    service_id: int
    channel: str
    priority_reason: str | None
    appointment_id: int | None
    parent_id: int | None
    head: bool
    target_window: int | None
    return_window: int | None
    status: str
    outcome: str | None
    missing_documents: list[str]
    window_number: int | None
    staff_no: str | None
    recalls: int
    due_at: datetime | None
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    public_token: str | None


@dataclass(frozen=True, slots=True)
class WindowLiveRecord:
    """A row of `kiosk.models.WindowLive` (fields in the table's column order)."""

    window_number: int
    state: str
    staff_no: str | None
    ticket_id: int | None
    since: datetime


class Rows(Generic[R]):
    """One table's rows as records: whole-row queries, get, insert and update by key."""

    def __init__(self, model: type[SQLModel], record: Callable[..., R]) -> None:
        table: Table = model.__table__  # type: ignore[attr-defined]
        (key,) = table.primary_key.columns
        self.table = table
        self.record = record
        self.key = str(key.name)
        self.query: Select[Any] = select(table)  # every column, in the record's order
        by_key = self.query.where(key == bindparam("pk"))
        self._by_key = {False: by_key, True: by_key.with_for_update()}
        self._insert = insert(table).returning(key)
        self._updates: dict[tuple[str, ...], Update] = {}
        self._defaults = {
            name: info.get_default(call_default_factory=False)
            for name, info in model.model_fields.items()
            if not info.is_required() and info.default_factory is None
        }
        self._factories = {
            name: info
            for name, info in model.model_fields.items()
            if info.default_factory is not None
        }

    def all(
        self, session: Session, query: Executable, params: Mapping[str, Any] | None = None
    ) -> list[R]:
        """The records a whole-row query (`Rows.query` with conditions) finds."""
        return [self.record(*row) for row in session.connection().execute(query, params)]

    def first(
        self, session: Session, query: Executable, params: Mapping[str, Any] | None = None
    ) -> R | None:
        """The first record a whole-row query (`Rows.query` with conditions) finds, or None."""
        row = session.connection().execute(query, params).first()
        return self.record(*row) if row is not None else None

    def get(self, session: Session, pk: Any, *, lock: bool = False) -> R | None:
        """The record with primary key ``pk`` (locked FOR UPDATE when ``lock``), or None."""
        return self.first(session, self._by_key[lock], {"pk": pk})

    def insert(self, session: Session, **values: Any) -> R:
        """Insert a row of ``values`` and the model's defaults; the database generates the key."""
        factories = {
            name: info.get_default(call_default_factory=True)
            for name, info in self._factories.items()
            if name not in values
        }
        row = {**self._defaults, **factories, **values}
        row.pop(self.key, None)
        key = session.connection().execute(self._insert, row).scalar_one()
        return self.record(**{self.key: key, **row})

    def update(self, session: Session, record: R, **changes: Any) -> R:
        """Write ``changes`` to ``record``'s row (one UPDATE by key); the changed record."""
        if not changes:
            return record
        names = tuple(changes)
        statement = self._updates.get(names)
        if statement is None:
            table = self.table
            statement = self._updates[names] = (
                update(table)
                .where(table.c[self.key] == bindparam("pk"))
                .values({name: bindparam(f"v_{name}") for name in names})
            )
        params = {f"v_{name}": value for name, value in changes.items()}
        params["pk"] = getattr(record, self.key)
        session.connection().execute(statement, params)
        return replace(record, **changes)


TICKETS: Rows[TicketRecord] = Rows(Ticket, TicketRecord)
LIVES: Rows[WindowLiveRecord] = Rows(WindowLive, WindowLiveRecord)

_TICKET_JSON = TypeAdapter(TicketRecord)


def ticket_json(ticket: TicketRecord) -> dict[str, Any]:
    """The ticket's fields as JSON-ready values (as the table model's ``model_dump`` gives)."""
    data: dict[str, Any] = _TICKET_JSON.dump_python(ticket, mode="json")
    return data


def held_ticket(session: Session, live: WindowLiveRecord | None) -> TicketRecord | None:
    """The ticket a window's live row holds, if any."""
    if live is None or live.ticket_id is None:
        return None
    return TICKETS.get(session, live.ticket_id)


def _live_with_ticket(lock: bool) -> Select[Any]:
    lives, tickets = LIVES.table, TICKETS.table
    query = (
        select(lives, tickets)
        .outerjoin(tickets, tickets.c.id == lives.c.ticket_id)
        .where(lives.c.window_number == bindparam("pk"))
    )
    return query.with_for_update(of=lives) if lock else query


_LIVE_WITH_TICKET = {lock: _live_with_ticket(lock) for lock in (False, True)}
_LIVE_COLUMNS = len(LIVES.table.columns)


def live_with_ticket(
    session: Session, number: int, *, lock: bool = False
) -> tuple[WindowLiveRecord, TicketRecord | None] | None:
    """A window's live row (locked FOR UPDATE when ``lock``) and the ticket it holds, in one
    statement; None when the window has no live row yet."""
    row = session.connection().execute(_LIVE_WITH_TICKET[lock], {"pk": number}).first()
    if row is None:
        return None
    live = WindowLiveRecord(*row[:_LIVE_COLUMNS])
    return live, (TicketRecord(*row[_LIVE_COLUMNS:]) if live.ticket_id is not None else None)
