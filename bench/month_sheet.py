"""Benchmark: the month's XLSX sheet (月度考勤表) for N staff, time and peak resident memory,
on SQLite and on PostgreSQL side by side.

The month is built as bench/attendance_month.py builds it (SQLite in a temporary folder, or a
throw-away PostgreSQL database made on the machine's server and dropped afterwards, or a
database given by --database-url, which must be empty); the sheet is then written by a fresh
child process, whose time and peak RSS (getrusage of the child) are printed, with the load
average (the machine may be shared).

    .venv/bin/python bench/month_sheet.py --staff 1000 [--database sqlite|postgresql|both]
        [--database-url postgresql+psycopg://...]

The floor's latency while a sheet is built: bench/queue_load.py --report-staff 5000.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import attendance_month as am
from bench_common import machine, scratch_database

from hallbase.settings import load_settings


def child(data_dir: str, url: str, out: str) -> None:
    """Write the sheet (as the API and the report worker do: chunks of people, a write-only
    workbook)."""
    from attendance.context import load_context
    from attendance.reports import month_chunks
    from attendance.sheet import write_sheet
    from hallbase.db import make_engine, read_session

    settings = load_settings(data_dir=Path(data_dir), database_url=url, mqtt_url="")
    engine = make_engine(settings.effective_database_url)
    t0 = time.perf_counter()
    with read_session(engine) as session:
        ctx = load_context(session, settings, {am.YEAR})
        chunks = month_chunks(session, ctx, am.YEAR, am.MONTH, datetime(2026, 4, 2, tzinfo=am.TZ))
        write_sheet(out, am.YEAR, am.MONTH, chunks, "bench")
    spent = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    name = engine.dialect.name
    print(
        f"sheet ({name}): {spent:.2f} s, peak RSS {peak:.0f} MB, "
        f"{Path(out).stat().st_size:,} bytes; {machine()}"
    )


def measure(staff: int, url: str) -> None:
    """Build the month in the database at ``url`` ("": SQLite) and time its sheet."""
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
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if args.database_url:
        measure(args.staff, args.database_url)
        return
    if args.database in ("sqlite", "both"):
        measure(args.staff, "")
    if args.database in ("postgresql", "both"):
        with scratch_database() as url:
            measure(args.staff, url)


if __name__ == "__main__":
    main()
