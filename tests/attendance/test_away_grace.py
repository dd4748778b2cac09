"""暂离: a short time away within the hall's grace is shown with its minutes, not off post."""

from __future__ import annotations

from tests.helpers.attendance import Hall


def test_a_short_away_is_shown_and_is_no_violation(hall: Hall) -> None:
    assert hall.settings.hall.attendance.off_post_grace_minutes == 15  # the shipped default
    hall.clock.set("12:30")
    for hhmm in ("08:20", "12:05"):
        hall.punch("SC001", hhmm)
    short = hall.client.post(
        "/api/v1/attendance/away",
        json={"window": 1, "start": "2026-03-10T10:00", "end": "2026-03-10T10:05"},
    )
    assert short.status_code == 201
    verdict = hall.verdict("SC001")
    assert verdict is not None and verdict.status != "off_post"
    assert verdict.result["off_post"][0]["status"] == "away"  # type: ignore[index]
    assert verdict.result["away_minutes"] == 5
    assert not any(a.startswith("attendance.off_post:SC001:") for a in hall.alerts())

    days = hall.client.get(
        "/api/v1/attendance/days",
        params={"date_from": "2026-03-10", "date_to": "2026-03-10", "staff_no": "SC001"},
    ).json()["data"]
    assert days[0]["away_minutes"] == 5
    board = hall.client.get("/api/v1/attendance/board", params={"day": "2026-03-10"}).json()
    (row,) = [r for r in board["data"] if r["staff_no"] == "SC001"]
    assert row["away_minutes"] == 5
    month = hall.client.get("/api/v1/attendance/months/2026-03").json()
    (summary,) = [r for r in month["data"] if r["staff_no"] == "SC001"]
    assert (summary["off_post"], summary["away_minutes"]) == (0, 5)
    assert "暂离 5分钟" in hall.client.get("/attendance/board").text
    page = hall.client.get("/attendance/month", params={"month": "2026-03"}).text
    assert "暂离 5分钟" in page and "暂离(分钟)" in page
