"""The phone pages in headless Chromium at 390x844: my attendance (我的考勤), the approvals
inbox (待我审批) and the duty record (值班记录), each as the person it is for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from hallbase.settings import REPO_CONFIG, load_settings
from hallkeeper.app import create_app
from tests.helpers.auth import PASSWORD, add_account, admin_headers, api_token
from tests.helpers.live_server import live_server
from tests.helpers.pages import Hall, log_in, shot
from tests.helpers.phone import phone
from tests.helpers.queue import MONDAY_9AM, Clock

DAY = "2026-11-23"  # the clock's Monday
LIMIT = 2  # make-ups a month, in this hall


@pytest.fixture
def hall(any_engine: Engine, tmp_path: Path) -> Iterator[Hall]:
    """The shipped hall with `makeup_monthly_limit = 2`, served over HTTP."""
    text = REPO_CONFIG.read_text(encoding="utf-8").replace(
        "[attendance]\n", f"[attendance]\nmakeup_monthly_limit = {LIMIT}\n", 1
    )
    config = tmp_path / "hall.toml"
    config.write_text(text, encoding="utf-8")
    settings = load_settings(config=config, data_dir=tmp_path, database_url="", mqtt_url="")
    clock = Clock(MONDAY_9AM)
    app = create_app(settings, engine=any_engine, clock=clock)
    with live_server(app) as url:
        yield Hall(app, url, clock, any_engine, admin_headers(app))


def _punch(hall: Hall, staff_no: str, day: str, hhmm: str) -> None:
    body = [{"staff_no": staff_no, "time": f"{day}T{hhmm}"}]
    answer = httpx.post(f"{hall.url}/api/v1/punches", json=body, headers=hall.headers, timeout=10)
    assert answer.status_code == 200 and answer.json()["inserted"] == 1, answer.text


def _person(hall: Hall, browser: Any, username: str, grant: str, staff_no: str) -> Any:
    """A phone logged in as a new account ``username`` of 工号 ``staff_no``."""
    name, password = add_account(hall.app, username, grant, staff_no=staff_no)
    return phone(browser, hall.url, name, password)


def test_staff_files_half_a_day_the_lead_approves_it_and_the_day_shows_leave(
    hall: Hall, browser: Any
) -> None:
    _punch(hall, "SC002", DAY, "08:20")
    liming = _person(hall, browser, "liming", "staff", "SC002")
    page = liming.new_page()
    page.goto(f"{hall.url}/attendance/me")
    assert page.locator("h2").inner_text() == "我的考勤"
    assert "李明" in page.locator("#who").inner_text()
    am_in = page.locator("#today-slots li[data-slot=am_in]")
    assert "08:20" in am_in.inner_text() and "正常" in am_in.inner_text()
    page.locator("#today-updated").filter(has_not_text="—").wait_for()  # polled live
    shot(page, "phone-self-today")
    # Half a day, this afternoon: the rules' check names the approver before submitting.
    form = page.locator("#leave-form")
    form.locator("select[name=start_half]").select_option("pm")
    form.locator("input[name=reason]").fill("下午去医院复查")
    check = form.locator(".check.ok")
    check.filter(has_text="窗口负责人").wait_for()
    assert "0.5" in check.inner_text() and "无需另行安排顶岗" in check.inner_text()
    shot(page, "phone-self-leave-check")
    form.locator("button[type=submit]").click()
    page.locator("#requests li.item").first.wait_for()
    item = page.locator("#requests li.item").first
    assert "事假" in item.inner_text() and "待审批" in item.inner_text()
    assert "需窗口负责人审批" in item.inner_text()

    # The window lead (王芳, SC001, unit SCJ) finds it in the inbox with 李明's month so far.
    wangfang = _person(hall, browser, "wangfang", "window_lead:unit:SCJ", "SC001")
    inbox = wangfang.new_page()
    inbox.goto(f"{hall.url}/attendance/approvals")
    assert inbox.locator("h2").inner_text().startswith("待我审批")
    waiting = inbox.locator("#waiting li.item")
    assert waiting.count() == 1
    assert "李明" in waiting.inner_text() and "本月至今" in waiting.inner_text()
    shot(inbox, "phone-approvals")
    waiting.locator("input[name=reason]").fill("同意，注意交接")
    waiting.locator("button.approve").click()
    inbox.locator("#waiting-none").wait_for()
    decided = inbox.locator("#decided li.item").first.inner_text()
    assert "已批准" in decided and "同意，注意交接" in decided
    shot(inbox, "phone-approvals-decided")

    # The morning is worked, the afternoon is leave: by the evening the day shows 假.
    hall.clock.advance(minutes=3 * 60 + 5)  # 12:05
    _punch(hall, "SC002", DAY, "12:01")
    hall.clock.advance(minutes=6 * 60)  # 18:05, every slot decided
    log_in(liming, hall.url, "liming", PASSWORD)  # hours later: the session ended, idle
    page.reload()
    today = page.locator("#month-cells .is-today")
    assert today.locator("b").inner_text() == "假"
    assert page.locator("#today-status").inner_text() == "请假"
    pm_out = page.locator("#today-slots li[data-slot=pm_out]").inner_text()
    assert "请假" in pm_out
    item = page.locator("#requests li.item").first.inner_text()
    assert "已批准" in item and "王芳" in item and "同意，注意交接" in item
    page.locator("#today").scroll_into_view_if_needed()
    shot(page, "phone-self-leave-approved")
    page.locator("#month").scroll_into_view_if_needed()
    shot(page, "phone-self-month")
    liming.close()
    wangfang.close()


def test_a_make_up_over_the_months_limit_is_refused_with_the_reason(
    hall: Hall, browser: Any
) -> None:
    liming = _person(hall, browser, "liming", "staff", "SC002")
    staff = {"Authorization": f"Bearer {api_token(hall.app, 'liming')}"}
    for day in ("2026-11-16", "2026-11-17"):  # the month's two
        body = {"date": day, "slot": "am_in", "reason": "指纹未识别"}
        answer = httpx.post(
            f"{hall.url}/api/v1/attendance/makeups", json=body, headers=staff, timeout=10
        )
        assert answer.status_code == 201, answer.text
    page = liming.new_page()
    page.goto(f"{hall.url}/attendance/me")
    page.locator("#makeup summary").click()
    assert page.locator("#makeup-count").inner_text() == "本月已补卡2次，每月最多2次"
    form = page.locator("#makeup-form")
    form.locator("input[name=date]").fill("2026-11-20")
    form.locator("select[name=slot]").select_option("pm_in")
    form.locator("input[name=reason]").fill("考勤机故障")
    reason = "李明2026-11已有2次补卡，每月最多2次"
    form.locator(".check.refused").filter(has_text=reason).wait_for()  # before submitting
    form.locator("button[type=submit]").click()
    message = form.locator(".message")
    message.wait_for()
    assert message.inner_text() == f"未能完成：{reason}"
    shot(page, "phone-self-makeup-refused")
    listed = httpx.get(f"{hall.url}/api/v1/attendance/makeups", headers=staff, timeout=10)
    assert listed.json()["count"] == LIMIT  # nothing filed
    liming.close()


def test_the_duty_chief_signs_a_day_on_a_phone(hall: Hall, browser: Any) -> None:
    _punch(hall, "SC001", DAY, "08:40")  # ten minutes late
    _punch(hall, "SC002", DAY, "08:20")
    hall.clock.advance(minutes=24 * 60)  # Tuesday: Monday is past and unsigned
    chief = _person(hall, browser, "wulj", "duty_chief", "ZW003")
    page = chief.new_page()
    page.goto(f"{hall.url}/attendance/duty?day={DAY}")
    assert page.locator("#duty-flag").is_visible()
    assert page.locator("#duty-counts").is_visible()
    late = page.locator("#duty-violations tr", has_text="迟到").inner_text()
    assert "王芳" in late and "08:40" in late
    assert page.locator("#duty-next").is_visible() and page.locator("#duty-prev").is_visible()
    page.fill("#duty-note", "王芳迟到已登记")
    shot(page, "phone-duty")
    page.locator("#duty-sign button[type=submit]").click()
    page.locator("#duty-signed").wait_for()
    assert "吴丽娟" in page.locator("#duty-signed").inner_text()
    assert page.locator("#duty-flag").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing runs off the phone's screen
    shot(page, "phone-duty-signed")
    chief.close()


def test_staff_cannot_see_another_persons_record(hall: Hall, browser: Any) -> None:
    liming = _person(hall, browser, "liming", "staff", "SC002")
    page = liming.new_page()
    own = page.goto(f"{hall.url}/attendance/people/SC002")
    assert own is not None and own.status == 200
    other = page.goto(f"{hall.url}/attendance/people/SC001")
    assert other is not None and other.status == 403
    assert "超出您的管理范围" in page.locator("body").inner_text()
    days = liming.request.get(
        f"{hall.url}/api/v1/attendance/days?date_from={DAY}&date_to={DAY}&staff_no=SC001"
    )
    assert days.status == 403
    inbox = page.goto(f"{hall.url}/attendance/approvals")
    assert inbox is not None and inbox.status == 403
    page.goto(f"{hall.url}/")
    assert page.locator("a[href^='/attendance/me']").count() == 1
    assert page.locator("a[href^='/attendance/approvals']").count() == 0
    shot(page, "phone-home-staff")
    liming.close()
