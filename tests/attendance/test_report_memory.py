"""Reports all day, every day: the caches on the report path stay the same size."""

from __future__ import annotations

from datetime import date

import pytest

from attendance import common, context, facts
from hallbase import db, holidays
from tests.helpers.attendance import Hall
from tests.helpers.memos import engine_memo_sizes

MONTHS = ("2026-01", "2026-02", "2026-03")


def _sizes() -> dict[str, int]:
    """Every module-level cache a report goes through, by entries."""
    return {
        **engine_memo_sizes(),
        "schedules": len(context._SCHEDULES),
        "contexts": sum(len(per_engine) for per_engine in context._cache.values()),
        "national years": context._national_year.cache_info().currsize,
        "steady offsets": facts._steady_offset.cache_info().currsize,
        "calendar days": holidays._calendar_kind.cache_info().currsize,
        "database keys": len(db._DATABASE_KEYS),
    }


def _reports(hall: Hall, rounds: int) -> None:
    for i in range(rounds):
        month = MONTHS[i % len(MONTHS)]
        assert hall.client.get(f"/api/v1/attendance/months/{month}").status_code == 200
        days = {"date_from": f"{month}-02", "date_to": f"{month}-08"}
        assert hall.client.get("/api/v1/attendance/days", params=days).status_code == 200


@pytest.mark.parametrize("any_engine", ["sqlite"], indirect=True)
def test_many_month_reports_leave_the_caches_as_they_were(hall: Hall) -> None:
    hall.clock.set("09:00", date(2026, 4, 1))
    body = [{"staff_no": "SC001", "time": "2026-03-02T08:35"}]
    assert hall.client.post("/api/v1/punches", json=body).status_code == 200
    _reports(hall, 2 * len(MONTHS))
    settled = _sizes()
    _reports(hall, 100)
    assert _sizes() == settled


@pytest.mark.parametrize("any_engine", ["sqlite"], indirect=True)
def test_reports_reuse_the_context_until_its_rows_change(
    hall: Hall, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[object] = []
    load = context.load_context

    def counted(*args: object, **kwargs: object) -> context.AttendanceContext:
        loads.append(args)
        return load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(context, "load_context", counted)
    monkeypatch.setattr(common, "load_context", counted, raising=False)  # its import, if any
    hall.clock.set("09:00", date(2026, 4, 1))
    _reports(hall, len(MONTHS))  # one context per set of years the reports cover
    first = len(loads)
    _reports(hall, 10)
    assert len(loads) == first  # nothing changed: the contexts of the first reports serve
    renamed = hall.client.patch("/api/v1/staff/SC001", json={"name": "改名"})
    assert renamed.status_code == 200, renamed.text
    rows = hall.client.get("/api/v1/attendance/months/2026-03").json()["data"]
    assert {r["staff_no"]: r["name"] for r in rows}["SC001"] == "改名"
    assert len(loads) == first + 1
