"""The staff lists halls keep in Excel, on the staff page: export (.xlsx or .csv, the Chinese
headers of `hallkeeper.staff_io`) and import of the same files, as `hallkeeper staff import`
does it: known 工号 updated, new ones created, bad rows listed with their line and reason."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from attendance.api_punches import api_actor
from attendance.common import now_of
from attendance.refresh import rederive_span
from attendance.unmapped import credit_assigned_pins
from hallbase.auth import Principal, log_change
from hallbase.deps import ReadSessionDep, SessionDep, SettingsDep
from hallbase.errors import RowError
from hallkeeper.office.common import ADMIN_PAGE, OFFICE_PAGE, ROOT, frame, render
from hallkeeper.office.problems import explain_row
from hallkeeper.staff_io import export_staff, import_staff

router = APIRouter(include_in_schema=False)
TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
SUFFIXES = (".xlsx", ".xlsm", ".csv")


@router.get(f"{ROOT}/staff/export.{{kind}}", dependencies=[OFFICE_PAGE])
def export_file(kind: str, session: ReadSessionDep) -> Response:
    """Every staff member as the hall's Excel sheet (工号, 姓名, 考勤号, ...) or CSV."""
    if kind not in TYPES:
        raise HTTPException(404, detail=f"no export as {kind!r}: use .xlsx or .csv")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"staff.{kind}"
        export_staff(session, path)
        content = path.read_bytes()
    headers = {"Content-Disposition": f'attachment; filename="staff.{kind}"'}
    return Response(content, media_type=TYPES[kind], headers=headers)


@router.post(f"{ROOT}/staff/import", response_class=HTMLResponse)
def import_file(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, ADMIN_PAGE],
    file: Annotated[UploadFile, File()],
    lang: str | None = None,
) -> HTMLResponse:
    """Import an uploaded staff file; the answer lists what was created, updated and refused."""
    page = frame(request, session, who, lang, "staff_import")
    name = Path(file.filename or "staff").name
    rejected: list[dict[str, object]] = []
    created = updated = 0
    failure = None
    if not name.lower().endswith(SUFFIXES):
        failure = page["w"]["files.bad_type"]
    else:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(file.file.read())
            try:
                result = import_staff(session, path)
            except RowError as exc:
                failure = explain_row(exc.reason, page["lang"])
            else:
                created, updated = result.created, result.updated
                rejected = [
                    {"line": r.line, "reason": explain_row(r.reason, page["lang"])}
                    for r in result.rejected
                ]
                now = now_of(request)
                credit_assigned_pins(session, settings, now, api_actor(request, "staff_import"))
                rederive_span(session, settings, now)  # start / end dates and schedules
                counts = {"created": created, "updated": updated, "rejected": len(rejected)}
                log_change(session, request, "staff.import", f"file:{name}"[:120], after=counts)
    context = {
        **page,
        "file_name": name,
        "created": created,
        "updated": updated,
        "rejected": rejected,
        "failure": failure,
    }
    return render(request, "office_import.html", context)
