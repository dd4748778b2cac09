"""Escalation (A8) counts offences from go-live and from each person's start date."""

from __future__ import annotations

from datetime import date

from tests.helpers.attendance import Hall, at


def _absences(hall: Hall, month: str, staff_no: str) -> list[int]:
    rows = hall.client.get(f"/api/v1/attendance/months/{month}").json()["data"]
    (row,) = [r for r in rows if r["staff_no"] == staff_no]
    return [s["occurrence"] for s in row["escalation"] if s["kind"] == "absent"]


def test_escalation_counts_start_at_go_live_and_at_each_persons_start(hall: Hall) -> None:
    hall.clock.now = at("19:00", date(2026, 4, 1))  # a Wednesday; nobody ever punched
    answer = hall.client.patch("/api/v1/hall", json={"go_live": "2026-03-30"})
    assert answer.status_code == 200
    # 30 and 31 March count before April (the same year), the months before go-live do not.
    assert _absences(hall, "2026-04", "SC001") == [3]
    joined = hall.client.post(
        "/api/v1/staff",
        json={"staff_no": "NS002", "name": "新人", "pin": "9002", "unit_code": "ZWB",
              "category": "在编", "start_date": "2026-04-01"},
    )  # fmt: skip
    assert joined.status_code == 201
    assert _absences(hall, "2026-04", "NS002") == [1]
