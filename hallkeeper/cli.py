"""The `hallkeeper` command line."""

from __future__ import annotations

import getpass
import logging
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress

from attendance.models import PunchAssignment
from attendance.refresh import rederive_span
from attendance.unmapped import Actor, credit_assigned_pins
from hallbase.clock import utcnow
from hallbase.db import read_session, settings_engine, write_session
from hallbase.errors import ConfigError, RowError
from hallbase.hallconfig import load_config
from hallbase.settings import Settings
from hallkeeper import migrations
from hallkeeper.cli_attendance import attendance_app
from hallkeeper.cli_auth import audit_app, key_app, user_app
from hallkeeper.cli_common import command_settings, err, out
from hallkeeper.cli_common import fail as _fail
from hallkeeper.cli_privacy import offboard_person, privacy_app
from hallkeeper.seed import apply_config
from kiosk.voice.api import load_clips

if TYPE_CHECKING:
    from hallkeeper.demo import DemoHall

app = typer.Typer(help="HallKeeper: a government service hall's attendance, queue and boards.")
db_app = typer.Typer(help="Database schema.")
config_app = typer.Typer(help="The hall configuration file.")
staff_app = typer.Typer(help="Staff lists (CSV / XLSX).")
holidays_app = typer.Typer(help="Statutory holidays and moved working days (调休).")
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")
app.add_typer(staff_app, name="staff")
app.add_typer(holidays_app, name="holidays")
app.add_typer(attendance_app, name="attendance")
app.add_typer(user_app, name="user")
app.add_typer(key_app, name="key")
app.add_typer(audit_app, name="audit")
app.add_typer(privacy_app, name="privacy")
staff_app.command("offboard")(offboard_person)


def _settings(**overrides: object) -> Settings:
    log_format = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    return command_settings(logging.INFO, log_format, **overrides)


SHUTDOWN_GRACE_SECONDS = 10


def _serve(settings: Settings, demo: DemoHall | None = None) -> None:
    import uvicorn

    class _Server(uvicorn.Server):
        """Ends the event streams (SSE) when asked to stop: uvicorn waits for every open
        response before the app's shutdown, and a stream never ends by itself."""

        def __init__(self, config: uvicorn.Config, stopping: Callable[[], None]) -> None:
            super().__init__(config)
            self._stopping = stopping

        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            self._stopping()  # on the server's loop, where the streams wait
            await super().shutdown(sockets)

    from hallkeeper.app import Parts, create_app, settle_heap

    parts = Parts(components=[demo]) if demo is not None else None
    application = create_app(settings, parts=parts)
    base = f"http://{settings.host}:{settings.port}"
    out.print(f"HallKeeper {'demo ' if demo else ''}running at {base}/", highlight=False)
    if demo is not None:
        out.print(f"  ADMS terminals push to {base}/iclock/cdata", highlight=False)
    for page in application.state.pages:
        out.print(f"  {page.title['zh']:<8} {base}{page.path}", highlight=False)
    out.print(f"  API docs  {base}/docs\n  health    {base}/healthz", highlight=False)
    settle_heap()
    config = uvicorn.Config(
        application,
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=demo is None,  # the demo's terminals poll every few seconds
        # A request still running this long after SIGTERM is cancelled, so the app's shutdown
        # (devices released, terminals re-enabled) always runs well within systemd's stop
        # timeout (TimeoutStopSec in deploy/hallkeeper.service).
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )

    def stopping() -> None:
        application.state.bus.close()
        application.state.report_work.stop()  # reports end after their current chunk

    _Server(config, stopping=stopping).run()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
) -> None:
    """Run the service with the configured database and devices."""
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    _serve(_settings(**overrides))


@app.command()
def demo(
    data_dir: Annotated[
        Path | None, typer.Option("--dir", help="keep the demo's data here (default: a temp dir)")
    ] = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Run a simulated hall: embedded SQLite, the default hall and simulated devices."""
    from hallkeeper.demo import DemoHall

    directory = data_dir or Path(tempfile.mkdtemp(prefix="hallkeeper-demo-"))
    directory.mkdir(parents=True, exist_ok=True)
    out.print(f"demo data in {directory}", highlight=False)
    _settings(data_dir=directory, database_url="")  # logging, and the shipped hall checked
    try:
        hall = DemoHall(directory, host, port)
    except ConfigError as exc:
        _fail(str(exc))
    _serve(hall.settings, demo=hall)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="target revision")] = "heads") -> None:
    """Apply the database migrations."""
    settings = _settings()
    engine = settings_engine(settings)
    migrations.upgrade(engine, revision)
    out.print(f"database at revision {migrations.current(engine)}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision."""
    settings = _settings()
    out.print(migrations.current(settings_engine(settings)) or "(empty)")


@config_app.command("check")
def config_check(
    file: Annotated[Path | None, typer.Argument(help="configuration file to check")] = None,
) -> None:
    """Validate the hall configuration and say exactly what is wrong."""
    path = file or _settings().config
    try:
        cfg = load_config(path)
        load_clips(cfg.voice, path)  # the voice clips it names, or the shipped ones
    except ConfigError as exc:
        _fail(str(exc))
    out.print(
        f"{path}: OK - {cfg.hall.name}: {len(cfg.units)} units, {len(cfg.staff)} staff, "
        f"{len(cfg.windows)} windows, {len(cfg.services)} services, {len(cfg.schedules)} schedules",
        highlight=False,
    )


@config_app.command("apply")
def config_apply() -> None:
    """Load the configuration file into the database (rows it names are created or updated)."""
    settings = _settings()
    engine = settings_engine(settings)
    migrations.upgrade(engine)
    with write_session(engine) as session:
        counts = apply_config(session, settings.hall)
        now = utcnow()
        credited = _credited(
            credit_assigned_pins(
                session, settings, now, Actor("hall_file", "cli", getpass.getuser())
            )
        )
        # Staff dates, schedules, holidays or go-live may have changed: judge the past again.
        rederive_span(session, settings, now)
    out.print(f"applied: {counts}", highlight=False)
    if credited:
        out.print("\n".join(credited), highlight=False)


def _credited(rows: list[PunchAssignment]) -> list[str]:
    """One line per PIN whose unmapped punches were credited (read inside the session)."""
    return [f"credited {r.count} unmapped punches of PIN {r.pin} to {r.staff_no}" for r in rows]


@staff_app.command("import")
def staff_import(file: Annotated[Path, typer.Argument(help=".csv or .xlsx")]) -> None:
    """Import staff; bad rows are listed with their line numbers, good rows are kept."""
    from hallkeeper.staff_io import import_staff, read_rows

    settings = _settings()
    engine = settings_engine(settings)
    migrations.upgrade(engine)
    try:
        _h, _rows, total = read_rows(file)
        with write_session(engine) as session, Progress(console=err) as bar:
            task = bar.add_task("importing staff", total=total)
            result = import_staff(session, file, progress=lambda n: bar.advance(task, n))
            now = utcnow()
            actor = Actor("staff_import", "cli", getpass.getuser())
            credited = _credited(credit_assigned_pins(session, settings, now, actor))
            # Start dates, end dates and schedules decide who was due at work on past days.
            rederive_span(session, settings, now)
    except RowError as exc:
        _fail(f"{file}: {exc}")
    for row in result.rejected:
        err.print(f"{file}:{row.line}: rejected: {row.reason}", highlight=False)
    out.print(
        f"created {result.created}, updated {result.updated}, rejected {len(result.rejected)}",
        highlight=False,
    )
    if credited:
        out.print("\n".join(credited), highlight=False)
    if result.rejected:
        raise typer.Exit(1)


@staff_app.command("export")
def staff_export(file: Annotated[Path, typer.Argument(help=".csv or .xlsx")]) -> None:
    """Export every staff member."""
    from hallkeeper.staff_io import export_staff

    settings = _settings()
    engine = settings_engine(settings)
    try:
        with read_session(engine) as session:
            count = export_staff(session, file)
    except RowError as exc:
        _fail(str(exc))
    out.print(f"exported {count} staff to {file}", highlight=False)


@holidays_app.command("import")
def holidays_import(
    file: Annotated[Path, typer.Argument(help="the year's notice as TOML (see README)")],
) -> None:
    """Enter a year's holidays and moved working days; the changed days are judged again."""
    from hallkeeper.holiday_file import import_notice, load_notice

    settings = _settings()
    try:
        notice = load_notice(file)
    except ConfigError as exc:
        _fail(str(exc))
    engine = settings_engine(settings)
    migrations.upgrade(engine)
    with write_session(engine) as session:
        done = import_notice(session, settings, notice, utcnow())
    out.print(
        f"{notice.year}: {done['days_off']} days off, {done['workdays']} moved working days, "
        f"{done['changed']} verdicts changed",
        highlight=False,
    )


def main() -> None:  # pragma: no cover - console entry for `python -m hallkeeper`
    app(prog_name="hallkeeper")
    sys.exit(0)
