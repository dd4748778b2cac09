"""Take one person off every terminal that keeps a user list, and verify it.

A ZK terminal is changed and read back at once: ``removed`` when its user list no longer
holds the PIN, ``failed`` (with the reason) when it cannot be reached or still holds it. An
ADMS terminal gets ``DATA DELETE USERINFO PIN=..`` queued for its next poll: ``pending``
until it answers, then ``removed`` (Return=0) or ``failed`` (another code). ADMS has no
synchronous read-back: the terminal's answer to the delete is the proof. Serial readers keep
no users. Each terminal's state is an `OffboardStep`; `refresh` turns answered ADMS
commands into their outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select

from attendance.models import Device, DeviceCommand, OffboardStep
from attendance.terminals.devicedb import queue_command
from devices.adms import protocol as adms
from devices.errors import DeviceUnavailable, ProtocolError
from devices.zk.adapter import ZKClient
from devices.zk.settings import ZKSettings

log = logging.getLogger(__name__)
DETAIL_MAX = 500


@dataclass(frozen=True)
class ZKOutcome:
    """What happened on one ZK terminal."""

    serial: str
    status: str  # removed | failed
    detail: str


def remove_from_zk(settings: ZKSettings, pin: str) -> ZKOutcome:
    """Delete every user with ``pin`` from a ZK terminal, then read its user list back."""
    serial = settings.device_sn or f"{settings.host}:{settings.port}"
    try:
        with ZKClient(settings) as client:
            found = [u for u in client.read_users() if u.pin == pin]
            for user in found:
                client.delete_user(user.uid)
            left = [u.uid for u in client.read_users() if u.pin == pin]
    except (DeviceUnavailable, ProtocolError) as exc:
        log.warning("offboarding PIN %s: terminal %s: %s", pin, serial, exc)
        return ZKOutcome(serial, "failed", f"{type(exc).__name__}: {exc}"[:DETAIL_MAX])
    if left:
        return ZKOutcome(serial, "failed", f"read back: PIN {pin} still held (uid {left})")
    what = f"deleted uid {[u.uid for u in found]}" if found else "was not on the terminal"
    return ZKOutcome(serial, "removed", f"{what}; read back: not held")


def queue_adms_removal(
    session: Session, staff_no: str, pin: str, devices: Iterable[Device], now: datetime
) -> list[OffboardStep]:
    """Queue the delete for each approved ADMS terminal; its step is pending until answered."""
    steps = []
    for device in devices:
        if device.protocol != "adms" or not device.approved:
            continue
        command = queue_command(session, device.serial, adms.delete_user(1, pin).text, now)
        steps.append(
            OffboardStep(
                staff_no=staff_no,
                pin=pin,
                device_sn=device.serial,
                protocol="adms",
                status="pending",
                detail="queued for the terminal's next poll",
                command_id=command.id,
                started_at=now,
                checked_at=now,
            )
        )
    return steps


def replace_steps(session: Session, staff_no: str, steps: Iterable[OffboardStep]) -> None:
    """Store this offboarding's steps in place of an earlier one's (the audit log keeps both)."""
    session.exec(delete(OffboardStep).where(col(OffboardStep.staff_no) == staff_no))
    session.add_all(list(steps))
    session.flush()


def refresh(session: Session, staff_no: str, now: datetime) -> list[OffboardStep]:
    """The person's steps, the ADMS ones brought up to date with their commands' answers."""
    steps = list(
        session.exec(
            select(OffboardStep)
            .where(col(OffboardStep.staff_no) == staff_no)
            .order_by(col(OffboardStep.device_sn))
        )
    )
    ids = [s.command_id for s in steps if s.status == "pending" and s.command_id is not None]
    commands = {
        c.id: c for c in session.exec(select(DeviceCommand).where(col(DeviceCommand.id).in_(ids)))
    }
    for step in steps:
        command = commands.get(step.command_id) if step.status == "pending" else None
        if command is None:
            continue
        if command.status == "done":
            step.status, step.detail = "removed", f"terminal answered Return={command.return_code}"
        elif command.status == "failed":
            code = command.return_code
            why = f"Return={code}" if code is not None else "the command was refused"
            step.status, step.detail = "failed", f"terminal answered {why}"
        elif command.status == "sent":
            step.detail = "sent; waiting for the terminal's answer"
        else:
            continue
        step.checked_at = now
        session.add(step)
    session.flush()
    return steps


def step_view(step: OffboardStep) -> dict[str, object]:
    """A step as the API, the command line and the audit log show it."""
    return {
        "device_sn": step.device_sn,
        "protocol": step.protocol,
        "status": step.status,
        "detail": step.detail,
        "checked_at": step.checked_at.isoformat(),
    }
