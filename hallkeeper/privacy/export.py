"""A subject access export: everything the hall holds about one person (PIPL art. 45).

`collect` gathers, by 工号: the staff record, accounts (never a password hash or token),
punches, records held back with the person's PIN, PIN credits, day verdicts, leave, out
registrations, make-up punches, away periods and window states, duty records signed by them
or whose note names them, alerts about them, tickets they served and the ratings of them,
offboarding steps, and the audit entries about them or made by their accounts. Each section
is a list of rows; `as_zip` packs the whole as JSON plus one CSV per section.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, or_, select

from attendance.models import (
    DayVerdict,
    DutySignature,
    LeaveRequest,
    MakeUpPunch,
    OffboardStep,
    OutRegistration,
    Punch,
    PunchAssignment,
    QuarantinedRecord,
    WindowAway,
)
from hallbase.auth import accounts as account_store
from hallbase.auth.audit import entry_view
from hallbase.auth.models import Account, AuditEntry
from hallbase.models import AlertOutbox, Staff, WindowStateHistory
from hallbase.words import each
from hallkeeper.privacy.offboard import find_staff
from kiosk.models import Rating, Ticket

Rows = list[dict[str, Any]]


def _rows(items: Sequence[SQLModel], exclude: set[str] | None = None) -> Rows:
    return [item.model_dump(mode="json", exclude=exclude) for item in items]


def _by_staff(session: Session, model: Any, staff_no: str, order: Any) -> Rows:
    query = select(model).where(model.staff_no == staff_no).order_by(order)
    return _rows(session.exec(query).all())


def _quarantined(session: Session, pin: str) -> Rows:
    query = select(QuarantinedRecord).where(col(QuarantinedRecord.pin) == pin)
    out = []
    for row in session.exec(query.order_by(col(QuarantinedRecord.id))):
        item = row.model_dump(mode="json", exclude={"raw"})
        item["raw_hex"] = row.raw.hex()
        out.append(item)
    return out


def _duty(session: Session, person: Staff) -> Rows:
    query = select(DutySignature).where(
        or_(
            col(DutySignature.signed_by) == person.staff_no,
            col(DutySignature.note).contains(person.staff_no, autoescape=True),
            col(DutySignature.note).contains(person.name, autoescape=True),
        )
    )
    return _rows(session.exec(query.order_by(col(DutySignature.day))).all())


def _alerts(session: Session, staff_no: str) -> Rows:
    text = sa.cast(AlertOutbox.payload, sa.Text)
    query = select(AlertOutbox).where(text.contains(f'"{staff_no}"', autoescape=True))
    rows = session.exec(query.order_by(col(AlertOutbox.id))).all()
    return _rows([r for r in rows if r.payload.get("staff_no") == staff_no])


def _audit(session: Session, staff_no: str, accounts: Sequence[Account]) -> Rows:
    mention = f'"staff_no":"{staff_no}"'
    about = [
        col(AuditEntry.target) == f"staff:{staff_no}",
        col(AuditEntry.before).contains(mention, autoescape=True),
        col(AuditEntry.after).contains(mention, autoescape=True),
    ]
    if accounts:
        about.append(col(AuditEntry.target).in_([f"account:{a.username}" for a in accounts]))
        made = sa.and_(
            col(AuditEntry.actor_kind) == "person",
            col(AuditEntry.actor_id).in_([a.id for a in accounts]),
        )
        about.append(made)
    query = select(AuditEntry).where(or_(*about)).order_by(col(AuditEntry.seq))
    return [entry_view(e) for e in session.exec(query)]


def collect(session: Session, staff_no: str, now: datetime) -> dict[str, Any]:
    """Everything held about ``staff_no`` (404 when no such person), as JSON-ready data."""
    person = find_staff(session, staff_no)
    accounts = session.exec(
        select(Account).where(col(Account.staff_no) == staff_no).order_by(col(Account.id))
    ).all()
    sections: dict[str, Rows] = {
        "staff": _rows([person]),
        "accounts": [
            json.loads(json.dumps(account_store.view(session, a), default=str)) for a in accounts
        ],
        "punches": _by_staff(session, Punch, staff_no, col(Punch.device_time)),
        "quarantined_records": _quarantined(session, person.pin),
        "punch_assignments": _by_staff(session, PunchAssignment, staff_no, col(PunchAssignment.id)),
        "day_verdicts": _by_staff(session, DayVerdict, staff_no, col(DayVerdict.day)),
        "leave_requests": _by_staff(session, LeaveRequest, staff_no, col(LeaveRequest.start)),
        "out_registrations": _by_staff(
            session, OutRegistration, staff_no, col(OutRegistration.start)
        ),
        "makeup_punches": _by_staff(session, MakeUpPunch, staff_no, col(MakeUpPunch.day)),
        "away_periods": _by_staff(session, WindowAway, staff_no, col(WindowAway.start)),
        "window_states": _by_staff(
            session, WindowStateHistory, staff_no, col(WindowStateHistory.start)
        ),
        "duty_records": _duty(session, person),
        "alerts": _alerts(session, staff_no),
        "tickets_served": _by_staff(session, Ticket, staff_no, col(Ticket.id)),
        "ratings": _by_staff(session, Rating, staff_no, col(Rating.id)),
        "offboarding": _by_staff(session, OffboardStep, staff_no, col(OffboardStep.id)),
        "audit_entries": _audit(session, staff_no, accounts),
    }
    return {
        "subject": staff_no,
        "generated_at": now.isoformat(),
        "notice": each("privacy.export.notice"),
        "counts": {name: len(rows) for name, rows in sections.items()},
        "sections": sections,
    }


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def section_csv(rows: Rows) -> str:
    """One section as CSV: a column per field (nested values as JSON), a row per record."""
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def as_json(data: dict[str, Any]) -> bytes:
    """The export as UTF-8 JSON."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def as_zip(data: dict[str, Any]) -> bytes:
    """The export as a zip: ``<staff_no>.json`` and ``<section>.csv`` (UTF-8 with BOM, which
    spreadsheet programs on the hall's PCs need to read Chinese)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{data['subject']}.json", as_json(data))
        for name, rows in data["sections"].items():
            archive.writestr(f"{name}.csv", "\ufeff" + section_csv(rows))
    return buffer.getvalue()
