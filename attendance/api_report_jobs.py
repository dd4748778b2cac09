"""Report jobs over HTTP: ask for a month's sheet to be built in the background, follow its
progress, fetch the file, cancel; and the page that does it (报表生成)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse

from attendance.access import reach
from attendance.api_days import MONTH
from attendance.common import now_of
from attendance.models import ReportJob
from attendance.month_build import MEDIA
from attendance.pages import page_setup
from attendance.report_jobs import JobsStopping, ReportJobs, report_jobs
from hallbase.auth import OFFICE, Principal, allow
from hallbase.deps import ReadSessionDep, SettingsDep
from hallbase.pages import render_page, script_json
from hallbase.words import t, under

router = APIRouter()
pages = APIRouter()
REPORTS_PATH = "/attendance/reports"
JOBS = "/report-jobs"
# The same callers as the month's download (api_days.get_month).
Office = Annotated[Principal, allow(*OFFICE)]


def owner_of(who: Principal) -> str:
    """The job's owner: the asking account (only they see the job and its file)."""
    return f"{who.kind}:{who.id}"


def job_body(job: ReportJob, api: str) -> dict[str, Any]:
    """A job as the API answers it; ``file`` is the download's URL once it is done."""
    return {
        "id": job.id,
        "month": job.month,
        "format": job.format,
        "state": job.state,
        "people_done": job.people_done,
        "people_total": job.people_total,
        "asked_at": job.asked_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "error": job.error,
        "file": f"{api}{JOBS}/{job.id}/file" if job.state == "done" else None,
    }


def _api(request: Request) -> str:
    return str(request.scope.get("root_path", "")) + "/api/v1/attendance"


def _own_job(jobs: ReportJobs, who: Principal, job_id: int) -> ReportJob:
    """The caller's job ``job_id``, else 404 (another's job is not told apart from none)."""
    for job in jobs.jobs_of(owner_of(who)):
        if job.id == job_id:
            return job
    raise HTTPException(404, detail=f"no report job {job_id} of yours")


@router.post(
    "/months/{month}/jobs", status_code=202, summary="Build the month's file in the background"
)
def post_month_job(
    month: str,
    request: Request,
    session: ReadSessionDep,
    who: Office,
    format: str = Query(default="xlsx", pattern="^(json|csv|xlsx)$"),
) -> dict[str, Any]:
    """A window lead's month has the staff of their scope only, as the download has."""
    if not MONTH.match(month):
        raise HTTPException(422, detail=f"month {month!r} must be YYYY-MM, 1900-01 to 2999-12")
    jobs = report_jobs(request.app)
    try:
        job_id = jobs.submit(month, format, reach(session, who), owner_of(who))
    except JobsStopping as exc:
        raise HTTPException(503, detail=f"no new report: {exc}") from exc
    return job_body(_own_job(jobs, who, job_id), _api(request))


@router.get(JOBS, summary="The caller's report jobs, newest first")
def get_jobs(request: Request, who: Office) -> dict[str, Any]:
    data = [job_body(j, _api(request)) for j in report_jobs(request.app).jobs_of(owner_of(who))]
    return {"data": data, "count": len(data)}


@router.get(JOBS + "/{job_id}", summary="A report job: state and people done of the total")
def get_job(job_id: int, request: Request, who: Office) -> dict[str, Any]:
    return job_body(_own_job(report_jobs(request.app), who, job_id), _api(request))


@router.get(JOBS + "/{job_id}/file", summary="A finished report job's file")
def get_job_file(job_id: int, request: Request, who: Office) -> FileResponse:
    jobs = report_jobs(request.app)
    job = _own_job(jobs, who, job_id)
    path = jobs.path(job)
    if job.state != "done" or not path.is_file():
        raise HTTPException(409, detail=f"report job {job_id} is {job.state}: no file")
    name = f"attendance-{job.month}.{job.format}"
    return FileResponse(path, media_type=MEDIA[job.format], filename=name)


@router.post(JOBS + "/{job_id}/cancel", summary="Cancel a queued or running report job")
def cancel_job(job_id: int, request: Request, who: Office) -> dict[str, Any]:
    jobs = report_jobs(request.app)
    jobs.cancel(_own_job(jobs, who, job_id).id or job_id)
    return job_body(_own_job(jobs, who, job_id), _api(request))


@pages.get(REPORTS_PATH, response_class=HTMLResponse, include_in_schema=False)
def reports_page(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    who: Office,
    lang: str | None = None,
) -> HTMLResponse:
    """The caller's report jobs with their progress, a form for a new one, the files."""
    page = page_setup(session, lang)
    language = page["lang"]
    words = {
        "title": t("titles.attendance_reports", language),
        **under("attendance.reports", language),
    }
    api = _api(request)
    jobs = [job_body(j, api) for j in report_jobs(request.app).jobs_of(owner_of(who))]
    setup = {
        "lang": language,
        "jobs_url": f"{api}{JOBS}",
        "new_url": f"{api}/months/",
        "words": words,
        "jobs": jobs,
        "csrf": who.csrf_token or "",  # a session's change carries it (X-CSRF-Token)
    }
    month = now_of(request).astimezone(settings.zone).strftime("%Y-%m")
    context_ = {**page, "words": {**page["words"], **words}, "month": month,
                "setup_json": script_json(setup)}  # fmt: skip
    return render_page(request, "attendance_reports.html", context_)
