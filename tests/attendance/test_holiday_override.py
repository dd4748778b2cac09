"""A holiday override judges the day again: no one is absent on a day the hall closed."""

from __future__ import annotations

from tests.helpers.attendance import DAY, Hall


def test_override_rederives_the_day_and_removing_it_restores_it(hall: Hall) -> None:
    hall.clock.set("19:00")
    hall.punch("SC001", "08:41")  # late by 11 minutes on an ordinary Tuesday
    before = hall.verdict("SC001")
    # and nothing else all day: 缺卡, the halves absent
    assert before is not None and (before.status, before.absent_days) == ("missing", 1.0)
    assert before.result["slots"][0]["status"] == "late"

    closed = hall.client.put(
        f"/api/v1/holidays/{DAY.isoformat()}", json={"workday": False, "note": "停电闭厅"}
    )
    assert closed.status_code == 200 and closed.json()["changed"] >= 1
    after = hall.verdict("SC001")
    assert after is not None and after.status == "off" and not after.result["workday"]
    days = hall.client.get(
        "/api/v1/attendance/days",
        params={"date_from": DAY.isoformat(), "date_to": DAY.isoformat(), "staff_no": "SC001"},
    ).json()
    assert days["data"][0]["workday"] is False

    assert hall.client.delete(f"/api/v1/holidays/{DAY.isoformat()}").status_code == 204
    restored = hall.verdict("SC001")
    assert restored is not None and restored.result == before.result
