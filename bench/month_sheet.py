"""Benchmark: the month's XLSX sheet (月度考勤表) for N staff, time and peak resident memory,
on SQLite and on PostgreSQL side by side.

The month is built as bench/attendance_month.py builds it (SQLite in a temporary folder, or a
throw-away PostgreSQL database made on the machine's server and dropped afterwards, or a
database given by --database-url, which must be empty); the sheet is then written by a fresh
child process, whose time and peak resident memory (its VmHWM) are printed, with the load
average (the machine may be shared).

    .venv/bin/python bench/month_sheet.py --staff 1000 [--database sqlite|postgresql|both]
        [--database-url postgresql+psycopg://...] [--data DIR]

``--data DIR`` keeps the SQLite month in DIR between runs (30,000 staff take minutes to build).

The floor's latency while a sheet is built: bench/queue_load.py --report-staff 5000.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import attendance_month as am
from bench_common import machine, rss_mib, scratch_database

from hallbase.settings import load_settings


def child(data_dir: str, url: str, out: str) -> None:
    """Write the sheet as the report worker does: chunks of people, rows streamed into the
    file, SQLite read without a memory map."""
    from attendance.context import load_context
    from attendance.report_worker import report_engine
    from attendance.reports import month_chunks
    from attendance.sheet import write_sheet
    from hallbase.db import read_session

    settings = load_settings(data_dir=Path(data_dir), database_url=url, mqtt_url="")
    engine = report_engine(settings.effective_database_url)
    t0 = time.perf_counter()
    with read_session(engine) as session:
        ctx = load_context(session, settings, {am.YEAR})
        chunks = month_chunks(session, ctx, am.YEAR, am.MONTH, datetime(2026, 4, 2, tzinfo=am.TZ))
        write_sheet(out, am.YEAR, am.MONTH, chunks, "bench")
    spent = time.perf_counter() - t0
    # This process's own high-water mark (VmHWM), not getrusage's ru_maxrss: Linux carries the
    # parent's peak over fork and exec into the child's, and the parent has just built a month.
    peak = rss_mib(os.getpid(), "VmHWM")
    name = engine.dialect.name
    print(
        f"sheet ({name}): {spent:.2f} s, peak RSS {peak:.0f} MiB, "
        f"{Path(out).stat().st_size:,} bytes; {machine()}"
    )


def measure(staff: int, url: str, data: str = "") -> None:
    """Build the month in the database at ``url`` ("": SQLite, kept in ``data`` if given)
    and time its sheet."""
    if data and not url:
        am.kept(Path(data), staff, seed=1)[1].dispose()
        out = str(Path(tempfile.gettempdir()) / f"month-{staff}.xlsx")
        subprocess.run([sys.executable, __file__, "--child", data, url, out], check=True)
        return
    with tempfile.TemporaryDirectory() as d:
        _settings, engine = am.build(Path(d), staff, seed=1, database_url=url)
        engine.dispose()
        out = str(Path(d) / "month.xlsx")
        subprocess.run([sys.executable, __file__, "--child", d, url, out], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=1000)
    parser.add_argument("--database", default="sqlite", choices=("sqlite", "postgresql", "both"))
    parser.add_argument("--database-url", default="", help="an empty database to use instead")
    parser.add_argument("--data", default="", help="SQLite: keep the built month in DIR")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.database_url:
        measure(args.staff, args.database_url)
        return
    if args.database in ("sqlite", "both"):
        measure(args.staff, "", args.data)
    if args.database in ("postgresql", "both"):
        with scratch_database() as url:
            measure(args.staff, url)


if __name__ == "__main__":
    main()
