"""Terminals: their live status, approval and binding of ADMS terminals, staff list sync.

The admin and the supervisor (督查) read; the admin changes, and each change is audited."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from attendance.api_punches import quarantine_page
from attendance.models import Device, QuarantinedRecord
from attendance.terminals.binding import Binding, set_binding
from attendance.terminals.supervisor import ZKTerminal
from attendance.terminals.users import SyncResult, queue_adms_sync, sync_zk, user_plan
from devices.adms.text import validate_sn
from devices.errors import DeviceUnavailable, ProtocolError
from devices.zk.adapter import ZKClient
from hallbase.auth import Actor, Principal, allow, log_change
from hallbase.deps import PageDep, ReadSessionDep, SessionDep, SettingsDep
from hallbase.fields import OneLine
from hallbase.settings import Settings

router = APIRouter(dependencies=[allow("admin", "supervisor")])
ADMIN = [allow("admin")]


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def _device(session: ReadSessionDep | SessionDep, serial: str) -> Device:
    device = session.exec(select(Device).where(Device.serial == serial)).first()
    if device is None:
        raise HTTPException(404, detail=f"no terminal with serial {serial!r}")
    return device


@router.get("", summary="Terminals with their availability, last sync and last error (a page)")
def list_devices(request: Request, page: PageDep) -> dict[str, Any]:
    watch = request.app.state.devices
    data = watch.statuses(limit=page.limit, offset=page.offset)
    return {"data": data, "count": watch.counts()["total"], **page.echo()}


@router.get("/{serial}/quarantined", summary="Records held back from one terminal (a page)")
def quarantined(serial: str, session: ReadSessionDep, page: PageDep) -> dict[str, Any]:
    return quarantine_page(session, page, QuarantinedRecord.device_sn == serial)


@router.post("/{serial}/approve", dependencies=ADMIN, summary="Accept a new ADMS terminal")
def approve(
    serial: str, request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    device = session.exec(select(Device).where(Device.serial == serial)).first()
    before = None if device is None else {"approved": device.approved}
    if device is None:
        # Approving a serial not seen yet registers it in advance: a real terminal is let in
        # even while the list of unknown ones waiting is full (see devicedb.MAX_PENDING).
        try:
            validate_sn(serial)
        except ProtocolError as exc:
            raise HTTPException(422, detail=f"serial: {exc}") from None
        device = Device(serial=serial, protocol="adms", timezone=str(settings.zone))
    device.approved = True
    session.add(device)
    session.flush()
    log_change(session, request, "device.approve", f"device:{serial}", before=before,
               after={"approved": True})  # fmt: skip
    return device.model_dump(mode="json", exclude={"push_key_hash"})


@router.post("/{serial}/sync-users", dependencies=ADMIN, summary="Push the staff list")
def sync_users(serial: str, request: Request, session: SessionDep) -> dict[str, Any]:
    """The plan is sent (ADMS: queued) and audited as ``device.sync_users``."""
    answer = _sync(serial, request, session)
    log_change(session, request, "device.sync_users", f"device:{serial}", after=answer)
    return answer


def _sync(serial: str, request: Request, session: SessionDep) -> dict[str, Any]:
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
            # People the terminal cannot take (a name stored before names were checked).
            "skipped": [f"PIN {f['pin']}: {f['error']}" for f in result.failed],
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


@router.post("/{serial}/set-clock", dependencies=ADMIN, summary="Set a ZK terminal's clock")
def set_clock(serial: str, request: Request, session: SessionDep) -> dict[str, Any]:
    """Set a pulled (ZK) terminal's clock to the service's time, audited as
    ``device.set_clock`` with the terminal's time before and its drift.

    An ADMS terminal takes the service's time on every call it makes; a serial reader keeps
    no clock the service can set: both are refused (409)."""
    device = _device(session, serial)
    if not device.approved:
        raise HTTPException(409, detail=f"terminal {serial} is not approved")
    if device.protocol == "adms":
        raise HTTPException(
            409, detail=f"terminal {serial} (adms) takes the service's time on every call"
        )
    terminal = request.app.state.devices.terminals.get(serial)
    if not isinstance(terminal, ZKTerminal):
        raise HTTPException(
            409, detail=f"terminal {serial} ({device.protocol}) has no clock to set"
        )
    try:
        with ZKClient(terminal.settings, now=lambda tz: _now(request).astimezone(tz)) as client:
            before = client.sync_clock()
    except (DeviceUnavailable, ProtocolError) as exc:
        raise HTTPException(503, detail=f"terminal {serial} unavailable: {exc}") from None
    answer = {
        "serial": serial,
        "device_time": before.device_time.isoformat(),
        "set_to": before.host_time.isoformat(),
        "drift_seconds": round(before.drift.total_seconds()),
    }
    log_change(session, request, "device.set_clock", f"device:{serial}",
               before={"device_time": answer["device_time"]}, after=answer)  # fmt: skip
    return answer


class BindingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    address: OneLine | None = Field(
        default=None, max_length=64, description="address or network it calls from; none: any"
    )
    key: str | None = Field(
        default=None, min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
        description="the push URL's key (?key= or /adms/<key>/iclock/...); none: no key",
    )  # fmt: skip
    generate_key: bool = Field(default=False, description="make a key (shown once)")


@router.put("/{serial}/binding", summary="Bind an ADMS terminal to an address and/or push key")
def put_binding(
    serial: str,
    body: BindingIn,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, allow("admin")],
) -> dict[str, Any]:
    """Replace the terminal's binding besides its serial (attendance.terminals.binding)."""
    if body.key and body.generate_key:
        raise HTTPException(422, detail="give a key or ask for one, not both")
    try:
        device, key = set_binding(
            session, settings.auth_secret, Actor.of(who), _now(request), serial=serial,
            address=body.address, key=body.key, generate_key=body.generate_key,
        )  # fmt: skip
    except LookupError:
        raise HTTPException(404, detail=f"no terminal with serial {serial!r}") from None
    except ValueError as exc:
        raise HTTPException(422, detail=f"address: {exc}") from None
    shown = Binding(device.bind_address, device.push_key_hash).public()
    return {"serial": serial, **shown, "key": key}
