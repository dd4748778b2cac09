"""Days and month reports (JSON, CSV, XLSX), the duty record, and the two pages."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook

from tests.hallkeeper.attendance.conftest import Hall, at

FULL_DAY = ("08:25", "12:03", "13:55", "17:35")


def _day(hall: Hall, staff_no: str, day: date, times: tuple[str, ...] = FULL_DAY) -> None:
    body = [{"staff_no": staff_no, "time": f"{day.isoformat()}T{t}"} for t in times]
    assert hall.client.post("/api/v1/punches", json=body).json()["inserted"] == len(times)


def _march(hall: Hall) -> None:
    """SC001: 3 late mornings and one early evening (4 events); SC003: 3 late mornings."""
    hall.clock.set("09:00", date(2026, 4, 1))
    for d in range(2, 7):
        day = date(2026, 3, d)
        _day(hall, "SC001", day, ("08:35", *FULL_DAY[1:]) if d <= 4 else FULL_DAY)
        _day(hall, "SC003", day, ("08:40", *FULL_DAY[1:]) if d <= 4 else FULL_DAY)
    _day(hall, "SC001", date(2026, 3, 9), (*FULL_DAY[:3], "17:20"))
    _day(hall, "SC003", date(2026, 3, 9))


def test_days_api_shape_and_recomputation(hall: Hall) -> None:
    hall.clock.set("20:00")
    _day(hall, "SC001", date(2026, 3, 10), ("08:30:59", "11:59", "14:16", "17:30"))
    answer = hall.client.get(
        "/api/v1/attendance/days",
        params={"date_from": "2026-03-09", "date_to": "2026-03-10", "staff_no": "SC001"},
    )
    assert answer.status_code == 200
    days = answer.json()["data"]
    assert [d["date"] for d in days] == ["2026-03-09", "2026-03-10"]
    today = days[1]
    assert today["workday"] is True and today["staff_no"] == "SC001"
    slots = [(s["slot"], s["status"], s["minutes"]) for s in today["slots"]]
    assert slots == [
        ("am_in", "normal", 0),  # seconds are dropped: 08:30:59 is on time
        ("am_out", "early", 1),
        ("pm_in", "absent", 16),  # 16 minutes late is absent
        ("pm_out", "normal", 0),
    ]
    assert today["absent_days"] == 0.5 and today["status"] == "absent"
    # no punch at all on the 9th: 缺卡 (a make-up can mend it), a whole day absent until then
    assert (days[0]["status"], days[0]["absent_days"]) == ("missing", 1.0)
    weekend = hall.client.get(
        "/api/v1/attendance/days", params={"date_from": "2026-03-14", "date_to": "2026-03-14"}
    ).json()["data"]
    assert {d["status"] for d in weekend} == {"off"} and not weekend[0]["workday"]
    assert (
        hall.client.get(
            "/api/v1/attendance/days", params={"date_from": "2026-03-10", "date_to": "2026-03-01"}
        ).status_code
        == 422
    )


def test_month_json_csv_xlsx(hall: Hall) -> None:
    _march(hall)
    answer = hall.client.get("/api/v1/attendance/months/2026-03")
    assert answer.status_code == 200
    rows = {r["staff_no"]: r for r in answer.json()["data"]}
    first = rows["SC001"]
    for key in ("staff_no", "name", "unit", "late", "early", "off_post", "missing",
                "absent_days", "leave_days", "score", "grade", "flags", "escalation"):  # fmt: skip
        assert key in first
    assert (first["late"], first["early"], first["name"]) == (3, 1, "王芳")
    assert first["flags"] == ["return_to_unit"]  # 4 events reach the threshold
    assert rows["SC003"]["late"] == 3 and "return_to_unit" in rows["SC003"]["flags"]  # absences
    assert first["escalation"][0]["code"] == "self_criticism"
    third_late = [s for s in first["escalation"] if s["kind"] == "late"][2]
    assert third_late["occurrence"] == 3 and third_late["code"] == "target_bonus_half_withheld"

    text = hall.client.get("/api/v1/attendance/months/2026-03", params={"format": "csv"}).text
    parsed = {r["staff_no"]: r for r in csv.DictReader(io.StringIO(text))}
    assert parsed["SC001"]["late"] == "3" and parsed["SC001"]["flags"] == "return_to_unit"
    assert parsed["SC001"]["score"] == str(first["score"])

    xlsx = hall.client.get("/api/v1/attendance/months/2026-03", params={"format": "xlsx"})
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "月度考勤表" in str(values[0][0])
    header = values[1]
    assert header[:4] == ["工号", "姓名", "单位", "1"] and "迟到(次)" in header
    line = next(v for v in values if v[0] == "SC001")
    assert line[header.index("2")] == "迟" and line[header.index("5")] == "√"
    assert line[header.index("9")] == "早" and line[header.index("7")] in ("", None)  # Saturday
    assert line[header.index("迟到(次)")] == 3
    assert any(v[0] == "图例" for v in values) and any(v[:2] == ["旷", "旷工"] for v in values)
    assert hall.client.get("/api/v1/attendance/months/2026-13").status_code == 422


def test_duty_record_and_signature(hall: Hall) -> None:
    hall.clock.set("18:00")
    _day(hall, "SC001", date(2026, 3, 10), ("08:40", *FULL_DAY[1:]))
    record = hall.client.get("/api/v1/attendance/duty/2026-03-10").json()
    assert record["unsigned"] is True and record["flagged_unsigned"] is False  # still today
    kinds = {(v["staff_no"], v["kind"]) for v in record["violations"]}
    assert ("SC001", "late") in kinds and ("SC003", "absent") in kinds
    hall.clock.set("09:00", date(2026, 3, 11))
    assert hall.client.get("/api/v1/attendance/duty/2026-03-10").json()["flagged_unsigned"]
    refused = hall.client.post(
        "/api/v1/attendance/duty/2026-03-10/sign", json={"signed_by": "SC002"}
    )
    assert refused.status_code == 403
    signed = hall.client.post(
        "/api/v1/attendance/duty/2026-03-10/sign", json={"signed_by": "ZW003", "note": "已核"}
    )
    assert signed.status_code == 200 and signed.json()["signed_by"] == "ZW003"
    assert not signed.json()["flagged_unsigned"]
    again = hall.client.post("/api/v1/attendance/duty/2026-03-10/sign", json={"signed_by": "ZW003"})
    assert again.status_code == 409


def test_pages_in_chinese_and_english(hall: Hall) -> None:
    hall.clock.set("08:41")
    hall.punch("SC001", "08:40")
    home = hall.client.get("/").text
    assert "/attendance/board" in home and "今日考勤" in home and "月度考勤表" in home
    board = hall.client.get("/attendance/board")
    assert board.status_code == 200 and "今日考勤" in board.text
    assert "王芳" in board.text and "迟到" in board.text and "/static/attendance.js" in board.text
    english = hall.client.get("/attendance/board?lang=en").text
    assert "Today&#39;s attendance" in english and "Late" in english
    live = hall.client.get("/api/v1/attendance/board").json()
    assert live["date"] == "2026-03-10"
    mine = next(r for r in live["data"] if r["staff_no"] == "SC001")
    assert mine["status"] == "late" and mine["slots"][0]["status"] == "late"
    month = hall.client.get("/attendance/month?month=2026-03")
    assert month.status_code == 200 and "月度考勤表" in month.text and "图例" in month.text
    assert hall.client.get("/static/attendance.js").status_code == 200
    assert at("08:41") == hall.clock()
