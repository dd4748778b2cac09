"""The devices page (设备状态): every terminal and queue device, its availability and errors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hallbase.auth import OFFICE, allow
from hallbase.deps import SettingsDep
from hallbase.words import has, pick_lang, t

router = APIRouter()
PATH = "/devices"


def _protocol(code: str, language: str) -> str:
    key = f"devices.protocol.{code}"
    return t(key, language) if has(key) else code


def _state(available: object) -> str:
    return "up" if available is True else "down" if available is False else "unknown"


def _local(value: object, settings: SettingsDep) -> str:
    if isinstance(value, datetime):
        return value.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M:%S")
    return "—"


@router.get(
    PATH, response_class=HTMLResponse, include_in_schema=False, dependencies=[allow(*OFFICE)]
)
def devices_page(request: Request, settings: SettingsDep, lang: str | None = None) -> HTMLResponse:
    language = pick_lang(lang, default=settings.hall.hall.language)
    rows: list[dict[str, Any]] = []
    for d in request.app.state.devices.statuses():
        rows.append(
            {
                "name": d["name"] or d["serial"],
                "serial": d["serial"],
                "kind": _protocol(str(d["protocol"]), language),
                "state": _state(d["available"]) if d["approved"] else "unapproved",
                "last_sync": _local(d["last_sync"], settings),
                "error": d["last_error"] or "",
            }
        )
    queue = getattr(request.app.state, "queue_devices", None)
    found: dict[str, Any] = queue.status() if queue is not None else {}
    parts = [("printer", p, p.get("name", "")) for p in found.get("printers", ())]
    parts += [(key, found.get(key), "") for key in ("led", "keypads")]
    for key, status, name in parts:
        if status is not None:
            rows.append(
                {
                    "name": name or t(f"devices.{key}", language),
                    "serial": "",
                    "kind": t(f"devices.{key}", language),
                    "state": _state(status.get("available")),
                    "last_sync": "—",
                    "error": status.get("text", "") if not status.get("ok", True) else "",
                }
            )
    hall = settings.hall.hall
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request,
        "devices.html",
        {
            "lang": language,
            "t": t,
            "hall_name": (hall.name_en or hall.name) if language == "en" else hall.name,
            "title": t("titles.devices", language),
            "rows": rows,
        },
    )
    return response
