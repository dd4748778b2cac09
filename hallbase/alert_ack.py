"""An alert's life after it is sent: acknowledgement (who, when, a note) and the listing.

A repeat or an escalation of an alert is acknowledged through it: acknowledging either
acknowledges the alert it follows up (its payload's ``origin_id``). An acknowledgement is
written once (a second one changes nothing and is not audited again) and audited in the
same transaction (`hallbase.auth.audit.append`, action ``alert.ack``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, func, select, update

from hallbase.auth.audit import Actor, append
from hallbase.auth.models import Account
from hallbase.auth.principal import Principal
from hallbase.auth.roles import Role
from hallbase.models import AlertOutbox

# Who may acknowledge (and list) alerts: the people who supervise the hall.
ACK_ROLES: tuple[Role, ...] = ("supervisor", "duty_chief", "admin", "director", "leader_in_charge")
REPEAT_KIND = "alert.repeat"
ESCALATION_KIND = "alert.escalation"
Via = Literal["api", "mqtt", "page"]
SUBJECT_KEYS = ("staff_no", "window", "window_number", "device_sn", "printer")


@dataclass(frozen=True)
class Ack:
    """The acknowledged alert (the original, for a repeat) and whether this call did it."""

    alert: AlertOutbox
    new: bool


def origin_id(row: AlertOutbox) -> int:
    """The id of the alert ``row`` follows up (its own id for an ordinary alert)."""
    origin = row.payload.get("origin_id") if row.kind in (REPEAT_KIND, ESCALATION_KIND) else None
    if isinstance(origin, int):
        return origin
    assert row.id is not None
    return row.id


def subject(payload: dict[str, Any]) -> dict[str, Any]:
    """What an alert concerns: its staff member, window, device or printer (as given)."""
    return {key: payload[key] for key in SUBJECT_KEYS if payload.get(key) not in (None, "")}


def message(payload: dict[str, Any]) -> str:
    """The alert's text for people (the rooms call it ``message`` or ``text``)."""
    text = payload.get("message") or payload.get("text") or ""
    return str(text)


def acknowledge(
    session: Session,
    alert_id: int,
    who: Principal,
    *,
    now: datetime,
    via: Via,
    note: str | None = None,
) -> Ack | None:
    """Acknowledge alert ``alert_id`` as ``who`` (a person); None when there is no such alert."""
    if who.kind != "person" or who.id is None:
        raise ValueError("only a person acknowledges an alert")
    row = session.get(AlertOutbox, alert_id)
    if row is None:
        return None
    target = origin_id(row)
    if target != alert_id:
        row = session.get(AlertOutbox, target)
        if row is None:
            return None
    changed = session.execute(
        update(AlertOutbox)
        .where(col(AlertOutbox.id) == target, col(AlertOutbox.acked_at).is_(None))
        .values(
            acked_at=now,
            acked_by_id=who.id,
            acked_by=(who.username or who.name)[:80],
            ack_note=note[:200] if note else None,
            ack_via=via,
        )
    ).rowcount  # type: ignore[attr-defined]
    if changed:
        after = {"via": via, "note": note, "message_id": row.message_id}
        append(session, Actor.of(who), "alert.ack", f"alert:{target}", at=now, after=after)
    session.refresh(row)
    return Ack(row, bool(changed))


def ack_names(session: Session, rows: list[AlertOutbox]) -> dict[int, str]:
    """The display names of the accounts that acknowledged ``rows``, by account id."""
    ids = {r.acked_by_id for r in rows if r.acked_by_id is not None}
    if not ids:
        return {}
    found = session.exec(
        select(Account.id, Account.display_name).where(col(Account.id).in_(ids))
    ).all()
    return {int(i): name for i, name in found if i is not None and name}


def view(row: AlertOutbox, names: dict[int, str] | None = None) -> dict[str, Any]:
    """An alert as the API and the dashboard show it; ``names``: who acknowledged, by account
    id (`ack_names`), shown as ``ack.name`` (the account's name at acknowledgement otherwise)."""
    return {
        "id": row.id,
        "message_id": row.message_id,
        "kind": row.kind,
        "severity": row.severity,
        "time": row.created_at.isoformat(),
        "subject": subject(row.payload),
        "message": message(row.payload),
        "payload": row.payload,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "held_until": row.hold_until.isoformat() if row.hold_until else None,
        "repeats": row.repeats,
        "escalated_at": row.escalated_at.isoformat() if row.escalated_at else None,
        "acknowledged": row.acked_at is not None,
        "ack": None
        if row.acked_at is None
        else {
            "at": row.acked_at.isoformat(),
            "by": row.acked_by,
            "name": (names or {}).get(row.acked_by_id or 0, row.acked_by),
            "account_id": row.acked_by_id,
            "note": row.ack_note,
            "via": row.ack_via,
        },
    }


def listing(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    kind: str | None = None,
    severity: str | None = None,
    acknowledged: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AlertOutbox], int]:
    """Alerts raised in [start, end), newest first, filtered; and how many match in all."""
    where = [col(AlertOutbox.created_at) >= start, col(AlertOutbox.created_at) < end]
    if kind is not None:
        where.append(col(AlertOutbox.kind) == kind)
    if severity is not None:
        where.append(col(AlertOutbox.severity) == severity)
    if acknowledged is not None:
        acked = col(AlertOutbox.acked_at)
        where.append(acked.is_not(None) if acknowledged else acked.is_(None))
    total = session.exec(select(func.count()).select_from(AlertOutbox).where(*where)).one()
    rows = session.exec(
        select(AlertOutbox)
        .where(*where)
        .order_by(col(AlertOutbox.created_at).desc(), col(AlertOutbox.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), int(total)
