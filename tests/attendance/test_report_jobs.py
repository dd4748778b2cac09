"""Report jobs: the month's file built by a worker process, its progress followed over the
API, the file fetched and opened; cancelled, stopped, recovered and expired jobs."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from openpyxl import load_workbook

from attendance.models import ReportJob
from attendance.report_jobs import KEEP, ReportJobs, report_jobs
from attendance.report_worker import report_engine
from hallbase.db import make_engine, write_session
from tests.attendance.report_job_worker import hang
from tests.helpers.attendance import Hall

A = "/api/v1/attendance"
DEADLINE = 90.0  # a spawned interpreter imports the service's modules first


def _until(check: Callable[[], Any], what: str) -> Any:
    """``check()`` once it is truthy, polled until the deadline."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"not within {DEADLINE} s: {what}")


@pytest.fixture
def jobs(hall: Hall) -> Iterator[ReportJobs]:
    app: FastAPI = hall.client.app  # type: ignore[assignment]
    found = report_jobs(app)
    yield found
    found.stop()


def _job(hall: Hall, job_id: int) -> dict[str, Any]:
    answer = hall.client.get(f"{A}/report-jobs/{job_id}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_month_sheet_built_by_a_worker_process(hall: Hall, jobs: ReportJobs) -> None:
    month = hall.client.get(f"{A}/months/2026-03").json()
    people = [r["staff_no"] for r in month["data"]]
    assert len(people) >= 4
    asked = hall.client.post(f"{A}/months/2026-03/jobs", params={"format": "xlsx"})
    assert asked.status_code == 202, asked.text
    job_id = asked.json()["id"]
    assert asked.json()["state"] in ("queued", "running") and asked.json()["file"] is None
    done = _until(lambda: (j := _job(hall, job_id))["state"] not in ("queued", "running") and j,
                  "the job finishes")  # fmt: skip
    assert done["state"] == "done", done
    assert done["people_done"] == done["people_total"] >= len(people)
    listed = hall.client.get(f"{A}/report-jobs").json()
    assert [j["id"] for j in listed["data"]] == [job_id]
    file = hall.client.get(done["file"])
    assert file.status_code == 200
    assert "attendance-2026-03.xlsx" in file.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(file.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert "月度考勤表" in str(rows[0][0]) and rows[1][0] == "工号"
    assert [r[0] for r in rows[2 : 2 + len(people)]] == people
    assert rows[2 + len(people)][0] == "合计"
    # The same sheet as the direct download.
    direct = load_workbook(io.BytesIO(hall.client.get(f"{A}/months/2026-03?format=xlsx").content))
    assert direct.active is not None
    assert list(direct.active.iter_rows(values_only=True)) == rows
    # Another's job is not theirs to see.
    other = hall.client.get(f"{A}/report-jobs/{job_id + 1}")
    assert other.status_code == 404
    # Expired: the job and its file go.
    path = jobs.path(_stored(hall, job_id))
    assert path.is_file()
    hall.clock.now += KEEP + timedelta(hours=1)
    assert jobs.purge() == 1
    assert not path.exists() and hall.client.get(f"{A}/report-jobs/{job_id}").status_code == 404


def _stored(hall: Hall, job_id: int) -> ReportJob:
    with write_session(hall.engine) as session:
        job = session.get(ReportJob, job_id)
        assert job is not None
        session.expunge(job)
        return job


@pytest.mark.parametrize("any_engine", ["sqlite"], indirect=True)
def test_a_cancelled_job_and_a_stopping_service_end_the_worker(
    hall: Hall, jobs: ReportJobs
) -> None:
    jobs.worker = hang
    first = hall.client.post(f"{A}/months/2026-03/jobs").json()["id"]
    _until(lambda: _job(hall, first)["state"] == "running", "the job runs")
    cancelled = hall.client.post(f"{A}/report-jobs/{first}/cancel")
    assert cancelled.status_code == 200
    ended = _until(lambda: (j := _job(hall, first))["state"] != "running" and j, "cancelled")
    assert ended["state"] == "cancelled" and ended["file"] is None
    assert hall.client.get(f"{A}/report-jobs/{first}/file").status_code == 409
    second = hall.client.post(f"{A}/months/2026-03/jobs").json()["id"]
    _until(lambda: _job(hall, second)["state"] == "running", "the second job runs")
    jobs.stop()  # as the service's shutdown does
    assert _job(hall, second)["state"] == "cancelled"
    refused = hall.client.post(f"{A}/months/2026-03/jobs")
    assert refused.status_code == 503 and "stopping" in refused.json()["detail"]
    assert not [p for p in jobs.folder.glob("*")]


@pytest.mark.parametrize("any_engine", ["sqlite"], indirect=True)
def test_jobs_left_by_a_stopped_service_are_failed_on_start(hall: Hall) -> None:
    with write_session(hall.engine) as session:
        job = ReportJob(month="2026-03", format="xlsx", owner="person:1", state="running",
                        asked_at=hall.clock.now, file="9-attendance-2026-03.xlsx")  # fmt: skip
        session.add(job)
    fresh = ReportJobs(hall.engine, hall.settings, hall.clock)
    fresh.start()
    try:
        assert _stored(hall, 1).state == "failed"
        assert "stopped" in _stored(hall, 1).error
    finally:
        fresh.stop()


def test_a_bad_month_is_refused(hall: Hall, jobs: ReportJobs) -> None:
    answer = hall.client.post(f"{A}/months/2026-13/jobs")
    assert answer.status_code == 422 and "YYYY-MM" in answer.text
    answer = hall.client.post(f"{A}/months/2026-03/jobs", params={"format": "pdf"})
    assert answer.status_code == 422
    assert hall.client.get(f"{A}/report-jobs").json()["count"] == 0


def test_the_worker_reads_sqlite_without_a_memory_map(tmp_path: Any) -> None:
    """A city's month read through a map would stay in the worker's resident memory."""
    url = f"sqlite:///{tmp_path / 'hall.db'}"
    service, worker = make_engine(url), report_engine(url)
    try:
        with service.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar_one() > 0
        with worker.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA mmap_size").scalar_one() == 0
    finally:
        service.dispose()
        worker.dispose()
