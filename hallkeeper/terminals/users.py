"""Keep terminals' user lists equal to the staff list (Chinese names, never templates)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from devices.adms import protocol as adms
from devices.zk.adapter import ZKClient
from devices.zk.records import User
from hallkeeper.models import Staff
from hallkeeper.terminals.devicedb import queue_command


@dataclass(frozen=True)
class UserPlan:
    """Who should be on a terminal and who should go (left the hall)."""

    keep: list[tuple[str, str]]  # (pin, name)
    remove: list[str]  # pins


def user_plan(session: Session, today: date) -> UserPlan:
    """Current staff stay on the terminals; those past their end date are removed."""
    keep, remove = [], []
    for person in session.exec(select(Staff).order_by(Staff.pin)):
        if person.end_date is not None and person.end_date < today:
            remove.append(person.pin)
        else:
            keep.append((person.pin, person.name))
    return UserPlan(keep, remove)


@dataclass(frozen=True)
class AdmsSync:
    """Commands queued for a terminal, and the people it cannot take (with the reason)."""

    queued: int
    skipped: list[str]


def queue_adms_sync(session: Session, serial: str, plan: UserPlan, now: datetime) -> AdmsSync:
    """Queue `DATA UPDATE/DELETE USERINFO` commands for an ADMS terminal's next polls.

    A name the terminal cannot take (stored before names were checked, or too long for it) skips
    that person with the reason; everyone else is still sent.
    """
    texts, skipped = [], []
    for pin, name in plan.keep:
        try:
            texts.append(adms.update_user(1, pin, name).text)
        except ValueError as exc:
            skipped.append(f"PIN {pin}: {exc}")
    texts += [adms.delete_user(1, pin).text for pin in plan.remove]
    for text in texts:
        queue_command(session, serial, text, now)
    return AdmsSync(len(texts), skipped)


def sync_zk(client: ZKClient, plan: UserPlan) -> tuple[int, int]:
    """Push the plan to a connected ZK terminal; returns (written, deleted)."""
    existing = {u.pin: u for u in client.read_users()}
    next_uid = max((u.uid for u in existing.values()), default=0) + 1
    written = 0
    for pin, name in plan.keep:
        user = existing.get(pin)
        if user is not None and user.name == name:
            continue
        uid = user.uid if user is not None else next_uid
        if user is None:
            next_uid += 1
        client.set_user(User(uid=uid, pin=pin, name=name))
        written += 1
    deleted = 0
    for pin in plan.remove:
        if pin in existing:
            client.delete_user(existing[pin].uid)
            deleted += 1
    return written, deleted
