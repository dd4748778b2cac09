"""Shared by the benchmarks: the machine line, a throw-away PostgreSQL database, a service's
resident memory and CPU time, quantiles, a sampling profiler, waiting for a `hallkeeper serve`
subprocess to answer.

Benchmarks print their figures with ``machine()`` (load average and CPU count): on a shared
machine the same command gives figures up to several times apart.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.services import PG_ADMIN_URL  # noqa: E402

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from hallbase.settings import Settings

__all__ = [
    "PG_ADMIN_URL",
    "ROOT",
    "Sampler",
    "bearer_token",
    "cpu_seconds",
    "machine",
    "pct",
    "postgres_option",
    "rss_mib",
    "scratch_database",
    "serve_env",
    "start_serve",
    "wait_for_verdicts",
    "wait_healthy",
]


def machine() -> str:
    """``load average 1.52 1.70 1.31; 2 CPUs``: how busy the machine is right now."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}; {os.cpu_count()} CPUs"


@contextmanager
def scratch_database(admin_url: str = PG_ADMIN_URL) -> Iterator[str]:
    """A new, empty PostgreSQL database beside ``admin_url``'s; its URL. Dropped afterwards."""
    import psycopg

    name = f"hk_bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        raise SystemExit(f"PostgreSQL at {admin_url} is not reachable: {exc}") from None
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of process ``pid`` in MiB (``field`` of /proc/<pid>/status: VmRSS,
    RssAnon, the part that is the process's own and not mapped files such as SQLite's map, or
    VmHWM, its high-water mark)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"no {field} for process {pid}")


def cpu_seconds(pid: int, tid: int | None = None) -> float:
    """User + system CPU time of process ``pid``, or of its thread ``tid`` (Linux /proc)."""
    stat = Path(f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat")
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


class Sampler:
    """A small sampling profiler of every thread (QUEUE_BENCH_PROFILE=file): where time goes."""

    def __init__(self, path: Path, interval: float = 0.002) -> None:
        self._path = path
        self.inclusive: dict[str, int] = {}
        self.own: dict[str, int] = {}
        self.samples = 0
        self._interval = interval
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        me = threading.get_ident()
        saved = time.monotonic()
        while True:
            time.sleep(self._interval)
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                seen: set[str] = set()
                top = True
                f: FrameType | None = frame
                while f is not None:
                    code = f.f_code
                    key = f"{code.co_filename.split('site-packages/')[-1]}:{code.co_name}"
                    if top:
                        self.own[key] = self.own.get(key, 0) + 1
                        top = False
                    if key not in seen:
                        self.inclusive[key] = self.inclusive.get(key, 0) + 1
                        seen.add(key)
                    f = f.f_back
                self.samples += 1
            if time.monotonic() - saved > 2:
                saved = time.monotonic()
                self.report(self._path)  # uvicorn ends the process by signal: save as we go

    def report(self, path: Path) -> None:
        lines = [f"samples {self.samples}", "== inclusive"]
        for key, n in sorted(self.inclusive.items(), key=lambda kv: -kv[1])[:60]:
            lines.append(f"{n:7d} {key}")
        lines.append("== own")
        for key, n in sorted(self.own.items(), key=lambda kv: -kv[1])[:40]:
            lines.append(f"{n:7d} {key}")
        path.write_text("\n".join(lines))


def serve_env(**settings: str) -> dict[str, str]:
    """The environment of a `hallkeeper serve` subprocess running this checkout's code, with
    ``HALLKEEPER_<NAME>`` for each of ``settings`` (a database URL of "" means SQLite)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("DATABASE_URL", "MQTT_URL", "CONFIG"):
        env.pop(f"HALLKEEPER_{name}", None)
    env.update({f"HALLKEEPER_{k.upper()}": v for k, v in settings.items() if v})
    return env


def start_serve(**settings: str) -> subprocess.Popen[bytes]:
    """`hallkeeper serve` of this checkout in a process of its own (the client does not share
    its interpreter), quiet, with `serve_env`'s environment."""
    return subprocess.Popen(
        [sys.executable, "-m", "hallkeeper", "serve"],
        env=serve_env(**settings),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Wait until the service at ``url`` answers /healthz (exit if it dies or takes too long)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the service did not start") from None
            time.sleep(0.2)


def wait_for_verdicts(
    engine: Engine, day: date, staff: int, server: subprocess.Popen[bytes], timeout: float = 180
) -> None:
    """Wait until the service's scheduler stored ``day``'s verdict of ``staff`` people (its
    start-up work): timings taken before then would include it."""
    deadline = time.monotonic() + timeout
    query = sa.text("SELECT count(*) FROM day_verdict WHERE day = :day").bindparams(
        sa.bindparam("day", type_=sa.Date)
    )
    while True:
        with engine.connect() as conn:
            count = conn.execute(query, {"day": day}).scalar_one()
        if count >= staff:
            return
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit("the scheduler's start-up verdicts did not appear")
        time.sleep(0.2)


def postgres_option(parser: argparse.ArgumentParser) -> None:
    """``--postgres [ADMIN_URL]``: after SQLite, the same on a throw-away PostgreSQL database."""
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=PG_ADMIN_URL,
        default="",
        metavar="ADMIN_URL",
        help=f"then the same on a throw-away database beside ADMIN_URL's ({PG_ADMIN_URL})",
    )


def bearer_token(engine: Engine, settings: Settings, now: datetime | None = None) -> str:
    """An administrator's API token made in the database, as `hallkeeper user/token` would
    (``now``: the service's clock, when a bench runs it from another date)."""
    from hallbase.auth import Actor, Scope, accounts, keys
    from hallbase.db import write_session

    actor, now = Actor("cli", "bench"), now or datetime.now(UTC)
    with write_session(engine) as session:
        person = accounts.create(
            session,
            actor,
            now,
            username="bench",
            display_name="bench",
            password=secrets.token_urlsafe(24),
            grants=[("admin", Scope("hall"))],
        )
        assert person.id is not None
        _row, token = keys.create_token(
            session, settings.auth_secret, actor, now,
            account_id=person.id, username="bench", name="bench", days=1,
        )  # fmt: skip
    return token


class ReportWatch:
    """A month sheet built by the server's report worker while the load runs (none if
    ``staff`` is 0): the month's people and punches added, the job started, its end timed."""

    def __init__(
        self, base: str, admin: str, data_dir: str, staff: int, database_url: str = ""
    ) -> None:
        self.job: dict[str, object] | None = None
        if not staff:
            return
        import attendance_month as am

        from hallbase.db import make_engine
        from hallbase.settings import load_settings

        settings = load_settings(data_dir=Path(data_dir), database_url=database_url, mqtt_url="")
        engine = make_engine(settings.effective_database_url)
        am.add_month(settings, engine, staff, seed=1, prefix="R")
        engine.dispose()
        self.api = httpx.Client(
            base_url=base, timeout=10, headers={"Authorization": f"Bearer {admin}"}
        )
        month = f"{am.YEAR}-{am.MONTH:02d}"
        answer = self.api.post(f"/api/v1/attendance/months/{month}/jobs?format=xlsx")
        answer.raise_for_status()
        self.job = answer.json()
        self.started = time.perf_counter()
        print(f"report job {self.job['id']}: the {month} sheet of {staff} more staff, started")

    def _now(self) -> dict[str, Any]:
        """The job as the API shows it now."""
        assert self.job is not None
        answer = self.api.get(f"/api/v1/attendance/report-jobs/{self.job['id']}")
        job: dict[str, Any] = answer.json()
        return job

    def running(self) -> bool:
        """Whether the job is still queued or running."""
        return self.job is not None and self._now()["state"] in ("queued", "running")

    def finish(self) -> None:
        """Wait for the job; print its time (it must have ended within the load to count)."""
        if self.job is None:
            return
        overlap = time.perf_counter() - self.started
        while self.running():
            time.sleep(0.2)
        job = self._now()
        spent = time.perf_counter() - self.started
        print(
            f"report job          {job['state']} in {spent:.1f} s from the request "
            f"({job['people_done']}/{job['people_total']} people); the load ran for the "
            f"first {overlap:.1f} s of it"
        )
        self.api.close()
