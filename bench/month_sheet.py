"""Benchmark: the month's XLSX sheet (月度考勤表) for N staff, time and peak resident memory.

The month is built as bench/attendance_month.py builds it (SQLite in a temporary folder, or a
PostgreSQL database given by --database-url, which must be empty); the sheet is then written
by a fresh child process, whose time and peak RSS (getrusage of the child) are printed.

    .venv/bin/python bench/month_sheet.py --staff 1000 [--database-url postgresql+psycopg://...]
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

import attendance_month as am

from hallbase.settings import load_settings


def child(data_dir: str, url: str, out: str) -> None:
    """Write the sheet (as the API does: chunks of people, a write-only workbook)."""
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
    print(f"sheet: {spent:.2f} s, peak RSS {peak:.0f} MB, {Path(out).stat().st_size:,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", type=int, default=1000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as d:
        am.build(Path(d), args.staff, seed=1, database_url=args.database_url)
        out = str(Path(d) / "month.xlsx")
        subprocess.run([sys.executable, __file__, "--child", d, args.database_url, out], check=True)


if __name__ == "__main__":
    main()
