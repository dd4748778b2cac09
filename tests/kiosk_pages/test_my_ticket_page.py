"""The citizen's ticket page on a phone (390x844, no login), opened from the ticket's QR code:
place in the queue, estimated wait and documents, then the window once called, live; nothing
about anyone else's ticket."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers.pages import Hall, shot
from tests.helpers.phone import citizen_phone


def api(hall: Hall, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    url = f"{hall.url}/api/v1{path}"
    response = httpx.request(method, url, json=body, headers=hall.headers, timeout=10)
    assert response.is_success, response.text
    return response.json()


def test_the_phone_shows_place_wait_documents_then_the_window(hall: Hall, browser: Any) -> None:
    other = api(hall, "POST", "/tickets", {"service": "social_security"})
    mine = api(hall, "POST", "/tickets", {"service": "social_security"})
    phone = citizen_phone(browser)
    try:
        page = phone.new_page()
        page.goto(f"{hall.url}/my-ticket/{mine['public_token']}")
        page.locator("#mine-code").filter(has_text=mine["code"]).wait_for()
        assert "社保业务" in page.locator("#mine-service").inner_text()
        page.locator("#mine-ahead").filter(has_text="您前面还有1人").wait_for()
        assert "预计等候" in page.locator("#mine-wait").inner_text()
        documents = page.locator("#mine-documents li").all_inner_texts()
        assert documents and "社会保障卡" in " ".join(documents)
        assert page.locator("#mine-call").is_hidden()
        shot(page, "phone-my-ticket-waiting")
        seen = page.locator("body").inner_text()
        assert other["code"] not in seen and other["public_token"] not in page.content()

        # The ticket ahead is called: the page moves up by itself, still naming no one else.
        api(hall, "POST", "/windows/3/call-next")
        page.locator("#mine-ahead").filter(has_text="下一位就是您").wait_for()
        assert other["code"] not in page.locator("body").inner_text()
        api(hall, "POST", "/windows/3/start")
        api(hall, "POST", "/windows/3/finish", {"outcome": "done"})

        # Its own call: the window, without reloading the page.
        api(hall, "POST", "/windows/3/call-next")
        page.locator("#mine-call").filter(has_text="请到 3 号窗口办理").wait_for()
        assert page.locator("#mine-queue").is_hidden()
        shot(page, "phone-my-ticket-called")
        assert other["code"] not in page.locator("body").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width} px wide on a 390 px phone"
    finally:
        phone.close()


def test_an_unknown_token_shows_no_ticket(hall: Hall, browser: Any) -> None:
    api(hall, "POST", "/tickets", {"service": "social_security"})
    phone = citizen_phone(browser)
    try:
        page = phone.new_page()
        page.goto(f"{hall.url}/my-ticket/{'x' * 24}")
        page.locator("#mine-missing").wait_for()
        assert page.locator("#mine").is_hidden()
        assert "C001" not in page.locator("body").inner_text()
    finally:
        phone.close()
