"""Retention of attendance records: purge whole months past their keeping, and hold the line.

Each kind of record has its months (`hallbase.hallconfig.privacy`) and its tables::

    punches     punch (device time)
    quarantine  quarantined_record (last received)
    requests    leave_request, out_registration (end), makeup_punch (day),
                window_away, queue_window_history (end): the facts people entered or caused
    verdicts    day_verdict, window_cover_verdict, duty_signature (day),
                alert_outbox (sent alerts, by creation)

A purge goes back to the first day of a month (`cutoff`), never past the start of the
previous month, and never into a month that is not closed: one with a provisional verdict
(a terminal has not synced it) or a pending request. After a purge, `RetentionMark` keeps
the first day still held per kind: punches before it are not stored again (a ZK terminal
re-reads its whole log), and no staff-day before the latest mark of punches, requests and
verdicts is judged again (`judged_from`), since the facts behind it are gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from attendance.models import (
    DayVerdict,
    DutySignature,
    LeaveRequest,
    MakeUpPunch,
    OutRegistration,
    Punch,
    QuarantinedRecord,
    RetentionMark,
    WindowAway,
    WindowCoverVerdict,
)
from hallbase.hallconfig.privacy import FOREVER, PrivacySection
from hallbase.models import AlertOutbox, WindowStateHistory

KINDS = ("punches", "quarantine", "requests", "verdicts")
JUDGED = ("punches", "requests", "verdicts")  # the facts and results a verdict rests on


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def months_back(first: date, months: int) -> date:
    """The first day of the month ``months`` before the month starting ``first``."""
    index = first.year * 12 + first.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def cutoff(today: date, months: int | str) -> date | None:
    """The first day kept when keeping ``months`` (None: kept forever); never later than the
    start of the previous month."""
    if months == FOREVER or not isinstance(months, int):
        return None
    return months_back(month_start(today), max(months, 1))


def open_from(session: Session, zone: ZoneInfo) -> date | None:
    """The first day of the earliest month not closed: a provisional verdict or a pending
    leave, out registration or make-up in it."""
    pending = "pending"
    days: list[date] = []
    first_verdict = session.exec(
        select(func.min(DayVerdict.day)).where(col(DayVerdict.provisional).is_(True))
    ).one()
    first_makeup = session.exec(
        select(func.min(MakeUpPunch.day)).where(col(MakeUpPunch.status) == pending)
    ).one()
    days += [d for d in (first_verdict, first_makeup) if d is not None]
    for model in (LeaveRequest, OutRegistration):
        start = session.exec(
            select(func.min(model.start)).where(col(model.status) == pending)
        ).one()
        if start is not None:
            days.append(start.astimezone(zone).date())
    return month_start(min(days)) if days else None


def _deletions(kind: str, day: date, at: datetime) -> list[tuple[Any, ColumnElement[bool]]]:
    """(table, condition) pairs of what a purge of ``kind`` before ``day`` (``at``) removes."""
    decided = "pending"
    if kind == "punches":
        return [(Punch, col(Punch.device_time) < at)]
    if kind == "quarantine":
        last = func.coalesce(QuarantinedRecord.last_received_at, QuarantinedRecord.received_at)
        return [(QuarantinedRecord, last < at)]
    if kind == "requests":
        return [
            (
                LeaveRequest,
                sa.and_(col(LeaveRequest.end) < at, col(LeaveRequest.status) != decided),
            ),
            (
                OutRegistration,
                sa.and_(col(OutRegistration.end) < at, col(OutRegistration.status) != decided),
            ),
            (MakeUpPunch, sa.and_(col(MakeUpPunch.day) < day, col(MakeUpPunch.status) != decided)),
            (WindowAway, col(WindowAway.end) < at),
            (WindowStateHistory, col(WindowStateHistory.end) < at),
        ]
    if kind == "verdicts":
        return [
            (DayVerdict, col(DayVerdict.day) < day),
            (WindowCoverVerdict, col(WindowCoverVerdict.day) < day),
            (DutySignature, col(DutySignature.day) < day),
            (
                AlertOutbox,
                sa.and_(
                    col(AlertOutbox.published_at).is_not(None), col(AlertOutbox.created_at) < at
                ),
            ),
        ]
    raise ValueError(f"unknown kind of record {kind!r}")


@dataclass
class KindPurge:
    """One kind's purge: what is kept from, what went (rows by table), what held it back."""

    kind: str
    months: int | str
    kept_from: date | None  # None: kept forever
    removed: dict[str, int] = field(default_factory=dict)
    held_back_by: date | None = None  # an open month that moved the cutoff back

    @property
    def total(self) -> int:
        return sum(self.removed.values())

    def view(self) -> dict[str, Any]:
        """The purge as the audit entry, the API and the command line show it."""
        return {
            "kind": self.kind,
            "months": self.months,
            "kept_from": None if self.kept_from is None else self.kept_from.isoformat(),
            "removed": dict(self.removed),
            "held_back_by": None if self.held_back_by is None else self.held_back_by.isoformat(),
        }


def purge_kind(
    session: Session,
    kind: str,
    months: int | str,
    today: date,
    zone: ZoneInfo,
    now: datetime,
    *,
    dry_run: bool,
    open_month: date | None,
) -> KindPurge:
    """Remove (or, dry, count) ``kind``'s records before its cutoff; mark the cutoff kept."""
    first = cutoff(today, months)
    done = KindPurge(kind, months, first)
    if first is None:
        return done
    if kind in JUDGED and open_month is not None and open_month < first:
        first = done.kept_from = done.held_back_by = open_month
    at = datetime.combine(first, time(0), tzinfo=zone)
    for model, condition in _deletions(kind, first, at):
        table = model.__table__
        if dry_run:
            count = session.exec(select(func.count()).select_from(table).where(condition)).one()
        else:
            count = session.connection().execute(sa.delete(table).where(condition)).rowcount
        done.removed[table.name] = int(count)
    if not dry_run:
        _mark(session, kind, first, now)
    return done


def _mark(session: Session, kind: str, first: date, now: datetime) -> None:
    mark = session.get(RetentionMark, kind)
    if mark is None:
        session.add(RetentionMark(kind=kind, kept_from=first, purged_at=now))
    elif mark.kept_from < first:
        mark.kept_from, mark.purged_at = first, now
        session.add(mark)
    session.flush()


def purge_attendance(
    session: Session,
    privacy: PrivacySection,
    now: datetime,
    zone: ZoneInfo,
    *,
    dry_run: bool = False,
) -> list[KindPurge]:
    """Purge every kind of attendance record past its months, in the caller's transaction."""
    today = now.astimezone(zone).date()
    open_month = open_from(session, zone)
    months = {
        "punches": privacy.punches_months,
        "quarantine": privacy.quarantine_months,
        "requests": privacy.requests_months,
        "verdicts": privacy.verdicts_months,
    }
    return [
        purge_kind(session, k, months[k], today, zone, now, dry_run=dry_run, open_month=open_month)
        for k in KINDS
    ]


def kept_from(conn: sa.Connection, kinds: Iterable[str]) -> date | None:
    """The latest first-day-kept among ``kinds`` (None: nothing of them was ever purged)."""
    table = RetentionMark.__table__  # type: ignore[attr-defined]
    query = sa.select(sa.func.max(table.c.kept_from)).where(table.c.kind.in_(list(kinds)))
    found = conn.execute(query).scalar()
    if isinstance(found, str):  # SQLite's text, through an aggregate
        return date.fromisoformat(found)
    return found if isinstance(found, date) else None


def judged_from(conn: sa.Connection, earliest: date, today: date) -> date | None:
    """The first day that may be judged again, when ``earliest`` may be before it; None when
    every day from ``earliest`` on may be (the common case costs no query: the current and
    the previous month are never purged)."""
    if earliest >= months_back(month_start(today), 1):
        return None
    return kept_from(conn, JUDGED)
