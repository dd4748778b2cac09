"""Privacy routes (`/api/v1/privacy`): a person's export, offboarding, the retention purge.

The export is the administrator's, and the person's own: any logged-in person whose account
carries the same 工号. Everything else is the administrator's.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from hallbase.auth import ROLES, Actor, AuthError, Principal, allow, audit
from hallbase.auth.resolve import now_of
from hallbase.deps import EngineDep, ReadSessionDep, SessionDep, SettingsDep
from hallbase.fields import Day, OneLine
from hallbase.hallconfig import STAFF_NO_PATTERN
from hallkeeper.privacy import export, offboard
from hallkeeper.privacy.purge import run_purge

router = APIRouter()
ADMIN = allow("admin")
PERSON = allow(*ROLES)  # the handler lets only the administrator and the person through
StaffNo = Annotated[str, Path(pattern=STAFF_NO_PATTERN)]
Reason = Annotated[OneLine, Field(max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OffboardBody(_In):
    end_date: Day | None = None  # default: today (kept when one is set already)
    reason: Reason | None = None


class PurgeBody(_In):
    dry_run: bool = True
    reason: Reason | None = None


@router.get("/people/{staff_no}/export", summary="Everything held about one person")
def export_person(
    request: Request,
    staff_no: StaffNo,
    session: SessionDep,
    who: Annotated[Principal, PERSON],
    kind: Annotated[Literal["json", "zip"], Query(alias="format")] = "json",
) -> Response:
    """JSON, or (``?format=zip``) a zip of the JSON and one CSV per section; audited."""
    if not (who.has_role("admin") or (who.staff_no is not None and who.staff_no == staff_no)):
        raise AuthError(403, "out_of_scope")
    now = now_of(request)
    data = export.collect(session, staff_no, now)
    audit.append(
        session,
        Actor.of(who),
        "privacy.export",
        f"staff:{staff_no}",
        at=now,
        after={"format": kind, "counts": data["counts"]},
    )
    name = f"{staff_no}-export"
    if kind == "zip":
        headers = {"content-disposition": f'attachment; filename="{name}.zip"'}
        return Response(export.as_zip(data), media_type="application/zip", headers=headers)
    headers = {"content-disposition": f'attachment; filename="{name}.json"'}
    return Response(export.as_json(data), media_type="application/json", headers=headers)


@router.post("/people/{staff_no}/offboard", summary="End date; off every terminal, verified")
def offboard_person(
    request: Request,
    staff_no: StaffNo,
    body: OffboardBody,
    engine: EngineDep,
    settings: SettingsDep,
    who: Annotated[Principal, ADMIN],
) -> dict[str, Any]:
    """Removed, pending (an ADMS terminal's next poll) or failed, per terminal."""
    report = offboard.offboard(
        engine,
        settings,
        staff_no,
        Actor.of(who),
        lambda: now_of(request),
        end_date=body.end_date,
        reason=body.reason,
    )
    return report.view()


@router.get("/people/{staff_no}/offboarding", summary="Each terminal's offboarding state now")
def offboarding(
    request: Request, staff_no: StaffNo, engine: EngineDep, _who: Annotated[Principal, ADMIN]
) -> dict[str, Any]:
    """The steps, with the ADMS terminals' answers that came in since."""
    return offboard.status(engine, staff_no, now_of(request)).view()


@router.get("/retention", summary="The retention settings and the first day kept per kind")
def retention(
    request: Request,
    session: ReadSessionDep,
    settings: SettingsDep,
    _who: Annotated[Principal, ADMIN],
) -> dict[str, Any]:
    """What a purge now would remove (counted, nothing changed)."""
    report = run_purge(session, settings, now_of(request), dry_run=True)
    return {"settings": settings.hall.privacy.model_dump(), "now": report.view()}


@router.post("/purge", summary="Purge what is past its keeping (dry run by default)")
def purge(
    request: Request,
    body: PurgeBody,
    session: SessionDep,
    settings: SettingsDep,
    who: Annotated[Principal, ADMIN],
) -> dict[str, Any]:
    """Counts per kind and table; an audited purge unless ``dry_run``."""
    report = run_purge(
        session,
        settings,
        now_of(request),
        Actor.of(who),
        dry_run=body.dry_run,
        reason=body.reason,
    )
    return report.view()


def install(app: FastAPI, api: str) -> None:
    """Add the privacy routes under ``{api}/privacy``."""
    app.include_router(router, prefix=f"{api}/privacy", tags=["privacy"])
