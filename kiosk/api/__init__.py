"""The queue's HTTP API under /api/v1 and `install_queue`, which wires it into the app.

Window actions live under ``/api/v1/windows/{number}/<action>`` (the hall model owns
``/api/v1/windows`` and ``/api/v1/windows/{number}`` themselves); live state is
``/api/v1/windows-live``; events stream from ``/api/v1/events``.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from hallbase.clock import Clock, utcnow
from hallbase.words import languages
from kiosk.api import appointments, events, printing, stats, tickets, windows
from kiosk.api.access import limiters
from kiosk.config import QueueConfig
from kiosk.errors import QueueError
from kiosk.events import EventBus
from kiosk.flow import FlowError
from kiosk.pgrelay import PgEventRelay
from kiosk.words import word

API = "/api/v1"


async def _queue_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QueueError)
    headers: dict[str, str] | None = getattr(exc, "headers", None)
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


def flow_message(exc: FlowError) -> dict[str, str]:
    """A refused state step in every language (the English text is the exception's)."""
    if exc.kind not in ("ticket", "window"):
        return {"zh": str(exc), "en": str(exc)}
    states = "status" if exc.kind == "ticket" else "window"
    message = {
        lang: word(
            "flow.refused",
            lang,
            subject=word(f"flow.{exc.kind}", lang, name=exc.name),
            state=word(f"{states}.{exc.state}", lang),
            action=word(f"action.{exc.action}", lang),
            hint=word(f"hint.{exc.kind}.{exc.action}", lang),
            text=str(exc),
        )
        for lang in languages()
    }
    return {**message, "en": str(exc)}


async def _flow_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, FlowError)
    body = {"detail": str(exc), "code": f"{exc.kind or 'flow'}_{exc.action}_refused"}
    return JSONResponse({**body, "message": flow_message(exc)}, status_code=409)


def install_queue(
    app: FastAPI,
    config: QueueConfig | None = None,
    bus: EventBus | None = None,
    clock: Clock | None = None,
) -> None:
    """Add the queue's routes, error handlers, event bus and clock to ``app``."""
    config = config or QueueConfig()
    app.state.queue_config = config
    app.state.bus = bus or EventBus(config.event_ring, config.subscriber_queue)
    app.state.queue_limits = limiters()
    # Keep a clock the app factory already set (tests and the app pass their own).
    app.state.clock = clock or getattr(app.state, "clock", None) or utcnow
    # Who must hear of a window going away in its transaction (the shell adds attendance).
    app.state.window_watchers = getattr(app.state, "window_watchers", [])
    app.add_exception_handler(QueueError, _queue_error)
    app.add_exception_handler(FlowError, _flow_error)
    if app.state.engine.dialect.name == "postgresql" and hasattr(app.state, "parts"):
        app.state.parts.components.append(PgEventRelay(app.state.engine, app.state.bus))
    for module in (tickets, windows, printing, appointments, stats, events):
        app.include_router(module.router, prefix=API, tags=["queue"])
