"""Days and month reports (JSON, CSV, XLSX), the duty record, and the two pages."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from attendance import pages
from tests.helpers.attendance import Hall, at
from tests.helpers.auth import as_staff

FULL_DAY = ("08:25", "12:03", "13:55", "17:35")
MONTH = "/api/v1/attendance/months/2026-03"


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
    parsed = {r["工号"]: r for r in csv.DictReader(io.StringIO(text))}
    assert parsed["SC001"]["迟到(次)"] == "3" and parsed["SC001"]["处理"] == "退回原单位"
    assert parsed["SC001"]["得分"] == str(first["score"]) and parsed["SC001"]["2"] == "迟"

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
    assert next(csv.reader(io.StringIO(text))) == header  # the CSV has the sheet's columns
    assert hall.client.get("/api/v1/attendance/months/2026-13").status_code == 422


def test_month_sheet_is_ready_to_print_and_sign(hall: Hall) -> None:
    _march(hall)
    _day(hall, "SC002", date(2026, 3, 11), ("08:50", *FULL_DAY[1:]))  # the morning absent
    _day(hall, "SC002", date(2026, 3, 10))
    _day(hall, "SC002", date(2026, 3, 12), ("08:50", "12:03", "14:50", "17:35"))  # both halves
    xlsx = hall.client.get("/api/v1/attendance/months/2026-03", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[1]
    sc002 = next(v for v in values if v[0] == "SC002")
    assert sc002[header.index("11")] == "半旷" and sc002[header.index("12")] == "旷"
    assert sc002[header.index("13")] == "缺"  # no punch at all: missing, which a make-up can fix
    assert sc002[header.index("10")] == "√"
    assert sc002[header.index("半天旷工(次)")] == 1
    assert sc002[header.index("全天旷工(天)")] >= 1
    assert any(v[:2] == ["半旷", "旷工半天"] for v in values)
    sc001 = next(v for v in values if v[0] == "SC001")
    steps = sc001[header.index("违纪处理(逐次)")]
    assert "3月2日 迟到第1次：书面检讨" in steps
    assert "3月4日 迟到第3次：扣发全年目标考核奖50%" in steps
    signed = [str(c).split("：")[0] for v in values for c in v if c and "____" in str(c)]
    assert signed == ["制表", "审核", "值班长", "日期"]
    # Printed on A4 landscape, one page wide, with the title and column titles on every page.
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == str(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$1:$2"
    page = hall.client.get("/attendance/month?month=2026-03").text
    assert "半旷" in page and "旷工半天" in page


def test_duty_record_and_signature(hall: Hall) -> None:
    hall.clock.set("18:00")
    _day(hall, "SC001", date(2026, 3, 10), ("08:40", *FULL_DAY[1:]))
    record = hall.client.get("/api/v1/attendance/duty/2026-03-10").json()
    assert record["unsigned"] is True and record["flagged_unsigned"] is False  # still today
    kinds = {(v["staff_no"], v["kind"]) for v in record["violations"]}
    assert ("SC001", "late") in kinds and ("SC003", "absent") in kinds
    hall.clock.set("09:00", date(2026, 3, 11))
    assert hall.client.get("/api/v1/attendance/duty/2026-03-10").json()["flagged_unsigned"]
    url = "/api/v1/attendance/duty/2026-03-10/sign"
    chief = as_staff(hall.client.app, "ZW003")  # the duty chief signs as themselves
    staff = hall.client.post(url, json={}, headers=as_staff(hall.client.app, "SC002"))
    assert staff.status_code == 403 and staff.json()["code"] == "forbidden"
    refused = hall.client.post(url, json={"signed_by": "ZW001"}, headers=chief)
    assert refused.status_code == 403 and refused.json()["code"] == "duty_not_a_signer"
    signed = hall.client.post(url, json={"note": "已核"}, headers=chief)
    assert signed.status_code == 200 and signed.json()["signed_by"] == "ZW003"
    assert not signed.json()["flagged_unsigned"]
    again = hall.client.post(url, json={"signed_by": "ZW003"}, headers=chief)
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


def test_the_month_page_shows_a_page_of_people_at_a_time(
    hall: Hall, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A city's month on screen would be a million cells: the page holds a page of people,
    with the pager and a unit filter; the download holds everyone."""
    monkeypatch.setattr(pages, "MONTH_PAGE_PEOPLE", 2)
    _march(hall)

    def rows(query: str) -> list[str]:
        text = hall.client.get(f"/attendance/month?month=2026-03{query}").text
        return re.findall(r"<tr>\s*<td>([A-Z]{2}\d{3})</td>", text)

    first = hall.client.get("/attendance/month?month=2026-03").text
    everyone = sorted(r["staff_no"] for r in hall.client.get(MONTH).json()["data"])
    pages_count = -(-len(everyone) // 2)
    assert f"第 1 / {pages_count} 页，共 {len(everyone)} 人" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    seen = [no for p in range(1, pages_count + 1) for no in rows(f"&page={p}")]
    assert seen == everyone  # every person once, in staff order
    assert rows("&unit=SCJ") == ["SC001", "SC002"] and rows("&unit=SCJ&page=2") == ["SC003"]
    assert rows(f"&page={pages_count + 5}") == rows(f"&page={pages_count}")  # past the end
    assert hall.client.get("/attendance/month?month=2026-03&page=0").status_code == 422
    english = hall.client.get("/attendance/month?month=2026-03&unit=SCJ&lang=en").text
    assert "Page 1 of 2, 3 people" in english
