"""The duty chief's page (值班记录) in headless Chromium: review a day, see it flagged, sign it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers.auth import add_account, admin_headers
from tests.helpers.pages import Hall, shot

DAY = "2026-11-23"  # the fixture's Monday


def _punch(hall: Hall, admin: dict[str, str], staff_no: str, hhmm: str) -> None:
    body = [{"staff_no": staff_no, "time": f"{DAY}T{hhmm}"}]
    answer = httpx.post(f"{hall.url}/api/v1/punches", json=body, headers=admin, timeout=10)
    assert answer.status_code == 200 and answer.json()["inserted"] == 1, answer.text


def test_duty_chief_reviews_and_signs_a_past_day(hall: Hall, context: Any) -> None:
    admin = admin_headers(hall.app)
    _punch(hall, admin, "SC001", "08:40")  # ten minutes late
    _punch(hall, admin, "SC002", "08:20")
    hall.clock.advance(minutes=24 * 60)  # Tuesday 09:00: Monday is past and not signed
    # The duty chief (吴丽娟, ZW003) logs in through the login page; they sign as themselves.
    username, password = add_account(hall.app, "wulj", "duty_chief", staff_no="ZW003")
    page = context.new_page()
    page.goto(f"{hall.url}/attendance/duty?day={DAY}")  # no login yet: to the login page
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"**/attendance/duty?day={DAY}")
    page.goto(f"{hall.url}/attendance/duty?day={DAY}")
    assert page.locator("h2").inner_text().startswith("值班记录")
    assert page.locator("#duty-flag").inner_text() == "该日已过，值班记录仍未签字"
    assert DAY in page.locator("#duty-unsigned").inner_text()
    presence = page.locator("#duty-presence").inner_text()
    assert "王芳" in presence and "李明" in presence and "SC001" not in presence
    late = page.locator("#duty-violations tr", has_text="迟到").all_inner_texts()
    assert len(late) == 1 and "王芳" in late[0] and "上午签到" in late[0] and "08:40" in late[0]
    # A second tab with the same form: it will find the day already signed.
    other = context.new_page()
    other.goto(f"{hall.url}/attendance/duty?day={DAY}")
    assert "吴丽娟" in page.locator("#duty-signer").inner_text()
    page.fill("#duty-note", "已核对，王芳迟到已登记")
    shot(page, "duty-record")
    page.locator("#duty-sign button[type=submit]").click()
    page.locator("#duty-signed").wait_for()
    signed = page.locator("#duty-signed").inner_text()
    assert "吴丽娟" in signed and "已核对，王芳迟到已登记" in signed
    assert page.locator("#duty-flag").count() == 0
    assert DAY not in (page.locator("#duty-unsigned").all_inner_texts() or [""])[0]
    other.locator("#duty-sign button[type=submit]").click()
    other.wait_for_function("() => !document.getElementById('duty-message').hidden")
    assert other.locator("#duty-message").inner_text() == f"未能签字：{DAY}的值班记录已签字"
    english = context.new_page()
    english.goto(f"{hall.url}/attendance/duty?day={DAY}&lang=en")
    assert english.locator("h2").inner_text().startswith("Duty record")
    assert "Signed" in english.locator("#duty-signed").inner_text()
    record = httpx.get(f"{hall.url}/api/v1/attendance/duty/{DAY}", headers=admin, timeout=10).json()
    assert record["signed_by"] == "ZW003" and record["flagged_unsigned"] is False
