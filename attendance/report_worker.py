"""The worker process that builds a report job's file (`attendance.report_jobs` starts it).

It runs in its own interpreter (a spawned process, at a lower CPU priority), so a big month
never holds the service's: it writes the file a chunk of people at a time with the builder the
download uses, tells the service its progress after each chunk, and leaves the file beside its
final name until it is whole.

It only reads the database (a failure is the exception): a write from a process at a lower
priority could hold SQLite's write lock while it waits for a core, and the floor's writes
would wait behind it. Its progress goes to the service through shared memory (`Progress`), and
the service's side stores it.
"""

from __future__ import annotations

import contextlib
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, update
from sqlmodel import col

from attendance.models import ReportJob
from attendance.month_build import month_pieces
from hallbase.db import make_engine, read_session, write_session
from hallbase.settings import Settings

log = logging.getLogger(__name__)
NICE = 10  # below the service's priority: the floor's requests come first on a shared core
# A SQLite report reads the whole month once; through a memory map every page it touches
# would stay in this process's resident memory (a 30,000-staff month is about 600 MB of
# database), so the worker reads through SQLite's own bounded page cache instead.
REPORT_MMAP_MIB = 0


def report_engine(url: str) -> Engine:
    """The worker's engine for the database at ``url`` (SQLite: no memory map)."""
    return make_engine(url, sqlite_mmap_mib=REPORT_MMAP_MIB)


def partial(path: Path) -> Path:
    """Where ``path`` is written until it is whole."""
    return path.with_name(path.name + ".partial")


def set_job(engine: Engine, job_id: int, **values: object) -> None:
    """Store ``values`` on job ``job_id``."""
    with write_session(engine) as session:
        session.execute(update(ReportJob).where(col(ReportJob.id) == job_id).values(**values))


class Progress(Protocol):
    """Shared with the service's side (a ``multiprocessing`` array of two integers): the
    people written so far and the people in the month."""

    def __getitem__(self, index: int) -> int: ...

    def __setitem__(self, index: int, value: int) -> None: ...


def run(job_id: int, url: str, settings: Settings, folder: str, progress: Progress) -> None:
    """Build job ``job_id``'s file in ``folder`` from the database at ``url``: the job is
    `running` when this starts; a failure is stored with its error, success is the file
    (the service's side marks the job done, with the time, once this process has ended)."""
    with contextlib.suppress(OSError):
        os.nice(NICE)
    engine = report_engine(url)
    try:
        with read_session(engine) as session:
            job = session.get(ReportJob, job_id)
            assert job is not None, f"report job {job_id} is gone"
            year, month = (int(x) for x in job.month.split("-"))
            fmt, scope, now, name = job.format, job.scope, job.asked_at, job.file
        path = Path(folder) / name
        try:
            _write(engine, settings, progress, path, (year, month, fmt, now), scope)
        except Exception as exc:
            log.exception("report job %s failed", job_id)
            partial(path).unlink(missing_ok=True)
            set_job(engine, job_id, state="failed", error=str(exc)[:500])
            raise
    finally:
        engine.dispose()


def _write(
    engine: Engine,
    settings: Settings,
    shared: Progress,
    path: Path,
    what: tuple[int, int, str, datetime],
    scope: list[str] | None,
) -> None:
    """The file, a chunk at a time, with the progress shared after each chunk."""
    year, month, fmt, now = what

    def progress(done: int, total: int) -> None:
        shared[1] = total
        shared[0] = done

    building = partial(path)
    with building.open("wb") as out:
        for piece in month_pieces(engine, settings, year, month, now, fmt, out, scope, progress):
            if piece:
                out.write(piece)
    building.replace(path)  # the service's side marks the job done when this process ends
