"""Liveness and readiness: the database, the broker and the devices.

Anyone gets the status (a load balancer asks without a credential); the office gets the
details: no terminal serial or device list is shown to an anonymous caller.
"""

from __future__ import annotations

import socket
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from sqlalchemy import text

from hallbase.auth import OFFICE, PUBLIC, Principal
from hallbase.deps import EngineDep, SettingsDep

router = APIRouter()


def _broker(url: str | None) -> dict[str, Any]:
    if not url:
        return {"configured": False, "ok": True}
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "localhost", parts.port or 1883), 1.0):
            return {"configured": True, "ok": True}
    except OSError as exc:
        return {"configured": True, "ok": False, "error": str(exc)}


@router.get("/healthz", summary="Health of the database, broker and devices")
def healthz(
    request: Request,
    response: Response,
    engine: EngineDep,
    settings: SettingsDep,
    who: Annotated[Principal, PUBLIC],
) -> dict[str, Any]:
    database: dict[str, Any]
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        database = {"ok": True, "backend": engine.dialect.name}
    except Exception as exc:  # any failure here means "not healthy", reported not raised
        database = {"ok": False, "backend": engine.dialect.name, "error": str(exc)}
    relay = getattr(request.app.state, "mqtt_relay", None)
    broker = relay.status() if relay is not None else _broker(settings.mqtt_url)
    registry = getattr(request.app.state, "devices", None)
    # Approved terminals only (an admin bounds them); unknown ones anyone can invent are
    # counted, never listed.
    devices = registry.statuses(approved_only=True) if registry is not None else []
    counts = registry.counts() if registry is not None else {"total": 0, "pending": 0}
    # Only the database decides readiness: alerts wait in the outbox while the broker is
    # down, and a device that is down is reported, not fatal.
    ok = bool(database["ok"])
    degraded = not broker["ok"] or any(d.get("available") is False for d in devices)
    response.status_code = 200 if ok else 503
    status = "down" if not ok else "degraded" if degraded else "ok"
    if not who.has_role(*OFFICE):
        return {"ok": ok, "status": status}
    return {
        "ok": ok,
        "status": status,
        "database": database,
        "broker": broker,
        "devices": devices,
        "devices_pending": counts["pending"],
    }
