"""ADMS ingest: 1,000-line ATTLOG posts over real HTTP into SQLite, then the same posts again.

Run: .venv/bin/python bench/adms_ingest.py [--posts 20] [--staff 1000] [--cold] [--keep]
     [--postgres [ADMIN_URL]] [--report-staff N]
Prints punches per second for new punches (de-duplicated, evaluated, verdicts stored) and for
the same posts sent again (all duplicates), each with the service process's CPU time per
post (a shared machine slows the wall clock; the CPU time varies less). Target: >= 20,000
punches/s on SQLite. ``--postgres`` runs the same again on a throw-away database made on the
machine's PostgreSQL (dropped afterwards) and prints both: target, PostgreSQL's new punches
within 2x of SQLite's.

With ``--report-staff 5000`` the database first gets 5,000 more staff and their month of
punches, and a report job for that month's XLSX sheet is started over the API just before the
timed posts: they are then timed while the service's report worker builds the sheet (use
enough ``--posts`` to last as long); each post's time is printed as p50/p99.

Timing starts once the service is in its steady state: the scheduler has stored its start-up
verdicts (today and yesterday for everyone) and one untimed post (other punches) has warmed
the service's caches. ``--cold`` times from the first answer of /healthz, as a terminal that
posts the moment the service starts would see it.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import (
    ReportWatch,
    bearer_token,
    cpu_seconds,
    machine,
    postgres_option,
    scratch_database,
    start_serve,
    wait_for_verdicts,
    wait_healthy,
)

from attendance.models import Device
from hallbase.db import make_engine, write_session
from hallbase.models import Staff
from hallbase.settings import load_settings
from hallkeeper.app import prepare_database
from tests.helpers.live_server import free_port

TZ = ZoneInfo("Asia/Shanghai")
SN = "BENCH-ADMS-1"


def bodies(posts: int, staff: int, first_day: date) -> list[bytes]:
    """``posts`` bodies of 1,000 ATTLOG lines: four punches a day per person, day after day."""
    lines: list[str] = []
    day = first_day
    while len(lines) < posts * 1000:
        for n in range(staff):
            for hh, mm in ((8, 21), (11, 45), (14, 25), (18, 33)):
                moment = datetime(day.year, day.month, day.day, hh, mm, n % 60)
                lines.append(f"{70000 + n}\t{moment:%Y-%m-%d %H:%M:%S}\t0\t1\t0\t0\t0")
        day += timedelta(days=1)
    return [("\n".join(lines[i * 1000 : (i + 1) * 1000]) + "\n").encode() for i in range(posts)]


def _cpu_seconds(pid: int) -> float | None:
    """`cpu_seconds` of process ``pid``, None where /proc is not there."""
    try:
        return cpu_seconds(pid)
    except OSError:
        return None


def run(args: argparse.Namespace, database_url: str = "") -> dict[str, float]:
    """The bench on SQLite (``database_url`` empty) or the empty database at ``database_url``;
    prints its lines, returns punches/s per label."""
    directory = Path(tempfile.mkdtemp(prefix="hk-bench-adms-"))
    settings = load_settings(data_dir=directory, database_url=database_url, mqtt_url="")
    engine = make_engine(settings.effective_database_url)
    prepare_database(settings, engine)
    admin = bearer_token(engine, settings)
    with write_session(engine) as session:
        session.add(Device(serial=SN, protocol="adms", timezone="Asia/Shanghai", approved=True))
        for n in range(args.staff):
            session.add(
                Staff(
                    staff_no=f"B{n:05d}",
                    name=f"职员{n}",
                    pin=str(70000 + n),
                    unit_code="ZWB",
                    category="聘用",
                )
            )
    today = datetime.now(TZ).date()
    # The first body is the warm-up post: punches of a day before the timed ones.
    warm_up, *posts = bodies(args.posts + 1, args.staff, today - timedelta(days=40))
    total = sum(body.count(b"\n") for body in posts)
    # The service runs in its own process, as in a hall: the client does not share its GIL.
    port = free_port()
    server = start_serve(data_dir=str(directory), port=str(port), database_url=database_url)
    kind = engine.dialect.name
    rates = {}
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, server)
        with httpx.Client(base_url=url, timeout=60) as client:
            if not args.cold:
                wait_for_verdicts(engine, today, args.staff, server)
                params: dict[str, str | int] = {"SN": SN, "table": "ATTLOG", "Stamp": 0}
                answer = client.post("/iclock/cdata", params=params, content=warm_up)
                if answer.text != "OK":
                    raise SystemExit(f"warm-up post: {answer.status_code} {answer.text}")
            report = ReportWatch(
                url, admin, str(directory), args.report_staff, database_url
            ) if args.report_staff else None  # fmt: skip
            for label in ("new punches", "same posts again (duplicates)"):
                started, cpu = time.perf_counter(), _cpu_seconds(server.pid)
                took = []
                for stamp, body in enumerate(posts, start=1):
                    params = {"SN": SN, "table": "ATTLOG", "Stamp": stamp}
                    sent = time.perf_counter()
                    answer = client.post("/iclock/cdata", params=params, content=body)
                    took.append(time.perf_counter() - sent)
                    if answer.text != "OK":
                        raise SystemExit(f"post {stamp}: {answer.status_code} {answer.text}")
                elapsed = time.perf_counter() - started
                rate = total / elapsed
                line = (
                    f"{kind:10s} {label:30s} {total} punches in {elapsed:.2f} s: "
                    f"{rate:,.0f} punches/s"
                )
                after = _cpu_seconds(server.pid)
                if cpu is not None and after is not None:
                    line += f" (service CPU {(after - cpu) / len(posts) * 1000:.1f} ms per post)"
                took.sort()
                line += (
                    f"; per post p50 {took[len(took) // 2] * 1000:.1f} ms, "
                    f"p99 {took[min(len(took) - 1, len(took) * 99 // 100)] * 1000:.1f} ms"
                )
                if report is not None:
                    line += "; the report job " + (
                        "still running" if report.running() else "ENDED BEFORE THE POSTS DID"
                    )
                print(line, flush=True)
                rates[label] = rate
            if report is not None:
                report.finish()
    finally:
        server.terminate()
        server.wait(timeout=30)
        engine.dispose()
        if not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
    if args.keep and not database_url:
        print(f"database: {settings.effective_database_url}")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=20)
    parser.add_argument("--staff", type=int, default=1000)
    parser.add_argument("--cold", action="store_true", help="no warm-up (see the docstring)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite database")
    parser.add_argument(
        "--report-staff", type=int, default=0, help="time the posts while a month sheet of "
        "this many more staff is built (see the docstring)"
    )  # fmt: skip
    postgres_option(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    sqlite = run(args)
    if args.postgres:
        with scratch_database(args.postgres) as url:
            postgres = run(args, url)
        ratios = ", ".join(f"{label} {sqlite[label] / postgres[label]:.2f}x" for label in sqlite)
        print(f"SQLite / PostgreSQL punches/s: {ratios} (target <= 2x for new punches)")
    print(("cold; " if args.cold else "") + machine())


if __name__ == "__main__":
    main()
