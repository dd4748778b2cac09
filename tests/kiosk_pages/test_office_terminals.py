"""The terminals' office page in headless Chromium: an admin approves a new ADMS terminal that
called and waits, the terminal's punch from a PIN nobody holds shows as unmapped, the admin
maps it to a staff member and it counts for that person; window staff are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import col, select

from attendance.models import Device, Punch
from devices.adms.simulator import AdmsTerminal
from hallbase.db import read_session
from tests.helpers.auth import PASSWORD, add_account
from tests.helpers.pages import Hall, log_in, shot
from tests.helpers.queue import MONDAY_9AM
from tests.helpers.waiting import wait_until

SERIAL = "ADMS-NEW1"
PIN = "9001"  # enrolled on the terminal, held by nobody here
DAY = MONDAY_9AM.date().isoformat()


def _device(hall: Hall) -> Device | None:
    with read_session(hall.engine) as session:
        return session.exec(select(Device).where(col(Device.serial) == SERIAL)).first()


def _punches(hall: Hall) -> list[Punch]:
    with read_session(hall.engine) as session:
        return list(session.exec(select(Punch).where(col(Punch.pin) == PIN)).all())


def _slots(hall: Hall, staff_no: str) -> dict[str, Any]:
    answer = httpx.get(
        f"{hall.url}/api/v1/attendance/days",
        params={"date_from": DAY, "date_to": DAY, "staff_no": staff_no},
        headers=hall.headers,
    )
    assert answer.status_code == 200, answer.text
    (day,) = answer.json()["data"]
    return {s["slot"]: s for s in day["slots"]}


def test_an_admin_approves_a_new_terminal_and_maps_its_unknown_pin(
    hall: Hall, context: Any
) -> None:
    terminal = AdmsTerminal(hall.url, SERIAL, poll_interval=0.05, error_delay=0.1)
    terminal.add_punch(PIN, MONDAY_9AM - timedelta(minutes=35))  # 08:25
    terminal.start()
    try:
        wait_until(lambda: _device(hall) is not None)  # it called once and waits
        assert not _punches(hall)
        log_in(context, hall.url, "admin", PASSWORD)
        page = context.new_page()
        page.set_viewport_size({"width": 1366, "height": 768})
        page.goto(f"{hall.url}/office")
        page.locator('#office-pages a[href^="/office/terminals"]').click()
        row = page.locator(f'#terminals-table tr[data-key="{SERIAL}"]')
        assert "待批准" in row.inner_text()
        shot(page, "office-terminals-waiting")
        row.locator("button", has_text="批准接入").click()
        page.wait_for_function(
            f'() => !document.querySelector(\'#terminals-table tr[data-key="{SERIAL}"] '
            "button.primary')"
        )
        device = _device(hall)
        assert device is not None and device.approved
        # Approved, the terminal's next call is let in and its punch stored, held by nobody.
        wait_until(lambda: len(_punches(hall)) == 1)
        assert _punches(hall)[0].staff_no is None
        page.reload()
        row = page.locator(f'#terminals-table tr[data-key="{SERIAL}"]')
        assert "在线" in row.inner_text() and "同步人员" in row.inner_text()
        unmapped = page.locator(f'#unmapped-table tr[data-key="{PIN}"]')
        assert "2026-11-23 08:25:00" in unmapped.inner_text()
        unmapped.locator("[data-edit]").click()
        assert page.locator("#assign-form [name=pin]").input_value() == PIN
        page.locator("#assign-form [name=staff_no]").select_option("SC003")
        shot(page, "office-terminals-mapping")
        page.locator("#assign-form button[type=submit]").click()
        page.wait_for_function(
            f"() => !document.querySelector('#unmapped-table tr[data-key=\"{PIN}\"]')"
        )
    finally:
        terminal.stop()
    assert [p.staff_no for p in _punches(hall)] == ["SC003"]
    assert _slots(hall, "SC003")["am_in"]["status"] == "normal"  # it counts for 张伟


def test_window_staff_are_refused_the_terminals_page(hall: Hall, context: Any) -> None:
    add_account(hall.app, "liming", "staff", staff_no="SC002")
    log_in(context, hall.url, "liming", PASSWORD)
    page = context.new_page()
    answer = page.goto(f"{hall.url}/office/terminals")
    assert answer is not None and answer.status == 403
    assert "您的角色无权进行此操作" in page.content()
