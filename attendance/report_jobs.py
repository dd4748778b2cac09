"""Report jobs: a month sheet built by a worker process while the service goes on serving.

The service's side queues a job (a `report_job` row) and one supervising thread runs the
jobs one after another, each in a spawned process (`attendance.report_worker`): the build
never holds the service's interpreter, and a 2-core hall server keeps a core for the floor.
A cancelled job, or any job when the service stops, has its process terminated at once. The
files are kept in the data directory's ``reports`` folder and removed with their job after
`KEEP`.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from attendance import report_worker
from attendance.models import ReportJob
from hallbase.db import read_session, write_session
from hallbase.settings import Settings

log = logging.getLogger(__name__)
KEEP = timedelta(hours=24)  # a finished job and its file, then removed
POLL = 0.2  # seconds between looks at a running job (cancelled? service stopping?)
PURGE_EVERY = 60.0
FINISHED = ("done", "failed", "cancelled")


class JobsStopping(RuntimeError):
    """The service is stopping: no new job is taken."""


class ReportJobs:
    """The app's report jobs (a component: started and stopped with the app)."""

    def __init__(self, engine: Engine, settings: Settings, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.settings = settings
        self.clock = clock
        self.folder = settings.data_dir / "reports"
        self._url = engine.url.render_as_string(hide_password=False)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._cancelled: set[int] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._recovered = False
        self.worker: Callable[[int, str, Settings, str, report_worker.Progress], None] = (
            report_worker.run
        )

    # -- the component ------------------------------------------------------------------

    def start(self) -> None:
        """Jobs may run; those a stopped service left unfinished are marked failed."""
        self._stopping.clear()
        self._recover()
        self._ensure_thread()

    def stop(self) -> None:
        """The running job's process is terminated, queued ones stay queued until the next
        start marks them failed; returns when the supervising thread has ended."""
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=15)

    # -- asked by the API ---------------------------------------------------------------

    def submit(self, month: str, fmt: str, scope: Collection[str] | None, owner: str) -> int:
        """Queue a job; its id."""
        if self._stopping.is_set():
            raise JobsStopping("the service is stopping")
        self._recover()
        with write_session(self.engine) as session:
            job = ReportJob(
                month=month, format=fmt, owner=owner, asked_at=self.clock(),
                scope=None if scope is None else sorted(scope),
            )  # fmt: skip
            session.add(job)
            session.flush()
            assert job.id is not None
            job.file = f"{job.id}-attendance-{month}.{fmt}"
            job_id = job.id
        self._ensure_thread()
        self._wake.set()
        return job_id

    def cancel(self, job_id: int) -> None:
        """A queued job is cancelled at once, a running one's process is terminated."""
        with write_session(self.engine) as session:
            job = session.get(ReportJob, job_id)
            if job is None or job.state in FINISHED:
                return
            if job.state == "queued":
                job.state, job.finished_at = "cancelled", self.clock()
                return
        with self._lock:
            self._cancelled.add(job_id)

    def path(self, job: ReportJob) -> Path:
        """Where ``job``'s file is kept."""
        return self.folder / job.file

    # -- the supervising thread ---------------------------------------------------------

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._stopping.is_set() or (self._thread and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._loop, name="report-jobs", daemon=True)
            self._thread.start()

    def _recover(self) -> None:
        """Once per run: jobs left queued or running by an earlier run of the service failed."""
        with self._lock:
            if self._recovered:
                return
            self._recovered = True
        with write_session(self.engine) as session:
            stale = session.exec(
                select(ReportJob).where(col(ReportJob.state).in_(("queued", "running")))
            ).all()
            for job in stale:
                report_worker.partial(self.path(job)).unlink(missing_ok=True)
                job.state, job.finished_at = "failed", self.clock()
                job.error = "the service stopped before the report was finished"

    def _loop(self) -> None:
        next_purge = 0.0
        while not self._stopping.is_set():
            now = self.clock()
            if now.timestamp() >= next_purge:
                self.purge()
                next_purge = now.timestamp() + PURGE_EVERY
            job_id = self._take()
            if job_id is None:
                self._wake.wait(PURGE_EVERY)
                self._wake.clear()
                continue
            try:
                self._run(job_id)
            except Exception:
                log.exception("report job %s: the worker could not be run", job_id)
                self._finish(job_id, "failed", "the worker process could not be run")

    def _take(self) -> int | None:
        """The oldest queued job, now running."""
        with write_session(self.engine) as session:
            job = session.exec(
                select(ReportJob).where(ReportJob.state == "queued").order_by(col(ReportJob.id))
            ).first()
            if job is None:
                return None
            job.state, job.started_at = "running", self.clock()
            return job.id

    def _run(self, job_id: int) -> None:
        """Job ``job_id`` in a spawned process, terminated if cancelled or stopping."""
        self.folder.mkdir(parents=True, exist_ok=True)
        spawn = multiprocessing.get_context("spawn")
        shared = spawn.Array("q", 2, lock=False)  # people done, people in all (see Progress)
        args = (job_id, self._url, self.settings, str(self.folder), shared)
        process = spawn.Process(
            target=self.worker, args=args, name=f"report-job-{job_id}", daemon=True
        )
        process.start()
        stored = (0, 0)
        while process.is_alive():
            stored = self._store_progress(job_id, shared, stored)
            with self._lock:
                cancelled = job_id in self._cancelled
            if cancelled or self._stopping.is_set():
                process.terminate()
                process.join(5)
                if process.is_alive():
                    process.kill()
                    process.join()
                self._finish(job_id, "cancelled", "")
                log.info("report job %s ended early: cancelled or service stopping", job_id)
                return
            process.join(POLL)
        self._store_progress(job_id, shared, stored)
        if process.exitcode == 0:
            self._finish(job_id, "done", "")
        else:
            self._finish(job_id, "failed", f"the worker ended with code {process.exitcode}")

    def _store_progress(
        self, job_id: int, shared: report_worker.Progress, stored: tuple[int, int]
    ) -> tuple[int, int]:
        """The worker's progress into the job's row, when it moved; what is stored now."""
        total = shared[1]
        now = (shared[0], total)
        if now != stored and total:
            report_worker.set_job(self.engine, job_id, people_done=now[0], people_total=total)
            return now
        return stored

    def _finish(self, job_id: int, state: str, error: str) -> None:
        """Stamp the end; a job still `running` (the worker did not finish it) takes
        ``state``, and a job not done loses its partial file."""
        with self._lock:
            self._cancelled.discard(job_id)
        with write_session(self.engine) as session:
            job = session.get(ReportJob, job_id)
            if job is None:
                return
            if job.state == "running":
                if state == "done" and not self.path(job).is_file():
                    state, error = "failed", "the worker ended without the file"
                job.state, job.error = state, error
            job.finished_at = self.clock()
            if job.state != "done":
                report_worker.partial(self.path(job)).unlink(missing_ok=True)

    def purge(self) -> int:
        """Remove finished jobs older than `KEEP` with their files; how many."""
        limit = self.clock() - KEEP
        with write_session(self.engine) as session:
            old = session.exec(
                select(ReportJob).where(
                    col(ReportJob.state).in_(FINISHED), col(ReportJob.finished_at) < limit
                )
            ).all()
            for job in old:
                self.path(job).unlink(missing_ok=True)
                session.delete(job)
        return len(old)

    def jobs_of(self, owner: str) -> list[ReportJob]:
        """The jobs of ``owner``, newest first."""
        with read_session(self.engine) as session:
            query = select(ReportJob).where(ReportJob.owner == owner)
            return list(session.exec(query.order_by(col(ReportJob.id).desc())).all())


def report_jobs(app: Any) -> ReportJobs:
    """The app's report jobs (one per app)."""
    jobs: ReportJobs | None = getattr(app.state, "report_jobs", None)
    if jobs is None:
        clock = getattr(app.state, "attendance_clock", None) or app.state.clock
        jobs = app.state.report_jobs = ReportJobs(app.state.engine, app.state.settings, clock)
    return jobs
