"""Statistics routes: JSON per dimension, and CSV / XLSX exports (Chinese headers by default).

For the office roles; a window lead sees the rows of their own windows and staff only (the
rows per service and per hour, the hall's totals, are everyone's in the office)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from hallbase.auth import Principal, Target, in_scope
from hallbase.words import Lang, t
from kiosk import export
from kiosk.api.access import OFFICE_READ, windows_seen
from kiosk.api.common import QueueDep
from kiosk.context import Ctx
from kiosk.errors import Invalid
from kiosk.stats import Dimension, compute

router = APIRouter()
FromDay = Annotated[date | None, Query(alias="from")]


@dataclass(frozen=True)
class Asked:
    """The statistics a request asks for: grouped ``by``, business days ``first``..``last``."""

    by: Dimension
    first: date
    last: date
    rows: list[dict[str, Any]]


def _in_scope(ctx: Ctx, who: Principal, by: Dimension, rows: list[dict[str, Any]]) -> list[Any]:
    """The rows ``who`` may see (a window lead: their windows' and staff's)."""
    seen = windows_seen(ctx.session, who) if by in ("window", "staff") else None
    if seen is None:
        return rows
    if by == "window":
        return [r for r in rows if r["key"] in seen]
    lead = ("window_lead",)
    return [
        r for r in rows if r["key"] and in_scope(ctx.session, who, Target(staff_no=r["key"]), lead)
    ]


def _asked(
    queue: QueueDep,
    who: Annotated[Principal, OFFICE_READ],
    by: Dimension = "service",
    from_: FromDay = None,
    to: date | None = None,
) -> Asked:
    def op(ctx: Ctx) -> Asked:
        start = from_ or ctx.day
        end = to or start
        if end < start:
            raise Invalid("to is before from")
        if (end - start).days > 366:
            raise Invalid("at most one year at a time")
        rows = compute(ctx.session, start, end, ctx.zone, ctx.now, by)
        return Asked(by, start, end, _in_scope(ctx, who, by, rows))

    return queue.read(op)


AskedDep = Annotated[Asked, Depends(_asked)]


def _download(asked: Asked, content: bytes, extension: str, media_type: str) -> Response:
    name = f"stats-{asked.by}-{asked.first}-{asked.last}.{extension}"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/stats", summary="Statistics per service, window, staff or hour")
def stats(asked: AskedDep) -> dict[str, Any]:
    first, last = asked.first.isoformat(), asked.last.isoformat()
    return {"by": asked.by, "from": first, "to": last, "data": asked.rows}


@router.get("/stats/export.csv", summary="Statistics as CSV")
def stats_csv(asked: AskedDep, lang: Lang = "zh") -> Response:
    content = export.to_csv(asked.rows, asked.by, lang)
    return _download(asked, content, "csv", "text/csv; charset=utf-8")


@router.get("/stats/export.xlsx", summary="Statistics as XLSX")
def stats_xlsx(asked: AskedDep, lang: Lang = "zh") -> Response:
    content = export.to_xlsx(asked.rows, asked.by, lang, t(f"export.group.{asked.by}", lang))
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(asked, content, "xlsx", xlsx)
