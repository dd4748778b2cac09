"""POST /api/v1/punches, and the punches an admin must look at: unmapped and quarantined."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query, Request
from sqlalchemy import func
from sqlmodel import Session, col, select

from hallkeeper.api.deps import Admin, Page, PageDep, ReadSessionDep, SessionDep, SettingsDep
from hallkeeper.attendance.common import now_of
from hallkeeper.attendance.punch_items import store_items
from hallkeeper.models import Punch, QuarantinedRecord

router = APIRouter()
MAX_ITEMS = 10_000


@router.post("", dependencies=[Admin], summary="Store punches (hall-local time when naive)")
def post_punches(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    items: list[Any] = Body(..., max_length=MAX_ITEMS),
) -> dict[str, Any]:
    """Each item: {"staff_no" or "pin", "time", "device_sn"?, "verify"?}; bad ones are listed."""
    result = store_items(
        session, items, settings=settings, now=now_of(request), source="api", default_device="api"
    )
    return result.to_dict()


@router.get("/unmapped", summary="Punches whose PIN matches no staff member")
def unmapped(
    session: ReadSessionDep, limit: int = Query(default=500, ge=1, le=5000)
) -> dict[str, Any]:
    rows = session.exec(
        select(Punch)
        .where(col(Punch.staff_no).is_(None))
        .order_by(col(Punch.device_time).desc())
        .limit(limit)
    ).all()
    total = session.exec(
        select(func.count()).select_from(Punch).where(col(Punch.staff_no).is_(None))
    ).one()
    data = [
        {
            "id": r.id,
            "device_sn": r.device_sn,
            "pin": r.pin,
            "time": r.device_time.isoformat(),
            "source": r.source,
            "repeats": r.repeats,
        }
        for r in rows
    ]
    return {"data": data, "count": total}


@router.get("/quarantined", summary="Records held back: impossible times, undecodable (a page)")
def quarantined(session: ReadSessionDep, page: PageDep) -> dict[str, Any]:
    return quarantine_page(session, page)


def quarantine_page(session: Session, page: Page, *where: Any) -> dict[str, Any]:
    """A page of kept-aside records, newest first, with the total count."""
    rows = session.exec(
        select(QuarantinedRecord)
        .where(*where)
        .order_by(col(QuarantinedRecord.id).desc())
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    total = session.exec(select(func.count()).select_from(QuarantinedRecord).where(*where)).one()
    data = [
        {
            "id": r.id,
            "device_sn": r.device_sn,
            "pin": r.pin,
            "time": r.device_time.isoformat() if r.device_time else None,
            "reason": r.reason,
            "raw_hex": r.raw.hex(),
            "received_at": r.received_at.isoformat(),
            "repeats": r.repeats,
            "last_received_at": r.last_received_at.isoformat() if r.last_received_at else None,
        }
        for r in rows
    ]
    return {"data": data, "count": total, **page.echo()}
