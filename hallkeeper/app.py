"""The FastAPI application factory: wires storage, routes, pages and background parts."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

import attendance
import hallbase
from attendance import install_attendance
from attendance.away import window_watcher
from attendance.scheduler import AttendanceScheduler
from attendance.terminals.supervisor import DeviceWatch, Sink, build_terminals
from hallbase.alert_followup import AlertFollowUp
from hallbase.alert_policy import use_policy
from hallbase.clock import Clock, utcnow
from hallbase.db import settings_engine, write_session
from hallbase.holidays import warn_missing_years
from hallbase.settings import Settings
from hallkeeper import migrations, office
from hallkeeper.alert_events import AlertEvents
from hallkeeper.api.routes import (
    alerts,
    auth,
    calendar,
    docs,
    hall_model,
    health,
    home,
    schedules,
    windows,
)
from hallkeeper.mqtt import MqttRelay
from hallkeeper.mqtt_boards import BoardTopics
from hallkeeper.mqtt_devices import DeviceTopics
from hallkeeper.mqtt_discovery import Discovery
from hallkeeper.mqtt_windows import WindowTopics
from hallkeeper.privacy import api as privacy_api
from hallkeeper.privacy.purge import PurgeJob
from hallkeeper.request_gate import MB, RequestGate
from hallkeeper.robots import robot_relays
from hallkeeper.seed import apply_config, is_seeded
from kiosk.api import install_queue
from kiosk.api.common import queue_of
from kiosk.config import QueueConfig
from kiosk.hardware.coordinator import install_queue_devices
from kiosk.limit_watch import LimitWatch
from kiosk.pages import install_pages
from kiosk.voice.api import install_voice

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
API = "/api/v1"
# Request body limits by path prefix (the longest wins): terminals post batches of up to
# 8 MB, the punch API takes up to 10,000 items, everything else is small JSON or a form.
BODY_LIMITS = (("/iclock", 8 * MB), ("/adms", 8 * MB), (f"{API}/punches", 4 * MB))
BODY_LIMIT_DEFAULT = 1 * MB


class Component(Protocol):
    """A background part (device poller, MQTT relay, scheduler) started with the app."""

    def start(self) -> None: ...
    def stop(self) -> None: ...


@dataclass
class Parts:
    """What the lifespan starts and stops, in order."""

    components: list[Component] = field(default_factory=list)


def prepare_database(settings: Settings, engine: Engine) -> None:
    """Migrate to the newest schema and load the hall configuration into an empty database."""
    migrations.upgrade(engine)
    with write_session(engine) as session:
        if not is_seeded(session):
            apply_config(session, settings.hall)
        # This year's holidays, and from December the next year's, must be known.
        warn_missing_years(session, datetime.now(settings.zone).date())


# Young-generation collections every this many allocations (CPython's default is 700).
GC_YOUNG_THRESHOLD = 20_000


def settle_heap() -> None:
    """Call once the app is built, before serving: start-up's objects (modules, routes,
    models) live for the whole process, so they are frozen out of the cyclic collector, and
    young collections run less often. A request allocates thousands of short-lived objects;
    with the defaults the collector ran several times per request, each time walking the
    surviving objects again."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def queue_config(settings: Settings) -> QueueConfig:
    """The queue's settings from the hall file's `[queue]` and HALLKEEPER_ID_PEPPER."""
    return QueueConfig(
        **settings.hall.queue.model_dump(),
        id_pepper=settings.id_pepper or "",
    )


def create_app(
    settings: Settings,
    engine: Engine | None = None,
    parts: Parts | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Build the app; the database is migrated and seeded before it serves.

    ``clock`` returns the current aware time; tests pass their own to set the hour.
    """
    engine = engine or settings_engine(settings)
    prepare_database(settings, engine)
    use_policy(engine, settings.hall.alerts, settings.zone)
    parts = parts or Parts()
    relay = None
    if settings.mqtt_url:
        relay = MqttRelay.for_settings(engine, settings)
        parts.components.append(relay)
    terminals = build_terminals(Sink(engine, settings, clock or utcnow))
    watch = DeviceWatch(engine, terminals, clock or utcnow)
    parts.components.append(watch)
    parts.components.append(AttendanceScheduler(settings, engine, clock or utcnow))
    parts.components.append(PurgeJob(settings, engine, clock or utcnow))
    parts.components.append(AlertFollowUp(engine, settings.hall.alerts, clock or utcnow))
    parts.components += robot_relays(engine, settings.hall.alerts, settings.zone, clock or utcnow)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        started: list[Component] = []
        try:
            for component in parts.components:
                component.start()
                started.append(component)
            yield
        finally:
            for component in reversed(started):
                component.stop()

    # /docs, /redoc and the schema are served by hallkeeper.api.routes.docs, behind a login.
    app = FastAPI(
        title="HallKeeper",
        description="Government service hall: attendance, queue, boards and alerts.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        # The service exports no traces, metrics or logs over OpenTelemetry: FastAPI would
        # otherwise look for a configured provider on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.parts = parts
    app.state.clock = clock or utcnow
    app.state.devices = watch
    app.state.mqtt_relay = relay
    app.state.pages = []  # PageLinks: each room adds its pages (hallbase.pages.link_page)
    # A window's `away` from the queue (console, keypad) is judged in its own transaction.
    app.state.window_watchers = [window_watcher(settings)]
    # One loader for the shell's, the attendance room's and the shared page frame's templates.
    app.state.templates = Jinja2Templates(
        directory=[HERE / "templates", office.TEMPLATES, attendance.TEMPLATES, hallbase.TEMPLATES]
    )
    app.mount(
        "/static",
        StaticFiles(
            directory=hallbase.STATIC,
            packages=[("attendance", "static"), ("hallkeeper.office", "static")],
        ),
        name="static",
    )

    # The queue's API first: its routes take most of the requests (kiosks, windows, boards),
    # and a request is matched against the routes in order. No other route shares its paths.
    install_queue(app, config=queue_config(settings))
    install_voice(app, settings.hall.voice, settings.config)  # the clips are checked here
    # The clock is read per check: tests replace the app's clock.
    app.state.limit_watch = LimitWatch(
        replace(queue_of(app.state), clock=lambda: app.state.clock())
    )
    parts.components.append(app.state.limit_watch)
    parts.components.append(AlertEvents(app.state.bus))  # the supervisors' pages, at once
    app.include_router(health.router)
    app.include_router(home.router)
    app.include_router(calendar.router, prefix=API, tags=["hall"])
    app.include_router(hall_model.units_router, prefix=f"{API}/units", tags=["hall"])
    app.include_router(hall_model.staff_router, prefix=f"{API}/staff", tags=["hall"])
    app.include_router(hall_model.services_router, prefix=f"{API}/services", tags=["hall"])
    app.include_router(windows.router, prefix=f"{API}/windows", tags=["hall"])
    app.include_router(schedules.router, prefix=f"{API}/schedules", tags=["hall"])
    app.include_router(alerts.router, prefix=f"{API}/alerts", tags=["alerts"])
    install_pages(app)
    office.install(app)
    queue_devices = install_queue_devices(app)
    if relay is not None:  # windows' and devices' state topics; networked boards
        discovery = (
            Discovery(relay, settings.mqtt_discovery, settings.hall.hall.name)
            if settings.mqtt_discovery
            else None
        )
        if queue_devices is not None:
            boards = BoardTopics(relay, queue_devices.lease.holds)
            queue_devices.boards.watchers.append(boards)
        parts.components.append(WindowTopics(relay, engine, app.state.bus, discovery=discovery))
        parts.components.append(
            DeviceTopics(
                relay, watch, clock or utcnow, queue_devices=queue_devices, discovery=discovery
            )
        )
    install_attendance(app, API, clock or utcnow)
    auth.install(app, API)
    docs.install(app)

    privacy_api.install(app, API)
    # The app's only middleware of its own, so the outermost: no body passes it unchecked (size,
    # JSON depth) and every response carries the security headers, refusals included.
    app.add_middleware(RequestGate, limits=BODY_LIMITS, default=BODY_LIMIT_DEFAULT)
    return app
