"""`hallkeeper attendance ...`: days, the month report and importing punches from CSV."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from attendance.common import context
from attendance.month_build import month_pieces
from attendance.punch_items import store_items
from attendance.reports import MAX_DAYS, days_report
from hallbase.clock import utcnow
from hallbase.db import read_session, settings_engine, write_session
from hallbase.settings import Settings
from hallkeeper import migrations
from hallkeeper.cli_common import command_settings, err
from hallkeeper.cli_common import fail as _fail

attendance_app = typer.Typer(help="Attendance: days, the monthly report, punch import.")
CHUNK = 1000


def _settings() -> Settings:
    return command_settings()


def _write(text: str | bytes, output: Path | None) -> None:
    if output is None:
        if isinstance(text, bytes):
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
            sys.stdout.write(text)
        return
    if isinstance(text, bytes):
        output.write_bytes(text)
    else:
        output.write_text(text, "utf-8")
    err.print(f"written to {output}", highlight=False)


@attendance_app.command("days")
def days(
    date_from: Annotated[str, typer.Option("--from", help="first date, YYYY-MM-DD")],
    date_to: Annotated[str, typer.Option("--to", help="last date, YYYY-MM-DD")],
    staff_no: Annotated[str | None, typer.Option("--staff", help="one staff member")] = None,
    format: Annotated[str, typer.Option(help="json")] = "json",
) -> None:
    """Per staff member and day: slots, absent days and status, recomputed from the facts."""
    if format != "json":
        _fail(f"--format {format!r}: only json")
    try:
        first, last = date.fromisoformat(date_from), date.fromisoformat(date_to)
    except ValueError as exc:
        _fail(f"bad date: {exc}")
    if last < first or (last - first).days >= MAX_DAYS:
        _fail(f"--to must be on or after --from, at most {MAX_DAYS} days")
    settings = _settings()
    engine = settings_engine(settings)
    migrations.upgrade(engine)
    with read_session(engine) as session:
        ctx = context(session, settings, [first, last])
        if staff_no is not None and staff_no not in ctx.staff:
            _fail(f"unknown staff number {staff_no!r}")
        data = days_report(session, ctx, first, last, utcnow(), staff_no)
    _write(json.dumps(data, ensure_ascii=False, indent=1) + "\n", None)


@attendance_app.command("month")
def month(
    which: Annotated[str, typer.Argument(help="YYYY-MM")],
    format: Annotated[str, typer.Option(help="json, csv or xlsx")] = "json",
    output: Annotated[Path | None, typer.Option(help="file to write (xlsx needs one)")] = None,
) -> None:
    """The month per staff member, built and written a chunk of people at a time as the API
    sends it; xlsx is the published sheet (月度考勤表)."""
    try:
        year, number = (int(x) for x in which.split("-"))
        date(year, number, 1)
    except ValueError:
        _fail(f"month {which!r} must be YYYY-MM")
    if format not in ("json", "csv", "xlsx"):
        _fail(f"--format {format!r}: json, csv or xlsx")
    if format == "xlsx" and output is None:
        _fail("--format xlsx needs --output FILE.xlsx")
    settings = _settings()
    engine = settings_engine(settings)
    migrations.upgrade(engine)
    if output is None:
        _month_into(sys.stdout.buffer, engine, settings, year, number, format)
        return
    # Written beside the file and moved onto it when whole: a stopped run leaves no half file.
    partial = output.with_name(f".{output.name}.partial")
    try:
        with partial.open("wb") as out:
            _month_into(out, engine, settings, year, number, format)
        partial.replace(output)
    finally:
        partial.unlink(missing_ok=True)
    err.print(f"written to {output}", highlight=False)


def _month_into(
    out: BinaryIO, engine: Engine, settings: Settings, year: int, month: int, fmt: str
) -> None:
    """The month into ``out`` a chunk of people at a time, as the API builds it."""
    for piece in month_pieces(engine, settings, year, month, utcnow(), fmt, out):
        if piece:
            out.write(piece)
    out.flush()


@attendance_app.command("import")
def import_punches(
    file: Annotated[Path, typer.Argument(help="CSV with staff_no or pin, and time")],
) -> None:
    """Import punches exported from another system; bad rows are listed by line, good ones kept."""
    settings = _settings()
    try:
        with file.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = set(reader.fieldnames or ())
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        _fail(f"{file}: cannot read: {exc}")
    if "time" not in columns or not columns & {"staff_no", "pin"}:
        _fail(
            f"{file}: needs a 'time' column and a 'staff_no' or 'pin' column; has {sorted(columns)}"
        )
    engine = settings_engine(settings)
    migrations.upgrade(engine)
    totals = {"inserted": 0, "duplicates": 0, "unmapped": 0}
    rejected: list[dict[str, object]] = []
    columns_ = [TextColumn("importing punches"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns_, TimeElapsedColumn(), console=err) as bar:
        task = bar.add_task("import", total=len(rows))
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            # Each chunk commits on its own: a stop half-way keeps what is in, and a re-run
            # counts those rows as duplicates.
            with write_session(engine) as session:
                result = store_items(
                    session, chunk, settings=settings, now=utcnow(), source="import",
                    default_device="import", first_index=start,
                )  # fmt: skip
            for key in totals:
                totals[key] += getattr(result, key)
            rejected += result.rejected
            bar.advance(task, len(chunk))
    for item in rejected:
        line = int(str(item["index"])) + 2  # the header is line 1
        err.print(f"{file}:{line}: rejected: {item['reason']}", highlight=False)
    Console(soft_wrap=True).print(
        f"{len(rows)} rows: inserted {totals['inserted']}, duplicates {totals['duplicates']}, "
        f"unmapped PIN {totals['unmapped']}, rejected {len(rejected)}",
        highlight=False,
    )
    if rejected:
        raise typer.Exit(1)


@attendance_app.command("bind-terminal")
def bind_terminal(
    serial: Annotated[str, typer.Argument(help="the ADMS terminal's serial number")],
    address: Annotated[
        str | None, typer.Option(help="address or network it calls from, e.g. 10.0.8.7")
    ] = None,
    new_key: Annotated[
        bool, typer.Option("--new-key", help="make a push key (printed once) for its URL")
    ] = False,
) -> None:
    """Bind an ADMS terminal besides its serial (replaces its binding; no option: unbound).
    The key goes in the terminal's push URL: ?key=<key>, or /adms/<key>/iclock/... ."""
    import getpass

    from attendance.terminals.binding import set_binding
    from hallbase.auth import Actor

    settings = _settings()
    engine = settings_engine(settings)
    migrations.upgrade(engine)
    try:
        with write_session(engine) as session:
            _device, key = set_binding(
                session, settings.auth_secret, Actor("cli", getpass.getuser()), utcnow(),
                serial=serial, address=address, key=None, generate_key=new_key,
            )  # fmt: skip
    except LookupError:
        _fail(f"no terminal with serial {serial!r} (approve it first)")
    except ValueError as exc:
        _fail(f"--address: {exc}")
    typer.echo(f"terminal {serial}: address {address or 'any'}, key {'set' if key else 'none'}")
    if key:
        typer.echo(f"push key (shown once): {key}")
