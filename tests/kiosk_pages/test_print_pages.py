"""Print states where staff look, in headless Chromium: the kiosk's service page and the
window console show whether a ticket came out, and print it again; against the printer
simulator on a real socket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from hallbase.settings import Settings
from hallkeeper.app import create_app
from kiosk.hardware.coordinator import install_queue_devices
from tests.helpers.auth import PASSWORD, add_account, machine_key
from tests.helpers.live_server import live_server
from tests.helpers.pages import log_in, shot
from tests.helpers.queue import MONDAY_9AM, Clock
from tests.helpers.queue_devices import devices_section, simulators


def test_service_page_and_console_show_print_state_and_reprint(
    browser: Any, any_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    with simulators(tmp_path / "sims") as sims:
        printer = sims.printer
        printer.set_state(paper="out")
        app = create_app(settings, engine=any_engine, clock=Clock(MONDAY_9AM))
        install_queue_devices(app, devices_section(sims, printer_retry_s=0.2))
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        context.set_default_timeout(10_000)
        try:
            with live_server(app) as url:
                kiosk = {"X-Hall-Key": machine_key(app, "kiosk")}
                taken = httpx.post(
                    f"{url}/api/v1/tickets", json={"service": "consult"}, headers=kiosk
                )
                assert taken.status_code == 201, taken.text
                add_account(app, "duty", "duty_chief")
                log_in(context, url, "duty", PASSWORD)
                page = context.new_page()
                page.goto(f"{url}/kiosk/service")
                row = page.locator('tr[data-ticket="1"]')
                row.locator(".badge.print-waiting").wait_for()
                assert "待打印（缺纸）" in row.inner_text()
                assert "缺纸" in page.locator("#printer-state").inner_text()
                shot(page, "kiosk-service-waiting")

                printer.set_state(paper="ok")  # the page follows the events
                row.locator(".badge.print-printed").wait_for()
                assert printer.wait_for_cuts(1, timeout=15) and "Z001" in printer.jobs[0]
                page.locator('[data-reprint="1"]').click()
                page.wait_for_function(
                    "() => document.getElementById('message').textContent.includes('Z001')"
                )
                assert "Z001号已送去补打" in page.locator("#message").inner_text()
                assert printer.wait_for_cuts(2, timeout=15) and "Z001" in printer.jobs[1]
                page.locator('tr[data-ticket="1"] .badge.print-printed').wait_for()
                shot(page, "kiosk-service-printed")

                # Window 8's staff member calls the ticket and prints it once more.
                add_account(app, "hu", "staff", staff_no="ZW004")
                staff = browser.new_context(viewport={"width": 1920, "height": 1080})
                staff.set_default_timeout(10_000)
                try:
                    log_in(staff, url, "hu", PASSWORD)
                    console = staff.new_page()
                    console.goto(f"{url}/console/8")
                    console.locator('[data-act="call-next"]').click()
                    console.locator(".current-print .badge.print-printed").wait_for()
                    assert "已打印" in console.locator(".current-print").inner_text()
                    console.locator("#reprint").click()
                    assert printer.wait_for_cuts(3, timeout=15) and "Z001" in printer.jobs[2]
                    shot(console, "console-print-state")
                finally:
                    staff.close()
        finally:
            context.close()
