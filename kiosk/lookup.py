"""Finding the hall-model rows the queue works on, with clear errors when they are missing.

Services and windows are read on every ticket and call but change rarely, so each process
keeps a snapshot of them. The snapshot is dropped whenever a session of this process writes a
service, window or window-service row, and is reloaded at least every few seconds so that an
edit made through another service instance shows within ``SNAPSHOT_TTL_S``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import time as clock_time
from typing import Any, Protocol, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, UOWTransaction
from sqlmodel import Session, col, select

from hallbase.db import database_key
from hallbase.models import Service, Staff, Window, WindowService
from kiosk.errors import NotFound
from kiosk.records import TICKETS, TicketRecord

T = TypeVar("T")
SNAPSHOT_TTL_S = 2.0
_HALL_TABLES = (Service, Window, WindowService)


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """A service as the queue needs it (a copy of the `Service` row)."""

    id: int
    code: str
    name: str
    name_en: str
    group: str
    prefix: str
    kind: str
    promised_days: int | None
    max_wait_minutes: int
    max_service_minutes: int
    daily_quota: int | None
    open_from: clock_time
    open_to: clock_time
    documents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WindowInfo:
    """A window as the queue needs it, with the services it calls in order."""

    id: int
    number: int
    name: str
    kind: str
    a_post: str
    b_post: str | None
    service_ids: tuple[int, ...]


class WindowLike(Protocol):
    """What pages need of a window: a `Window` row or a `WindowInfo`."""

    @property
    def number(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def a_post(self) -> str: ...
    @property
    def b_post(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class _Snapshot:
    loaded: float
    generation: int
    by_code: dict[str, ServiceInfo]
    by_id: dict[int, ServiceInfo]
    windows: dict[int, WindowInfo]


_lock = threading.Lock()
_snapshots: dict[str, _Snapshot] = {}
_generation = [0]


def invalidate() -> None:
    """Drop every snapshot (called when a session writes hall-model rows)."""
    with _lock:
        _generation[0] += 1
        _snapshots.clear()


def _load(session: Session, generation: int) -> _Snapshot:
    services = [
        ServiceInfo(
            id=s.id or 0,
            code=s.code,
            name=s.name,
            name_en=s.name_en,
            group=s.group,
            prefix=s.prefix,
            kind=s.kind,
            promised_days=s.promised_days,
            max_wait_minutes=s.max_wait_minutes,
            max_service_minutes=s.max_service_minutes,
            daily_quota=s.daily_quota,
            open_from=s.open_from,
            open_to=s.open_to,
            documents=tuple(s.documents),
        )
        for s in session.exec(select(Service)).all()
    ]
    links: dict[int, list[int]] = {}
    for link in session.exec(select(WindowService).order_by(col(WindowService.priority))).all():
        links.setdefault(link.window_id, []).append(link.service_id)
    windows = {
        w.number: WindowInfo(
            id=w.id or 0,
            number=w.number,
            name=w.name,
            kind=w.kind,
            a_post=w.a_post,
            b_post=w.b_post,
            service_ids=tuple(links.get(w.id or 0, ())),
        )
        for w in session.exec(select(Window)).all()
    }
    return _Snapshot(
        time.monotonic(),
        generation,
        {s.code: s for s in services},
        {s.id: s for s in services},
        windows,
    )


def _snapshot(session: Session) -> _Snapshot:
    key = database_key(session.get_bind().engine)
    with _lock:
        snap, generation = _snapshots.get(key), _generation[0]
    if snap is not None and time.monotonic() - snap.loaded < SNAPSHOT_TTL_S:
        return snap
    fresh = _load(session, generation)
    with _lock:
        if _generation[0] == generation:  # not invalidated while we were loading
            _snapshots[key] = fresh
    return fresh


def _found(found: T | None, error: str, /, **words: object) -> T:
    """``found``, or NotFound with the coded ``error`` when it is None."""
    if found is None:
        raise NotFound.coded(error, **words)
    return found


def service_by_code(session: Session, code: str) -> ServiceInfo:
    """The service with ``code``, or NotFound."""
    return _found(_snapshot(session).by_code.get(code), "unknown_service", code=code)


def service_by_id(session: Session, service_id: int) -> ServiceInfo:
    """The service with id ``service_id``, or NotFound."""
    service = _snapshot(session).by_id.get(service_id)
    if service is None:
        raise NotFound(f"unknown service id {service_id}")
    return service


def window_by_number(session: Session, number: int) -> WindowInfo:
    """The window numbered ``number``, or NotFound."""
    return _found(_snapshot(session).windows.get(number), "window_not_found", number=number)


def window_service_ids(session: Session, window: WindowInfo) -> list[int]:
    """The services a window calls, in its calling order."""
    return list(window.service_ids)


def all_windows(session: Session) -> list[WindowInfo]:
    """Every window, by number."""
    return sorted(_snapshot(session).windows.values(), key=lambda w: w.number)


def ticket_by_id(session: Session, ticket_id: int) -> TicketRecord:
    """The ticket leg ``ticket_id``, or NotFound."""
    return _found(TICKETS.get(session, ticket_id), "ticket_not_found", ticket_id=ticket_id)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    touched = session.new | session.dirty | session.deleted
    if any(isinstance(obj, _HALL_TABLES) for obj in touched):
        session.info["kiosk_hall_dirty"] = True
        invalidate()


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    mapper = state.bind_mapper
    if (
        (state.is_update or state.is_delete)
        and mapper is not None
        and mapper.class_ in _HALL_TABLES
    ):
        state.session.info["kiosk_hall_dirty"] = True
        invalidate()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Any) -> None:
    # A reader may have reloaded between our flush and our commit: drop its snapshot too.
    if session.info.pop("kiosk_hall_dirty", False):
        invalidate()


def staff_names(session: Session) -> dict[str, str]:
    """Every staff member's name by 工号: pages show people by name (王芳), not by number."""
    return {no: name for no, name in session.exec(select(Staff.staff_no, Staff.name)).all()}
