"""Keep terminals' user lists equal to the staff list (Chinese names, never templates)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlmodel import Session, select

from attendance.models import OffboardStep
from attendance.terminals.devicedb import queue_command
from devices.adms import protocol as adms
from devices.zk.adapter import CommandRejected, ZKClient
from devices.zk.records import User, fit_name
from hallbase.models import Staff

log = logging.getLogger(__name__)
ADMS_NAME_BYTES = 24  # the terminals' name field, in their name encoding


@dataclass(frozen=True)
class UserPlan:
    """Who should be on a terminal and who should go (left the hall)."""

    keep: list[tuple[str, str]]  # (pin, name)
    remove: list[str]  # pins


def user_plan(session: Session, today: date) -> UserPlan:
    """Current staff stay on the terminals; those past their end date are removed, and so are
    those offboarded (`attendance.terminals.offboard`) with an end date set."""
    keep, remove = [], []
    offboarded = set(session.exec(select(OffboardStep.staff_no)).all())
    for person in session.exec(select(Staff).order_by(Staff.pin)):
        end = person.end_date
        if end is not None and (end < today or person.staff_no in offboarded):
            remove.append(person.pin)
        else:
            keep.append((person.pin, person.name))
    return UserPlan(keep, remove)


@dataclass
class SyncResult:
    """What a user sync did: counts, names cut to fit the terminal, users that failed."""

    written: int = 0
    deleted: int = 0
    truncated: list[dict[str, str]] = field(default_factory=list)  # pin, name, written_as
    failed: list[dict[str, str]] = field(default_factory=list)  # pin, error

    def _cut(self, pin: str, name: str, fitted: str) -> str:
        if fitted != name:
            log.warning("user %s: name %r cut to %r to fit the terminal", pin, name, fitted)
            self.truncated.append({"pin": pin, "name": name, "written_as": fitted})
        return fitted


def queue_adms_sync(
    session: Session,
    serial: str,
    plan: UserPlan,
    now: datetime,
    *,
    encoding: str = "gbk",
    result: SyncResult | None = None,
) -> int:
    """Queue `DATA UPDATE/DELETE USERINFO` commands for an ADMS terminal's next polls.

    Only PIN and name are sent: privilege, card and password stay as the terminal keeps
    them.  A name too long for the terminal's 24-byte field is cut at a character boundary; a
    name the terminal cannot take at all (stored before names were checked) skips that person,
    listed in ``result.failed``, and everyone else is still sent.
    """
    count = 0
    result = result if result is not None else SyncResult()
    for pin, name in plan.keep:
        fitted = result._cut(pin, name, fit_name(name, encoding, ADMS_NAME_BYTES))
        try:
            text = adms.update_user(1, pin, fitted, privilege=None).text
        except ValueError as exc:
            result.failed.append({"pin": pin, "error": str(exc)})
            continue
        queue_command(session, serial, text, now)
        count += 1
    for pin in plan.remove:
        queue_command(session, serial, adms.delete_user(1, pin).text, now)
        count += 1
    return count


def sync_zk(client: ZKClient, plan: UserPlan) -> SyncResult:
    """Push the plan to a connected ZK terminal, one user at a time.

    A user is written back with everything the service does not own (privilege, card,
    password, group) as read from the terminal; a name too long for the field is cut at a
    character boundary and reported; a user the terminal refuses is reported and the sync
    goes on with the next.
    """
    existing = {u.pin: u for u in client.read_users()}
    width = client.name_width
    encoding = client.settings.encoding
    next_uid = max((u.uid for u in existing.values()), default=0) + 1
    result = SyncResult()
    for pin, name in plan.keep:
        fitted = result._cut(pin, name, fit_name(name, encoding, width))
        user = existing.get(pin)
        if user is not None and user.name == fitted:
            continue
        if user is None:
            user, next_uid = User(uid=next_uid, pin=pin), next_uid + 1
        try:
            client.set_user(replace(user, name=fitted))
        except (ValueError, CommandRejected) as exc:
            log.warning("user %s not written to %s: %s", pin, client.device_sn, exc)
            result.failed.append({"pin": pin, "error": str(exc)})
            continue
        result.written += 1
    for pin in plan.remove:
        if pin in existing:
            try:
                client.delete_user(existing[pin].uid)
            except CommandRejected as exc:
                result.failed.append({"pin": pin, "error": str(exc)})
                continue
            result.deleted += 1
    return result
