"""Statistics routes: JSON per dimension, and CSV / XLSX exports (Chinese headers by default)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from hallbase.words import Lang, t
from kiosk import export
from kiosk.api.common import QueueDep
from kiosk.context import Ctx
from kiosk.errors import Invalid
from kiosk.stats import Dimension, compute

router = APIRouter()
FromDay = Annotated[date | None, Query(alias="from")]


def _rows(
    queue: QueueDep, by: Dimension, first: date | None, last: date | None
) -> tuple[date, date, list[dict[str, Any]]]:
    def op(ctx: Ctx) -> tuple[date, date, list[dict[str, Any]]]:
        start = first or ctx.day
        end = last or start
        if end < start:
            raise Invalid("to is before from")
        if (end - start).days > 366:
            raise Invalid("at most one year at a time")
        return start, end, compute(ctx.session, start, end, ctx.zone, ctx.now, by)

    return queue.read(op)


@router.get("/stats", summary="Statistics per service, window, staff or hour")
def stats(
    queue: QueueDep,
    by: Dimension = "service",
    from_: FromDay = None,
    to: date | None = None,
) -> dict[str, Any]:
    start, end, rows = _rows(queue, by, from_, to)
    return {"by": by, "from": start.isoformat(), "to": end.isoformat(), "data": rows}


@router.get("/stats/export.csv", summary="Statistics as CSV")
def stats_csv(
    queue: QueueDep,
    by: Dimension = "service",
    from_: FromDay = None,
    to: date | None = None,
    lang: Lang = "zh",
) -> Response:
    start, end, rows = _rows(queue, by, from_, to)
    name = f"stats-{by}-{start}-{end}.csv"
    return Response(
        export.to_csv(rows, by, lang),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/stats/export.xlsx", summary="Statistics as XLSX")
def stats_xlsx(
    queue: QueueDep,
    by: Dimension = "service",
    from_: FromDay = None,
    to: date | None = None,
    lang: Lang = "zh",
) -> Response:
    start, end, rows = _rows(queue, by, from_, to)
    name = f"stats-{by}-{start}-{end}.xlsx"
    title = t(f"export.group.{by}", lang)
    return Response(
        export.to_xlsx(rows, by, lang, title),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
