"""The hall's pages in headless Chromium: kiosk, window console, hall board, rating pad and
supervisor dashboard, against the real app on uvicorn."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, select

from hallbase.hallconfig.queue_devices import QueueDevicesSection
from hallbase.settings import Settings
from hallkeeper.app import create_app
from kiosk.hardware.coordinator import install_queue_devices
from kiosk.hardware.simulated import start_simulators
from kiosk.models import Rating, Ticket
from tests.helpers.auth import PASSWORD, add_account, machine_key
from tests.helpers.live_server import live_server
from tests.helpers.pages import Hall, log_in, shot
from tests.helpers.queue import MONDAY_9AM, Clock


def api(hall: Hall, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    url = f"{hall.url}/api/v1{path}"
    response = httpx.request(method, url, json=body, headers=hall.headers, timeout=10)
    assert response.is_success, response.text
    return response.json()


def as_person(hall: Hall, context: Any, username: str, *grants: str, staff_no: str = "") -> None:
    """Log ``context`` in as a new account with ``grants``."""
    add_account(hall.app, username, *grants, staff_no=staff_no or None)
    log_in(context, hall.url, username, PASSWORD)


def test_kiosk_takes_a_ticket_by_touch(hall: Hall, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{hall.url}/kiosk?key={machine_key(hall.app, 'kiosk')}")  # opened by its key
    assert page.locator("h2#start-prompt").inner_text() == "请选择办理事项"
    button = page.locator('[data-service="social_security"]')
    assert "社保业务" in button.inner_text()
    shot(page, "kiosk-start")
    button.tap()
    page.locator("#screen-ticket").wait_for(state="visible")
    assert page.locator("#ticket-code").inner_text() == "C001"
    assert page.locator("#ticket-service").inner_text() == "社保业务"
    assert page.locator("#ticket-ahead").inner_text() == "您前面还有0人"
    assert "预计等候" in page.locator("#ticket-wait").inner_text()
    assert page.locator("#ticket-docs li").all_inner_texts() == ["本人身份证原件", "社会保障卡"]
    shot(page, "kiosk-ticket")
    assert api(hall, "GET", "/tickets/1")["code"] == "C001"

    # The next citizen: the kiosk is back at the start, and the waiting count has moved on.
    page.locator("#screen-ticket [data-home]").tap()
    page.locator("#screen-start").wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('[data-service=social_security] .service-waiting')"
        ".textContent.includes('1')"
    )
    # The priority lane: choose a reason, then the service.
    page.locator("#btn-priority").tap()
    page.locator('[data-reason="elderly"]').tap()
    assert "老年人" in page.locator("#start-prompt").inner_text()
    page.locator('[data-service="social_security"]').tap()
    page.locator("#screen-ticket").wait_for(state="visible")
    assert page.locator("#ticket-code").inner_text() == "C002"
    assert page.locator("#ticket-channel").inner_text() == "绿色通道"
    assert page.locator("#ticket-ahead").inner_text() == "您前面还有0人"  # served first


def test_kiosk_appointment_check_in_with_on_screen_keypad(hall: Hall, context: Any) -> None:
    start = hall.clock.now.replace(minute=0)
    slot = api(
        hall,
        "POST",
        "/appointment-slots",
        {
            "service": "housing_fund",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "capacity": 2,
        },
    )
    booking = api(hall, "POST", "/appointments", {"slot_id": slot["id"], "name": "张三"})
    page = context.new_page()
    page.goto(f"{hall.url}/kiosk?key={machine_key(hall.app, 'kiosk')}")
    page.locator("#btn-check-in").tap()
    page.locator("#screen-check-in").wait_for(state="visible")
    for digit in "1234":
        page.locator(f'#keypad [data-key="{digit}"]').tap()
    page.locator('#keypad [data-key="del"]').tap()
    assert page.locator("#entry").inner_text() == "123"
    assert page.locator("#btn-confirm").is_disabled()
    page.locator('#keypad [data-key="clear"]').tap()
    for digit in booking["code"]:
        page.locator(f'#keypad [data-key="{digit}"]').tap()
    code = booking["code"]
    assert page.locator("#entry").inner_text() == " ".join(code[i : i + 4] for i in range(0, 16, 4))
    shot(page, "kiosk-check-in")
    page.locator("#btn-confirm").tap()
    page.locator("#screen-ticket").wait_for(state="visible")
    assert page.locator("#ticket-code").inner_text() == "E001"
    assert page.locator("#ticket-channel").inner_text() == "预约"

    # A wrong code: a clear message, and back to the start.
    page.locator("#screen-ticket [data-home]").tap()
    page.locator("#btn-check-in").tap()
    for digit in "0" * 16:
        page.locator(f'#keypad [data-key="{digit}"]').tap()
    page.locator("#btn-confirm").tap()
    page.locator("#screen-error").wait_for(state="visible")
    assert "未找到预约" in page.locator("#error-detail").inner_text()


def test_console_call_blinks_on_the_board_and_is_spoken_one_at_a_time(
    hall: Hall, context: Any
) -> None:
    board = context.new_page()
    board.goto(f"{hall.url}/board")
    board.locator('.window-card[data-window="3"]').wait_for()
    as_person(hall, context, "rs001", "staff", staff_no="RS001")  # window 3's A post
    console = context.new_page()
    console.goto(f"{hall.url}/console/3")
    for _ in range(3):
        api(hall, "POST", "/tickets", {"service": "social_security"})
    console.locator("#waiting li[data-ticket]").nth(2).wait_for()
    assert console.locator("#waiting-count").inner_text() == "(3)"

    console.locator('[data-act="call-next"]').click()
    console.locator(".current-code").wait_for()
    assert console.locator(".current-code").inner_text() == "C001"
    card = board.locator('.window-card[data-window="3"]')
    board.wait_for_function(
        "() => document.querySelector('.window-card[data-window=\"3\"]')"
        ".classList.contains('blink')"
    )
    assert card.locator(".window-ticket").inner_text() == "C001"
    assert board.locator("#latest").inner_text() == "请C001号到3号窗口办理"
    board.wait_for_function("() => window.__spoken.length === 1")

    # Two more calls while the first is still being spoken: they wait their turn.
    api(hall, "POST", "/windows/7/call-next")
    console.locator('[data-act="recall"]').click()
    board.wait_for_function("() => window.hallSpeech.queue.length === 2")
    assert board.evaluate("window.__spoken") == ["请C001号到3号窗口办理"]
    shot(board, "board-calling")
    shot(console, "console-called")
    assert board.evaluate("window.__finishSpeech()") == "请C001号到3号窗口办理"
    board.wait_for_function("() => window.__spoken.length === 2")
    assert board.evaluate("window.__finishSpeech()") == "请C002号到7号窗口办理"
    board.wait_for_function("() => window.__spoken.length === 3")
    assert board.evaluate("window.__spoken") == [
        "请C001号到3号窗口办理",
        "请C002号到7号窗口办理",
        "请C001号到3号窗口办理（再次呼叫）",
    ]
    assert board.evaluate("[window.__overlaps, window.__cancels]") == [0, 0]
    assert board.locator('.window-card[data-window="7"] .window-ticket').inner_text() == "C002"


def test_board_keeps_a_call_that_overtakes_an_older_snapshot(hall: Hall, context: Any) -> None:
    board = context.new_page()
    board.goto(f"{hall.url}/board")
    board.locator('.window-card[data-window="3"]').wait_for()
    board.wait_for_timeout(1000)  # the start-up snapshots are in
    grid = "document.getElementById('windows')"
    before = int(board.evaluate(f"{grid}.dataset.refreshes"))
    held: list[Any] = []

    def hold_first(route: Any) -> None:
        if held:
            route.continue_()
        else:  # the snapshot as the server gives it now, answered only after the call
            held.append((route, route.fetch()))

    board.route("**/api/v1/board-live", hold_first)
    api(hall, "POST", "/tickets", {"service": "social_security"})  # the board asks for a snapshot
    for _ in range(100):
        if held:
            break
        board.wait_for_timeout(50)
    assert held, "the board did not ask for a snapshot after a ticket was issued"
    api(hall, "POST", "/windows/3/call-next")
    board.wait_for_function(
        "() => document.querySelector('.window-card[data-window=\"3\"] .window-ticket')"
        ".textContent === 'C001'"
    )
    route, stale = held[0]
    route.fulfill(response=stale)
    shown = board.wait_for_function(
        f"() => {grid}.dataset.refreshes === '{before + 1}' && "
        f"{grid}.querySelector('.window-card[data-window=\"3\"] .window-ticket').textContent"
    ).json_value()
    assert shown == "C001"


def test_console_finishes_with_documents_missing(hall: Hall, context: Any) -> None:
    api(hall, "POST", "/tickets", {"service": "real_estate"})
    as_person(hall, context, "lead6", "window_lead:window:6")
    console = context.new_page()
    console.goto(f"{hall.url}/console/6")
    console.locator("#waiting li[data-ticket]").first.wait_for()
    console.locator('[data-act="call-next"]').click()
    console.locator(".current-code").wait_for()
    console.locator('[data-act="start"]').click()
    console.wait_for_function("() => document.querySelector('.status-serving') !== null")
    console.locator('[data-open="missing-dialog"]').click()
    dialog = console.locator("#missing-dialog")
    dialog.wait_for(state="visible")
    boxes = dialog.locator("#missing-docs label")
    assert boxes.all_inner_texts() == ["不动产权证书", "买卖合同", "双方身份证原件", "完税证明"]
    dialog.locator('input[value="完税证明"]').check()
    dialog.locator("#missing-other").fill("委托书")
    shot(console, "console-missing-documents")
    dialog.locator("#missing-confirm").click()
    console.locator("#current .muted").wait_for()
    ticket = api(hall, "GET", "/tickets/1")
    assert (ticket["status"], ticket["outcome"]) == ("finished", "missing_documents")
    assert ticket["missing_documents"] == ["完税证明", "委托书"]
    assert ticket["notice"]["title"]["zh"] == "一次性告知单"
    assert console.locator("#window-state").inner_text() == "空闲"


def test_rating_pad_rates_once_and_refuses_twice(hall: Hall, context: Any) -> None:
    key = machine_key(hall.app, "rating_pad", "window:3")
    pad = context.new_page()
    pad.goto(f"{hall.url}/rate/3?key={key}")
    pad.locator("#screen-idle").wait_for(state="visible")
    ticket = api(hall, "POST", "/tickets", {"service": "social_security"})
    api(hall, "POST", "/windows/3/call-next")
    api(hall, "POST", "/windows/3/start")
    api(hall, "POST", "/windows/3/finish", {"outcome": "done"})
    pad.locator("#screen-form").wait_for(state="visible")
    assert pad.locator("#rate-code").inner_text() == "C001"
    assert pad.locator("#rate-service").inner_text() == "社保业务"
    labels = pad.locator(".rate-label").all_inner_texts()
    assert labels == ["态度", "质量", "效率", "廉洁", "总体评价"]
    scores = {"attitude": 5, "quality": 4, "efficiency": 3, "integrity": 5, "overall": 4}
    for dim, score in scores.items():
        assert pad.locator("#btn-submit").is_disabled()
        pad.locator(f'.rate-row[data-dim="{dim}"] [data-score="{score}"]').tap()
    shot(pad, "rate-form")
    pad.locator("#btn-submit").tap()
    pad.locator("#screen-thanks").wait_for(state="visible")
    assert pad.locator("#screen-thanks").inner_text() == "感谢您的评价！"

    # The same ticket again (a second pad, or the citizen coming back): refused, nothing stored.
    again = context.new_page()
    again.goto(f"{hall.url}/rate/3?ticket={ticket['id']}&key={key}")
    again.locator("#screen-form").wait_for(state="visible")
    for dim in scores:
        again.locator(f'.rate-row[data-dim="{dim}"] [data-score="1"]').tap()
    again.locator("#btn-submit").tap()
    again.locator("#screen-refused").wait_for(state="visible")
    assert "已评价" in again.locator("#refused-text").inner_text()
    shot(again, "rate-refused")
    with Session(hall.engine) as session:
        rows = session.exec(select(Rating)).all()
        assert [(r.ticket_id, r.attitude, r.efficiency, r.overall) for r in rows] == [
            (ticket["id"], 5, 3, 4)
        ]


def test_supervisor_dashboard_shows_windows_limits_and_charts(hall: Hall, context: Any) -> None:
    for _ in range(2):
        api(hall, "POST", "/tickets", {"service": "consult"})
    api(hall, "POST", "/windows/8/call-next")
    api(hall, "POST", "/windows/8/start")
    hall.clock.advance(minutes=12)  # over the 10 minutes consult allows
    api(hall, "POST", "/windows/4/pause")
    as_person(hall, context, "sup", "supervisor")
    page = context.new_page()
    page.goto(f"{hall.url}/supervisor")
    page.locator('.sup-window[data-window="8"]').wait_for()
    assert page.locator(".sup-window").count() == 8
    assert "over" in (page.locator('.sup-window[data-window="8"]').get_attribute("class") or "")
    assert "暂停服务" in page.locator('.sup-window[data-window="4"]').inner_text()
    limits = page.locator("#limits li").all_inner_texts()
    assert any("8号窗口办理Z001已12分钟（上限10分钟）" in text for text in limits), limits
    page.wait_for_function(  # the waiting chart names the service with its two citizens
        "() => [...document.querySelectorAll('#chart-waiting svg text')]"
        ".some((n) => n.textContent === '咨询服务')"
    )
    assert page.locator(".total-value").first.inner_text() == "2"
    shot(page, "supervisor")
    with Session(hall.engine) as session:
        assert len(session.exec(select(Ticket)).all()) == 2


def test_pages_in_english(hall: Hall, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{hall.url}/kiosk?lang=en&key={machine_key(hall.app, 'kiosk')}")
    assert page.locator("#start-prompt").inner_text() == "Please choose a service"
    assert "Social insurance" in page.locator('[data-service="social_security"]').inner_text()
    home = httpx.get(f"{hall.url}/", headers=hall.headers, timeout=10).text  # the admin's
    for path in ("/kiosk", "/board", "/supervisor", "/console"):
        assert f'href="{path}?lang=zh"' in home
    stranger = httpx.get(f"{hall.url}/", timeout=10).text  # the public board and the login
    assert 'href="/board?lang=zh"' in stranger and 'href="/login?lang=zh"' in stranger
    assert 'href="/supervisor?lang=zh"' not in stranger
    assert httpx.get(f"{hall.url}/console/99", headers=hall.headers, timeout=10).status_code == 404


def test_kiosk_tells_citizens_when_the_printer_is_out_of_paper(
    browser: Any, any_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    sims = start_simulators(tmp_path / "sims")
    sims.printer.set_state(paper="out")
    app = create_app(settings, engine=any_engine, clock=Clock(MONDAY_9AM))
    install_queue_devices(
        app, QueueDevicesSection(printer=f"127.0.0.1:{sims.printer.port}", printer_poll_s=0)
    )
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, has_touch=True)
    try:
        with live_server(app) as url:
            page = context.new_page()
            page.goto(f"{url}/kiosk?key={machine_key(app, 'kiosk')}")
            assert page.locator("#printer-notice").is_hidden()
            page.locator('[data-service="consult"]').tap()
            page.locator("#screen-ticket").wait_for(state="visible")
            assert page.locator("#ticket-code").inner_text() == "Z001"  # issued all the same
            page.locator("#ticket-printer").wait_for(state="visible")
            assert "缺纸" in page.locator("#printer-notice").inner_text()
            shot(page, "kiosk-printer-out")
            sims.printer.set_state(paper="ok")
            page.locator("#screen-ticket [data-home]").tap()
            page.locator('[data-service="consult"]').tap()
            page.wait_for_function(
                "() => document.querySelector('#ticket-code').textContent === 'Z002'"
            )
            page.locator("#printer-notice").wait_for(state="hidden")
            assert sims.printer.wait_for("Z002")
            page.close()
    finally:
        context.close()
        for sim in (sims.keypads, sims.boards, sims.printer):
            sim.stop()


def test_console_speaks_the_page_language_and_names_staff(hall: Hall, context: Any) -> None:
    as_person(hall, context, "hu", "staff", staff_no="ZW004")  # window 8's A post
    page = context.new_page()
    page.goto(f"{hall.url}/console/8")
    assert "胡晓燕" in page.locator("#staff").inner_text()  # the post by name, not ZW004
    assert "ZW004" not in page.locator("#staff").inner_text()
    page.locator('[data-act="call-next"]').click()
    message = page.locator("#message")
    message.wait_for()
    page.wait_for_function("() => document.getElementById('message').textContent.length > 0")
    assert "8号窗口" in message.inner_text() and "当前无人等候" in message.inner_text()
    assert "nobody" not in message.inner_text()
    english = context.new_page()
    english.goto(f"{hall.url}/console/8?lang=en")
    english.locator('[data-act="call-next"]').click()
    english.wait_for_function("() => document.getElementById('message').textContent.length > 0")
    assert "nobody is waiting for window 8" in english.locator("#message").inner_text()
    api(hall, "POST", "/tickets", {"service": "consult"})
    api(hall, "POST", "/windows/8/call-next")
    api(hall, "POST", "/windows/8/start")
    api(hall, "POST", "/windows/8/finish", {"outcome": "done"})
    as_person(hall, context, "director", "director")  # the office sees it by name too
    sup = context.new_page()
    sup.goto(f"{hall.url}/supervisor")
    card = sup.locator('.sup-window[data-window="8"]')
    card.wait_for()
    assert "胡晓燕" in card.inner_text() and "ZW004" not in card.inner_text()
    sup.locator("#chart-staff svg text").first.wait_for()
    labels = sup.locator("#chart-staff svg text").all_text_contents()
    assert "胡晓燕" in labels and "ZW004" not in labels, labels
