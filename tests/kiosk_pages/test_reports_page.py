"""The report builds page (报表生成) in headless Chromium: start a month's sheet, watch its
progress reach the total, and find the file offered."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers.auth import add_account
from tests.helpers.pages import Hall


@pytest.mark.parametrize("any_engine", ["sqlite"], indirect=True)
def test_a_supervisor_builds_the_month_sheet_and_gets_the_file(hall: Hall, context: Any) -> None:
    username, password = add_account(hall.app, "jiandu", "supervisor")
    page = context.new_page()
    page.goto(f"{hall.url}/attendance/reports")  # no login yet: to the login page
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/attendance/reports")
    assert page.locator("h2").inner_text() == "报表生成"
    assert page.locator("#report-jobs tbody").inner_text() == "暂无报表"
    page.fill("#report-month", "2026-11")
    page.locator("#report-start").click()
    # The worker is a fresh interpreter: the page polls until the job is done.
    done = page.locator("#report-jobs tbody tr[data-state=done]")
    done.wait_for(timeout=90_000)
    assert "已完成" in done.inner_text() and "2026-11" in done.inner_text()
    total = page.locator(".report-progress progress").get_attribute("max")
    assert total is not None and int(total) >= 4
    assert f"{total} / {total}" in page.locator(".report-progress").inner_text()
    link = page.locator("a.report-download").get_attribute("href")
    assert link is not None
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    file = httpx.get(f"{hall.url}{link}", cookies=cookies, timeout=10)
    assert file.status_code == 200 and file.content[:2] == b"PK"  # an XLSX (a zip)
    hall.app.state.report_jobs.stop()
