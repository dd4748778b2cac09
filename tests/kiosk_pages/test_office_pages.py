"""The office pages (办公管理) in headless Chromium: an admin adds a service and a window and
the kiosk and the hall board show them at once; a bad form shows Chinese messages beside its
fields; window staff are refused; the staff sheet goes out and comes back in unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.helpers.auth import PASSWORD, add_account, machine_key
from tests.helpers.pages import Hall, log_in, shot

OFFICE = 1366, 768  # the office's screens
PAGES = ("", "/windows", "/services", "/staff", "/units", "/schedules", "/calendar",
         "/terminals", "/accounts", "/keys", "/audit")  # fmt: skip


def office_page(context: Any) -> Any:
    page = context.new_page()
    page.set_viewport_size({"width": OFFICE[0], "height": OFFICE[1]})
    return page


def fill(page: Any, form: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"#{form} [name='{name}']")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def errors_of(page: Any, form: str) -> list[str]:
    box = page.locator(f"#{form} .form-errors")
    box.wait_for(state="visible")
    texts: list[str] = box.locator("li").all_inner_texts()
    return texts


def test_a_window_added_on_its_page_shows_on_the_kiosk_and_the_board(
    hall: Hall, context: Any
) -> None:
    log_in(context, hall.url, "admin", PASSWORD)
    page = office_page(context)
    page.goto(f"{hall.url}/office/services")
    service = {"code": "passport", "prefix": "P", "name": "出入境证件", "group": "公安"}
    fill(page, "service-form", {**service, "documents": "本人身份证原件\n户口簿"})
    page.locator("#service-form button[type=submit]").click()
    page.locator('#services-table tr[data-key="passport"]').wait_for()
    assert "户口簿" in page.locator('#services-table tr[data-key="passport"]').inner_text()

    page.goto(f"{hall.url}/office/windows")
    form = {"number": "20", "name": "出入境窗口", "services": "passport, household",
            "a_post": "GA001", "b_post": "GA002"}  # fmt: skip
    fill(page, "window-form", form)
    shot(page, "office-window-form")
    page.locator("#window-form button[type=submit]").click()
    row = page.locator('#windows-table tr[data-key="20"]')
    row.wait_for()
    assert "出入境证件" in row.inner_text() and "GA002" in row.inner_text()
    shot(page, "office-windows")

    kiosk = context.new_page()
    kiosk.goto(f"{hall.url}/kiosk?key={machine_key(hall.app, 'kiosk')}")
    button = kiosk.locator('[data-service="passport"]')
    assert "出入境证件" in button.inner_text()
    button.click()
    kiosk.locator("#screen-ticket").wait_for(state="visible")
    assert kiosk.locator("#ticket-code").inner_text() == "P001"
    assert kiosk.locator("#ticket-docs li").all_inner_texts() == ["本人身份证原件", "户口簿"]

    board = context.new_page()
    board.goto(f"{hall.url}/board")
    card = board.locator('.window-card[data-window="20"]')
    card.wait_for()
    called = httpx.post(f"{hall.url}/api/v1/windows/20/call-next", headers=hall.headers)
    assert called.status_code == 200, called.text
    board.wait_for_function(
        "() => document.querySelector('.window-card[data-window=\"20\"] .window-ticket')"
        ".textContent === 'P001'"
    )


def test_a_bad_window_form_shows_chinese_messages_by_its_fields(hall: Hall, context: Any) -> None:
    log_in(context, hall.url, "admin", PASSWORD)
    page = office_page(context)
    page.goto(f"{hall.url}/office/windows")
    fill(page, "window-form", {"number": "1", "name": "重复窗口", "services": "consult",
                               "a_post": "ZW004"})  # fmt: skip
    page.locator("#window-form button[type=submit]").click()
    assert errors_of(page, "window-form") == ["窗口号：1号窗口已存在"]
    number = page.locator('#window-form [data-field="number"]')
    assert number.locator(".field-error").inner_text() == "1号窗口已存在"
    shot(page, "office-window-duplicate")
    fill(page, "window-form", {"number": "十", "name": "", "services": "nope"})
    page.locator("#window-form button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#window-form .form-errors li').length === 2"
    )
    assert sorted(errors_of(page, "window-form")) == sorted(["窗口号：须为整数", "名称：必须填写"])
    shot(page, "office-window-errors")
    fill(page, "window-form", {"number": "21", "name": "新窗口"})
    page.locator("#window-form button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelector('#window-form .form-errors li')?.textContent"
        ".startsWith('办理事项')"
    )
    assert errors_of(page, "window-form") == ["办理事项：没有代码为nope的办理事项"]
    # An edit: the number stays, the B post must be another person.
    page.locator('#windows-table tr[data-key="1"] [data-edit]').click()
    assert page.locator("#window-form [name=number]").is_disabled()
    page.locator("#window-form [name=b_post]").select_option("SC001")
    page.locator("#window-form button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelector('#window-form .form-errors li')?.textContent"
        ".startsWith('B岗')"
    )
    assert errors_of(page, "window-form") == ["B岗：B岗须为另一人"]
    windows = httpx.get(f"{hall.url}/api/v1/windows", headers=hall.headers).json()
    assert [w["number"] for w in windows["data"]] == list(range(1, 9))  # nothing saved


def test_window_staff_cannot_open_the_office_pages(hall: Hall, context: Any) -> None:
    add_account(hall.app, "liming", "staff", staff_no="SC002")
    log_in(context, hall.url, "liming", PASSWORD)
    page = office_page(context)
    for path in PAGES:
        answer = page.goto(f"{hall.url}/office{path}")
        assert answer.status == 403, path
        assert "您的角色无权进行此操作" in page.content()
    shot(page, "office-refused-staff")
    home = page.goto(f"{hall.url}/")
    assert home.status == 200 and page.locator('a[href^="/office"]').count() == 0


def test_staff_export_then_import_round_trips(hall: Hall, context: Any, tmp_path: Path) -> None:
    log_in(context, hall.url, "admin", PASSWORD)
    page = office_page(context)
    page.goto(f"{hall.url}/office/staff")
    before = httpx.get(f"{hall.url}/api/v1/staff", headers=hall.headers).json()["data"]
    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    sheet = tmp_path / "staff.xlsx"
    download.value.save_as(sheet)
    page.locator("#staff-import input[type=file]").set_input_files(sheet)
    page.locator("#staff-import button[type=submit]").click()
    summary = page.locator("#import-summary")
    summary.wait_for()
    assert summary.inner_text() == f"staff.xlsx：新增0人，更新{len(before)}人，未导入0行"
    shot(page, "office-staff-imported")
    after = httpx.get(f"{hall.url}/api/v1/staff", headers=hall.headers).json()["data"]
    assert after == before


def test_every_office_page_at_the_offices_screen_size(hall: Hall, context: Any) -> None:
    log_in(context, hall.url, "admin", PASSWORD)
    page = office_page(context)
    for path in PAGES:
        answer = page.goto(f"{hall.url}/office{path}")
        assert answer.status == 200, path
        assert page.locator("#page-title").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= OFFICE[0], f"{path} is {width}px wide"
        shot(page, f"office{path.replace('/', '-') or '-index'}")
    page.goto(f"{hall.url}/office/windows?lang=en")
    assert page.locator("#page-title").inner_text() == "Windows"
    shot(page, "office-windows-en")
