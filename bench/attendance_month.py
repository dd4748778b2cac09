"""Benchmark: one month of 1,000 staff (~88,000 punches) evaluated from a fresh SQLite database.

Prints: the plain SELECT of the month's punch rows (the statement the evaluation runs; also
timed with the garbage collector paused, and through the bare driver), the full month
evaluation from the database (facts -> verdicts -> monthly summaries), punches per second,
the ratios (target <= 3x: the evaluation against the plain read, both with the collector
set as `hallkeeper serve` sets it; and against the collector-paused read); the real-time
path (one punch stored to its verdict stored, committed): median and p99; and ADMS-sized
batches of 1,000 punches through `store_punches` (punches per second).

    .venv/bin/python bench/attendance_month.py [--staff 1000] [--realtime 300] \
        [--data DIR] [--postgres [ADMIN_URL]]

``--postgres`` runs every part again on a throw-away database made on the machine's
PostgreSQL (dropped afterwards) and prints both side by side (targets: the month within 3x of
the plain read; ADMS batches within 2x of SQLite's punches per second).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import machine, postgres_option, scratch_database

from attendance.context import load_context
from attendance.facts import day_bounds, punches_query
from attendance.ingest import store_punches
from attendance.models import Punch as PunchRow
from attendance.reports import month_report
from devices.events import Punch
from hallbase.db import read_session, settings_engine, write_session
from hallbase.models import Hall, Staff
from hallbase.settings import Settings, load_settings
from hallkeeper.app import prepare_database, settle_heap

TZ = ZoneInfo("Asia/Shanghai")
YEAR, MONTH = 2026, 3
DUES = ((8, 30), (12, 0), (14, 0), (17, 30))  # the shipped four_punch schedule


def _punch_times(rng: random.Random, day: date) -> list[datetime]:
    """A realistic day: mostly on time, some late or early, a missing punch, a double punch."""
    out = []
    for i, (h, m) in enumerate(DUES):
        if rng.random() < 0.01:
            continue  # forgot to punch
        due = datetime(day.year, day.month, day.day, h, m, tzinfo=TZ)
        if i % 2 == 0:  # sign-in: mostly 5-20 minutes early, sometimes late
            offset = rng.gauss(-10, 6) if rng.random() > 0.04 else rng.uniform(1, 25)
        else:  # sign-out: mostly a little after, sometimes early
            offset = rng.gauss(8, 6) if rng.random() > 0.03 else -rng.uniform(1, 25)
        at = due + timedelta(minutes=offset, seconds=rng.randint(0, 59))
        out.append(at)
        if rng.random() < 0.005:
            out.append(at + timedelta(seconds=rng.randint(3, 40)))  # pressed twice
    return out


def build(path: Path, staff: int, seed: int, database_url: str = "") -> tuple[Settings, Engine]:
    """A fresh database with ``staff`` people and their month of punches (bulk insert): SQLite
    in ``path``, or the empty database at ``database_url``."""
    settings = load_settings(data_dir=path, database_url=database_url, mqtt_url="")
    engine = settings_engine(settings)
    prepare_database(settings, engine)
    add_month(settings, engine, staff, seed)
    if engine.dialect.name == "postgresql":
        # A hall's database has its planner statistics from autovacuum, which runs within a
        # minute of rows arriving; a month bulk-loaded a moment ago has none yet, and without
        # them PostgreSQL reads a chunk of people's punches through the time index alone.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    return settings, engine


def add_month(settings: Settings, engine: Engine, staff: int, seed: int, prefix: str = "B") -> None:
    """``staff`` more people (staff numbers ``prefix`` + 5 digits) and their month of punches
    in a prepared database."""
    rng = random.Random(seed)
    people = [
        {"staff_no": f"{prefix}{i:05d}", "name": f"员工{i}", "pin": str(100000 + i),
         "unit_code": "ZWB", "category": "在编" if i % 3 else "聘用", "role": "staff",
         "start_date": date(2020, 1, 1), "end_date": None, "schedule": None}
        for i in range(staff)
    ]  # fmt: skip
    now = datetime(YEAR, MONTH, 28, 23, tzinfo=TZ)
    with write_session(engine) as session:
        hall = session.exec(select(Hall)).one()
        hall.go_live = date(YEAR, MONTH, 1)  # no earlier months in the escalation period
        session.add(hall)
        session.connection().execute(sa.insert(Staff.__table__), people)  # type: ignore[attr-defined]
        ctx = load_context(session, settings, {YEAR})
        rows = []
        day = date(YEAR, MONTH, 1)
        while day.month == MONTH:
            if ctx.calendar.is_workday(day):
                for p in people:
                    for at in _punch_times(rng, day):
                        rows.append(
                            {"device_sn": "ZK-BENCH", "pin": p["pin"], "device_time": at,
                             "staff_no": p["staff_no"], "source": "zk", "received_at": now,
                             "repeats": 0}
                        )  # fmt: skip
            day += timedelta(days=1)
        session.connection().execute(sa.insert(PunchRow.__table__), rows)  # type: ignore[attr-defined]
    print(f"database: {len(people)} staff, {len(rows)} punches in {YEAR}-{MONTH:02d}")


def kept(path: Path, staff: int, seed: int) -> tuple[Settings, Engine]:
    """The SQLite month kept in ``path``: built there by the first run, reused by the next
    (a month of 30,000 staff takes minutes to build)."""
    mark = path / "bench-month.txt"
    wanted = f"staff={staff} seed={seed}"
    if mark.exists():
        if mark.read_text() != wanted:
            raise SystemExit(f"{path} holds a month of {mark.read_text()}, not {wanted}")
        settings = load_settings(data_dir=path, database_url="", mqtt_url="")
        print(f"database: {wanted}, kept in {path}")
        return settings, settings_engine(settings)
    path.mkdir(parents=True, exist_ok=True)
    if any(path.iterdir()):
        raise SystemExit(f"{path} is neither empty nor a kept month")
    made = build(path, staff, seed)
    mark.write_text(wanted)
    return made


def _driver_args(session: Session, query: sa.Select[Any]) -> tuple[str, Any]:
    """The SQL text of ``query`` and its parameters as the driver receives them (a tuple for
    a positional driver such as sqlite3, a dict for a named one such as psycopg)."""
    dialect = session.get_bind().dialect
    compiled = query.compile(dialect=dialect)
    params = compiled.construct_params()

    def value(name: str) -> Any:
        process = compiled.binds[name].type.bind_processor(dialect)
        return process(params[name]) if process else params[name]

    if compiled.positiontup is None:
        return str(compiled), {name: value(name) for name in params}
    return str(compiled), tuple(value(name) for name in compiled.positiontup)


def bench_month(settings: Settings, engine: Engine, repeat: int) -> float:
    """The month report against plain reads of the same rows (best of ``repeat`` each);
    returns the ratio of the evaluation to the plain read."""
    first, last = date(YEAR, MONTH, 1), date(YEAR, MONTH + 1, 1) - timedelta(days=1)
    lo, hi = day_bounds(first, last, TZ)
    now = datetime(YEAR, MONTH + 1, 2, tzinfo=TZ)
    plain, paused, raw, full = [], [], [], []
    count = 0
    # The plain read is the statement behind the evaluation (load_facts reads the same rows
    # grouped per person and source), fetched whole through the same engine and driver with
    # the columns' declared types (aware datetimes), with the collector as the service sets
    # it (see main): like with like. It is also timed with the collector paused.
    query = punches_query(None, lo, hi)
    for _ in range(repeat):
        with read_session(engine) as session:
            t0 = time.perf_counter()
            count = len(session.connection().execute(query).all())
            plain.append(time.perf_counter() - t0)
        with read_session(engine) as session:
            gc.disable()
            try:
                t0 = time.perf_counter()
                session.connection().execute(query).all()
                paused.append(time.perf_counter() - t0)
            finally:
                gc.enable()
        with read_session(engine) as session:
            sql, args = _driver_args(session, query)
            t0 = time.perf_counter()
            session.connection().exec_driver_sql(sql, args).all()
            raw.append(time.perf_counter() - t0)
        with read_session(engine) as session:
            t0 = time.perf_counter()
            ctx = load_context(session, settings, {YEAR})
            report = month_report(session, ctx, YEAR, MONTH, now)
            full.append(time.perf_counter() - t0)
    best_full = min(full)
    print(f"plain SELECT of the month's punches:   {min(plain):.3f} s ({count} rows)")
    print(f"  the same, garbage collector paused:   {min(paused):.3f} s")
    print(f"  the same SQL via the bare driver:     {min(raw):.3f} s (rows as text, no types)")
    print(
        f"month evaluation from the database:    {best_full:.3f} s "
        f"({count / best_full:,.0f} punches/s, {len(report.rows)} people summarised)"
    )
    print(
        f"ratio evaluation / plain read:          {best_full / min(plain):.2f}x "
        f"(target <= 3x), {best_full / min(paused):.2f}x (against the collector-paused read)"
    )
    return best_full / min(plain)


def bench_realtime(settings: Settings, engine: Engine, n: int, staff: int) -> None:
    """One punch per transaction, the way a live terminal event arrives; time to commit
    (``n`` = 0: skipped)."""
    if not n:
        return
    day = date(YEAR, MONTH + 1, 1)
    rng = random.Random(7)
    times = []
    for i in range(n):
        pin = str(100000 + rng.randrange(staff))
        at = datetime(day.year, day.month, day.day, 8, 0, tzinfo=TZ) + timedelta(seconds=7 * i)
        t0 = time.perf_counter()
        with write_session(engine) as session:
            store_punches(
                session, [Punch("ZK-RT", pin, at)], source="zk", now=at + timedelta(seconds=1),
                settings=settings,
            )  # fmt: skip
        times.append(time.perf_counter() - t0)
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * len(times)) - 1)]
    print(
        f"real time, punch -> verdict committed ({n} punches): "
        f"median {statistics.median(times) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
    )


def bench_batches(
    settings: Settings, engine: Engine, staff: int, batches: int, first: int = 6
) -> float:
    """ADMS posts of 1,000 lines: 250 people x 4 punches each, a new day per batch; returns
    punches per second."""
    total, spent = 0, 0.0
    for b in range(batches):
        day = date(YEAR, MONTH + 1, first + b)
        people = [100000 + (b * 250 + i) % staff for i in range(250)]
        batch = [
            Punch("ZK-ADMS", str(pin), datetime(day.year, day.month, day.day, h, m, tzinfo=TZ))
            for pin in people
            for h, m in DUES
        ]
        t0 = time.perf_counter()
        with write_session(engine) as session:
            store_punches(
                session, batch, source="adms", now=datetime(2026, 11, 1, tzinfo=UTC),
                settings=settings,
            )  # fmt: skip
        spent += time.perf_counter() - t0
        total += len(batch)
    print(f"ADMS batches of 1,000 punches: {total / spent:,.0f} punches/s ({batches} batches)")
    return total / spent


def run(args: argparse.Namespace, database_url: str = "") -> tuple[float, float]:
    """Every part on SQLite (``database_url`` empty) or on the empty database at
    ``database_url``; returns the month's ratio to the plain read and the batches' rate."""
    with tempfile.TemporaryDirectory(prefix="hk-bench-") as tmp:
        if args.data and not database_url:
            settings, engine = kept(Path(args.data), args.staff, args.seed)
        else:
            settings, engine = build(Path(tmp), args.staff, args.seed, database_url)
        print(f"-- {engine.dialect.name}")
        try:
            # The bulk insert leaves the garbage collector's generations as no running service
            # has them (its survivors counted as long-lived); settle them as the service does
            # once started (a full collection, start-up's objects frozen, the young threshold).
            settle_heap()
            ratio = bench_month(settings, engine, args.repeat)
            bench_realtime(settings, engine, args.realtime, args.staff)
            rate = bench_batches(settings, engine, args.staff, 5)
        finally:
            engine.dispose()
    return ratio, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=1000)
    parser.add_argument("--realtime", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--data",
        metavar="DIR",
        help="keep SQLite's month in DIR (built by the first run, reused by the next)",
    )
    postgres_option(parser)
    args = parser.parse_args()
    ratio, rate = run(args)
    if args.postgres:
        with scratch_database(args.postgres) as url:
            pg_ratio, pg_rate = run(args, url)
        print(
            f"side by side: month / plain read {ratio:.2f}x on SQLite, {pg_ratio:.2f}x on "
            f"PostgreSQL (target <= 3x); ADMS batches {rate:,.0f} against {pg_rate:,.0f} "
            f"punches/s, SQLite {rate / pg_rate:.2f}x PostgreSQL (target <= 2x)"
        )
    print(machine())


if __name__ == "__main__":
    main()
