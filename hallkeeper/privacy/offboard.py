"""Offboarding: a person who leaves the hall gets an end date and is taken off every terminal.

`offboard` works in three steps so that no database transaction waits on a terminal:

1. one transaction sets the end date (today, unless given or set already), re-derives the
   days after it, queues the delete for every approved ADMS terminal and appends the audit
   entry ``staff.offboard``;
2. each configured ZK terminal is changed and read back (`remove_from_zk`), in parallel;
3. one transaction stores every terminal's step and appends ``staff.offboard.terminals``
   with the outcome per terminal.

`status` reports the steps later, with the ADMS terminals' answers that came in since.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from attendance.models import Device, OffboardStep
from attendance.refresh import rederive_span
from attendance.terminals.offboard import (
    ZKOutcome,
    queue_adms_removal,
    refresh,
    remove_from_zk,
    replace_steps,
    step_view,
)
from attendance.terminals.zk_terminal import zk_settings
from devices.zk.settings import ZKSettings
from hallbase.auth import Actor, audit
from hallbase.auth.errors import refusal
from hallbase.db import write_session
from hallbase.models import Staff
from hallbase.settings import Settings
from hallbase.words import each

STATUSES = ("removed", "pending", "failed")


def find_staff(session: Session, staff_no: str) -> Staff:
    """The staff member with ``staff_no``, or 404."""
    person = session.exec(select(Staff).where(col(Staff.staff_no) == staff_no)).first()
    if person is None:
        raise refusal(404, "unknown_staff_no", staff_no=staff_no)
    return person


def zk_terminals(settings: Settings) -> dict[str, ZKSettings]:
    """How to reach each configured ZK terminal, by serial."""
    return {
        d.serial: zk_settings(d, str(settings.zone))
        for d in settings.hall.devices
        if d.protocol in ("zk_tcp", "zk_udp")
    }


@dataclass
class OffboardReport:
    """The person, their end date and every terminal's step."""

    staff_no: str
    end_date: date | None
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(1 for step in self.steps if step["status"] == s) for s in STATUSES}

    @property
    def done(self) -> bool:
        """True when no terminal is still pending."""
        return self.counts["pending"] == 0

    def view(self) -> dict[str, Any]:
        """As the API and the command line show it, the statuses' words included."""
        return {
            "staff_no": self.staff_no,
            "end_date": None if self.end_date is None else self.end_date.isoformat(),
            "terminals": self.steps,
            "counts": self.counts,
            "words": {s: each(f"privacy.offboard.{s}") for s in STATUSES},
        }


def _begin(
    session: Session,
    settings: Settings,
    staff_no: str,
    actor: Actor,
    now: datetime,
    end_date: date | None,
    reason: str | None,
) -> tuple[str, date | None, list[OffboardStep]]:
    person = find_staff(session, staff_no)
    before = person.end_date
    if person.end_date is None:
        person.end_date = end_date or now.astimezone(settings.zone).date()
        session.add(person)
        session.flush()
        rederive_span(
            session, settings, now, staff_nos=[staff_no], first=person.end_date + timedelta(days=1)
        )
    devices = session.exec(select(Device).order_by(col(Device.serial))).all()
    steps = queue_adms_removal(session, staff_no, person.pin, devices, now)
    audit.append(
        session,
        actor,
        "staff.offboard",
        f"staff:{staff_no}",
        at=now,
        before={"end_date": None if before is None else before.isoformat()},
        after={
            "end_date": None if person.end_date is None else person.end_date.isoformat(),
            "adms_queued": [s.device_sn for s in steps],
        },
        reason=reason,
    )
    return person.pin, person.end_date, steps


def _zk_steps(
    outcomes: list[ZKOutcome], staff_no: str, pin: str, now: datetime
) -> list[OffboardStep]:
    return [
        OffboardStep(
            staff_no=staff_no,
            pin=pin,
            device_sn=o.serial,
            protocol="zk",
            status=o.status,
            detail=o.detail,
            started_at=now,
            checked_at=now,
        )
        for o in outcomes
    ]


def offboard(
    engine: Engine,
    settings: Settings,
    staff_no: str,
    actor: Actor,
    clock: Callable[[], datetime],
    *,
    end_date: date | None = None,
    reason: str | None = None,
    zk: Mapping[str, ZKSettings] | None = None,
) -> OffboardReport:
    """Offboard ``staff_no`` (see the module docstring); ``zk``: the ZK terminals to change
    (default: every configured one)."""
    now = clock()
    with write_session(engine) as session:
        pin, end, adms_steps = _begin(session, settings, staff_no, actor, now, end_date, reason)
    targets = list((zk_terminals(settings) if zk is None else zk).values())
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(targets)))) as pool:
        outcomes = list(pool.map(lambda s: remove_from_zk(s, pin), targets))
    done = clock()
    with write_session(engine) as session:
        replace_steps(session, staff_no, [*adms_steps, *_zk_steps(outcomes, staff_no, pin, done)])
        steps = refresh(session, staff_no, done)
        report = OffboardReport(staff_no, end, [step_view(s) for s in steps])
        audit.append(
            session,
            actor,
            "staff.offboard.terminals",
            f"staff:{staff_no}",
            at=done,
            after={"counts": report.counts, "terminals": report.steps},
            reason=reason,
        )
    return report


def status(engine: Engine, staff_no: str, now: datetime) -> OffboardReport:
    """The person's offboarding steps, with the ADMS terminals' answers that came in since."""
    with write_session(engine) as session:
        person = find_staff(session, staff_no)
        steps = refresh(session, staff_no, now)
        return OffboardReport(staff_no, person.end_date, [step_view(s) for s in steps])
