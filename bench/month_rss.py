"""Resident memory of `hallkeeper serve` over 100 month reports (JSON, over HTTP).

The month is built as bench/attendance_month.py builds it (1,000 staff, ~88,000 punches in
2026-03; SQLite in a temporary folder, then with ``--postgres`` a throw-away database on the
machine's PostgreSQL, dropped afterwards). The service runs as a subprocess; once its
scheduler stored its start-up verdicts, ``GET /api/v1/attendance/months/2026-03`` is asked
``--reports`` times one after the other, and the service's RSS (VmRSS of /proc/<pid>/status)
is printed before the first, after the 1st, 10th, 50th and 100th, with the time per report.
Target: flat (a report leaves nothing behind: after 100 reports within a few MiB of after 10).

    .venv/bin/python bench/month_rss.py [--staff 1000] [--reports 100] [--postgres]
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import attendance_month as am
from bench_common import (
    bearer_token,
    machine,
    postgres_option,
    rss_mib,
    scratch_database,
    start_serve,
    wait_for_verdicts,
    wait_healthy,
)

from tests.helpers.live_server import free_port

MONTH = f"{am.YEAR}-{am.MONTH:02d}"
MARKS = (1, 10, 50, 100, 200, 500, 1000)


def run(args: argparse.Namespace, database_url: str = "") -> None:
    """The reports on SQLite (``database_url`` empty) or the empty database at
    ``database_url``; prints a line at each mark."""
    with ExitStack() as stack:
        directory = Path(tempfile.mkdtemp(prefix="hk-bench-rss-"))
        stack.callback(shutil.rmtree, directory, ignore_errors=True)
        settings, engine = am.build(directory, args.staff, seed=1, database_url=database_url)
        stack.callback(engine.dispose)
        token = bearer_token(engine, settings)
        port = free_port()
        server = start_serve(data_dir=str(directory), port=str(port), database_url=database_url)
        stack.callback(server.wait, timeout=30)
        stack.callback(server.terminate)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, server)
        wait_for_verdicts(engine, datetime.now(settings.zone).date(), args.staff, server)
        kind = engine.dialect.name
        print(f"{kind:10s} before the first report {_rss(server.pid)}", flush=True)
        headers = {"Authorization": f"Bearer {token}"}
        started = time.perf_counter()
        with httpx.Client(base_url=base, timeout=120, headers=headers) as client:
            for n in range(1, args.reports + 1):
                answer = client.get(f"/api/v1/attendance/months/{MONTH}")
                if answer.status_code != 200:
                    raise SystemExit(f"report {n}: {answer.status_code} {answer.text[:200]}")
                if n in MARKS or n == args.reports:
                    rows = len(answer.json()["data"])
                    spent = (time.perf_counter() - started) / n
                    print(
                        f"{kind:10s} after {n:4d} reports{'':4s} {_rss(server.pid)} "
                        f"({rows} people, {spent:.2f} s per report so far)",
                        flush=True,
                    )


def _rss(pid: int) -> str:
    """VmRSS and its anonymous part (without SQLite's memory-mapped file pages)."""
    return f"RSS {rss_mib(pid):7.1f} MiB, anonymous {rss_mib(pid, 'RssAnon'):7.1f} MiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=1000)
    parser.add_argument("--reports", type=int, default=100)
    postgres_option(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    run(args)
    if args.postgres:
        with scratch_database(args.postgres) as url:
            run(args, url)
    print(f"{args.staff} staff, month {MONTH}; {machine()}")


if __name__ == "__main__":
    main()
