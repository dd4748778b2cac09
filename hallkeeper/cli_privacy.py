"""`hallkeeper privacy purge|export` and `hallkeeper staff offboard`: PIPL duties by command.

Each change is in the audit log with the operating-system user as its actor.
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from hallbase.auth import audit
from hallbase.clock import utcnow
from hallbase.db import write_session
from hallbase.errors import CodedError
from hallkeeper.cli_common import cli_actor as _actor
from hallkeeper.cli_common import err, out
from hallkeeper.cli_common import fail as _fail
from hallkeeper.cli_common import open_hall as _open
from hallkeeper.privacy import export, offboard
from hallkeeper.privacy.purge import run_purge

privacy_app = typer.Typer(help="Personal data: retention purge and a person's export (PIPL).")


@privacy_app.command("purge")
def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="count only, change nothing")] = False,
) -> None:
    """Remove what is past its keeping ([privacy] in the hall file), as the daily job does."""
    settings, engine = _open()
    with write_session(engine) as session:
        report = run_purge(
            session, settings, utcnow(), _actor(), dry_run=dry_run, reason="command line"
        )
    for kind in report.view()["kinds"]:
        kept = kind["kept_from"] or "forever"
        counts = ", ".join(f"{t} {n}" for t, n in kind["removed"].items()) or "-"
        held = (
            f" (held back by the open month {kind['held_back_by']})" if kind["held_back_by"] else ""
        )
        out.print(f"{kind['kind']}: kept from {kept}{held}; {counts}", highlight=False)
    verb = "would remove" if dry_run else "removed"
    out.print(f"{verb} {report.total} records", highlight=False)


@privacy_app.command("export")
def export_person(
    staff_no: Annotated[str, typer.Argument(help="staff number of the person")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=".json or .zip (default: stdout JSON)")
    ] = None,
) -> None:
    """Everything held about one person, for a request from that person."""
    _settings, engine = _open()
    now = utcnow()
    fmt = "zip" if output is not None and output.suffix.lower() == ".zip" else "json"
    try:
        with write_session(engine) as session:
            data = export.collect(session, staff_no, now)
            after = {"format": fmt, "counts": data["counts"]}
            audit.append(
                session, _actor(), "privacy.export", f"staff:{staff_no}", at=now, after=after
            )
    except CodedError as exc:
        _fail(str(exc))
    body = export.as_zip(data) if fmt == "zip" else export.as_json(data)
    if output is None:
        typer.echo(body.decode("utf-8"))
        return
    output.write_bytes(body)
    err.print(f"written {output} ({sum(data['counts'].values())} records)", highlight=False)


def _print(view: dict[str, object]) -> None:
    out.print(json.dumps(view, ensure_ascii=False, indent=2), highlight=False)


def offboard_person(
    staff_no: Annotated[str, typer.Argument(help="staff number of the person who leaves")],
    end_date: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="last day (default today; kept when set)"),
    ] = None,
    wait: Annotated[
        float, typer.Option(help="seconds to wait for ADMS terminals to answer (0: no wait)")
    ] = 0.0,
    reason: Annotated[str | None, typer.Option(help="why, for the audit log")] = None,
) -> None:
    """Set the end date and remove the person from every terminal; verify each one."""
    settings, engine = _open()
    day: date | None = end_date.date() if end_date is not None else None
    try:
        report = offboard.offboard(
            engine, settings, staff_no, _actor(), utcnow, end_date=day, reason=reason
        )
        deadline = time.monotonic() + wait
        while not report.done and time.monotonic() < deadline:
            time.sleep(min(2.0, max(0.0, deadline - time.monotonic())))
            report = offboard.status(engine, staff_no, utcnow())
    except CodedError as exc:
        _fail(str(exc))
    _print(report.view())
    if report.counts["failed"]:
        raise typer.Exit(1)
