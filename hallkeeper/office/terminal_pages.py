"""The fingerprint terminals' page (考勤机): every terminal (ZK TCP/UDP, ADMS push, serial
reader) with its approval, availability, last contact and last sync, and the punches that did
not count as they came: unmapped PINs (credited to a person from here) and records kept
aside. The admin and the supervisor read; the admin's buttons and form call the terminals'
and punches' API (`attendance.terminals.api`, `attendance.api_punches`), audited there."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func
from sqlmodel import col, select

from attendance.models import Device, QuarantinedRecord
from attendance.unmapped import unmapped_pins
from hallbase.auth import Principal
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.models import Staff
from hallbase.settings import Settings
from hallbase.words import has, t
from hallkeeper.office.common import AUDITOR_PAGE, ROOT, frame, render, staff_options
from hallkeeper.office.forms import Form, Input

router = APIRouter(include_in_schema=False)
Auditor = Annotated[Principal, AUDITOR_PAGE]
API = "/api/v1"
PATH = f"{ROOT}/terminals"
KEPT_SHOWN = 100  # the newest records kept aside shown; the count says how many there are
SYNCED = ("adms", "zk_tcp", "zk_udp")  # terminals holding a staff list
CLOCKED = ("zk_tcp", "zk_udp")  # terminals whose clock the service sets on request


def _local(value: object, settings: Settings) -> str:
    if isinstance(value, datetime):
        return value.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S")
    return "—"


def _state(status: dict[str, object]) -> str:
    if not status["approved"]:
        return "unapproved"
    available = status["available"]
    return "up" if available is True else "down" if available is False else "unknown"


def _terminals(request: Request, settings: Settings, lang: str) -> list[dict[str, Any]]:
    rows = []
    for status in request.app.state.devices.statuses():
        protocol = str(status["protocol"] or "")
        key = f"devices.protocol.{protocol}"
        rows.append(
            {
                "serial": status["serial"],
                "name": status["name"] or "",
                "protocol": protocol,
                "kind": t(key, lang) if has(key) else protocol,
                "state": _state(status),
                "approved": bool(status["approved"]),
                "last_seen": _local(status["last_seen"], settings),
                "last_sync": _local(status["last_sync"], settings),
                "error": status["last_error"] or "",
                "can_sync": status["approved"] and protocol in SYNCED,
                "can_set_clock": status["approved"] and protocol in CLOCKED,
            }
        )
    return rows


@router.get(PATH, response_class=HTMLResponse)
def terminals_page(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Auditor,
    lang: str | None = None,
) -> HTMLResponse:
    """Terminals with their actions, unmapped PINs with the form crediting them to a person,
    and the newest records kept aside."""
    page = frame(request, session, who, lang, "terminals")
    language = page["lang"]
    names = {s.staff_no: s.name for s in session.exec(select(Staff)).all()}
    pins = unmapped_pins(session, settings.zone)
    for pin in pins:
        pin["first"], pin["last"] = _local(pin["first"], settings), _local(pin["last"], settings)
        pin["holder"] = (
            t("office.person", language, name=names[pin["staff_no"]], no=pin["staff_no"])
            if pin["staff_no"] in names
            else ""
        )
    kept = session.exec(
        select(QuarantinedRecord).order_by(col(QuarantinedRecord.id).desc()).limit(KEPT_SHOWN)
    ).all()
    kept_count = session.exec(select(func.count()).select_from(QuarantinedRecord)).one()
    devices = {d.serial: d.name or d.serial for d in session.exec(select(Device)).all()}
    aside = [
        {
            "id": r.id,
            "terminal": devices.get(r.device_sn, r.device_sn),
            "pin": r.pin or "—",
            "time": _local(r.device_time, settings),
            "reason": r.reason,
            "received": _local(r.received_at, settings),
            "last": _local(r.last_received_at, settings),
            "repeats": r.repeats,
        }
        for r in kept
    ]
    form = Form(
        id="assign-form",
        create_url=f"{API}/punches/unmapped/assign",
        change_url=f"{API}/punches/unmapped/assign",
        change_method="POST",
        inputs=(
            Input("pin", "select", tuple((p["pin"], p["pin"]) for p in pins), required=True),
            Input("staff_no", "select", staff_options(session, language), required=True),
            Input("date_from", "date", hint=page["w"]["hint.credit_from"]),
            Input("date_to", "date"),
        ),
    )
    context = {
        **page,
        "terminals": _terminals(request, settings, language),
        "pins": pins,
        "aside": aside,
        "aside_count": kept_count,
        "form": form,
    }
    return render(request, "office_terminals.html", context)
