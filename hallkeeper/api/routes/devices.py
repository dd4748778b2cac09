"""Terminals: their live status, approval of new ADMS terminals, staff list sync."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from sqlmodel import select

from devices.errors import DeviceUnavailable
from devices.zk.adapter import ZKClient
from hallkeeper.api.deps import Admin, ReadSessionDep, SessionDep
from hallkeeper.models import Device, QuarantinedRecord
from hallkeeper.settings import Settings
from hallkeeper.terminals.supervisor import ZKTerminal
from hallkeeper.terminals.users import SyncResult, queue_adms_sync, sync_zk, user_plan

router = APIRouter()


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def _device(session: ReadSessionDep | SessionDep, serial: str) -> Device:
    device = session.exec(select(Device).where(Device.serial == serial)).first()
    if device is None:
        raise HTTPException(404, detail=f"no terminal with serial {serial!r}")
    return device


@router.get("", summary="Every terminal with its availability, last sync and last error")
def list_devices(request: Request) -> dict[str, Any]:
    data = request.app.state.devices.statuses()
    return {"data": data, "count": len(data)}


@router.get("/{serial}/quarantined", summary="Records held back from one terminal")
def quarantined(serial: str, session: ReadSessionDep) -> dict[str, Any]:
    rows = session.exec(
        select(QuarantinedRecord).where(QuarantinedRecord.device_sn == serial)
    ).all()
    data = [{**r.model_dump(exclude={"raw"}), "raw_hex": r.raw.hex(" ")} for r in rows]
    return {"data": data, "count": len(data)}


@router.post("/{serial}/approve", dependencies=[Admin], summary="Accept a new ADMS terminal")
def approve(serial: str, session: SessionDep) -> Device:
    device = _device(session, serial)
    device.approved = True
    session.add(device)
    return device


@router.post("/{serial}/sync-users", dependencies=[Admin], summary="Push the staff list")
def sync_users(serial: str, request: Request, session: SessionDep) -> dict[str, Any]:
    device = _device(session, serial)
    if not device.approved:
        raise HTTPException(409, detail=f"terminal {serial} is not approved")
    now = _now(request)
    plan = user_plan(session, now.astimezone(ZoneInfo(device.timezone)).date())
    if device.protocol == "adms":
        settings: Settings = request.app.state.settings
        entry = next((d for d in settings.hall.devices if d.serial == serial), None)
        result = SyncResult()
        queued = queue_adms_sync(
            session,
            serial,
            plan,
            now,
            encoding=entry.name_encoding if entry is not None else "gbk",
            result=result,
        )
        return {
            "queued": queued,
            "truncated": result.truncated,
            "note": "sent on the terminal's next poll",
        }
    terminal = request.app.state.devices.terminals.get(serial)
    if not isinstance(terminal, ZKTerminal):
        raise HTTPException(409, detail=f"terminal {serial} ({device.protocol}) keeps no user list")
    try:
        with ZKClient(terminal.settings) as client:
            done = sync_zk(client, plan)
    except DeviceUnavailable as exc:
        raise HTTPException(503, detail=f"terminal {serial} unavailable: {exc}") from None
    # Names cut to fit the terminal and users it refused are listed for the admin.
    return asdict(done)
