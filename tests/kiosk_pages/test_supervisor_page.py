"""The supervisor dashboard on a 1920x1080 wall screen: windows and attendance by name, the day's
alerts acknowledged from the page, charts, nothing to scroll; refused roles get a refusal page."""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import Session, col, select, update

from hallbase.alerts import raise_alert
from hallbase.auth.models import Account
from hallbase.db import write_session
from hallbase.models import AlertOutbox
from tests.helpers.auth import PASSWORD, add_account
from tests.helpers.pages import Hall, log_in, shot
from tests.kiosk_pages.test_pages import api

CHARTS = ("chart-waiting", "chart-hour", "chart-staff", "chart-attendance")


def _person(hall: Hall, context: Any, username: str, name: str, *grants: str, **kw: Any) -> int:
    """Log ``context`` in as a new account called ``name``; its account id."""
    add_account(hall.app, username, *grants, **kw)
    with write_session(hall.engine) as session:
        session.execute(
            update(Account).where(col(Account.username) == username).values(display_name=name)
        )
        account = session.exec(select(Account).where(Account.username == username)).one()
        assert account.id is not None
        account_id = account.id
    log_in(context, hall.url, username, PASSWORD)
    return account_id


def _raise(hall: Hall, key: str, message: str, severity: str) -> None:
    with write_session(hall.engine) as session:
        raise_alert(
            session,
            kind="attendance.verdict",
            key=key,
            payload={"staff_no": "SC001", "message": message},
            now=hall.clock.now,
            severity=severity,
        )


def _error(errors: list[str], message: Any) -> None:
    """Keep a console error: a script's, or the content policy's refusal (the browser's own
    request for /favicon.ico, which the hall does not serve, aside)."""
    if message.type == "error" and not message.location["url"].endswith("/favicon.ico"):
        errors.append(f"{message.text} {message.location}")


def test_dashboard_fits_the_wall_and_acknowledges_an_alert(hall: Hall, context: Any) -> None:
    for _ in range(3):
        api(hall, "POST", "/tickets", {"service": "consult"})
    api(hall, "POST", "/windows/8/call-next")
    api(hall, "POST", "/windows/8/start")
    day = hall.clock.now.date().isoformat()
    punches = [
        {"staff_no": "SC001", "time": f"{day}T08:20:00"},  # on time
        {"staff_no": "SC002", "time": f"{day}T08:35:00"},  # late for 08:30
    ]
    assert api(hall, "POST", "/punches", punches)["inserted"] == 2  # type: ignore[arg-type]
    _raise(hall, "SC001:late", "王芳 迟到 22分钟", "warning")
    _raise(hall, "SC002:absent", "李明 上午签到 缺卡", "critical")
    me = _person(hall, context, "zhang", "张督查", "supervisor")
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: _error(errors, m))
    page.goto(f"{hall.url}/supervisor")
    assert page.locator("h1").inner_text().endswith("监督大屏")
    card = page.locator('.sup-window[data-window="8"]')
    card.wait_for()
    assert "胡晓燕" in card.inner_text() and "ZW004" not in card.inner_text()  # staff by name
    # Attendance beside the queue: everyone by name, with the day's state.
    page.locator('#att-staff li[data-staff="SC002"]').wait_for()
    assert "李明" in page.locator('#att-staff li[data-staff="SC002"]').inner_text()
    assert "迟到" in page.locator('#att-staff li[data-staff="SC002"]').inner_text()
    assert "缺卡" in page.locator('#att-staff li[data-staff="ZW001"]').inner_text()  # not in yet
    assert "共" in page.locator("#att-counts").inner_text()
    # The day's alerts, newest first (the punches raised some), each with its button.
    items = page.locator("#alerts li.alert")
    items.first.wait_for()
    n = items.count()
    assert n > 2 and items.locator("button.alert-ack").count() == n
    assert "李明 上午签到 缺卡" in items.nth(0).inner_text() and "严重" in items.nth(0).inner_text()
    assert f"共{n}条，未确认{n}条" in page.locator("#alert-counts").inner_text()
    first = items.nth(1)
    assert "王芳 迟到 22分钟" in first.inner_text()
    alert_id = first.get_attribute("data-alert")
    first.locator("button.alert-ack").click()
    done = page.locator(f'#alerts li.alert[data-alert="{alert_id}"].acked')
    done.wait_for()
    assert "张督查" in done.inner_text() and "09:00 确认" in done.inner_text()
    assert done.locator("button").count() == 0
    assert f"未确认{n - 1}条" in page.locator("#alert-counts").inner_text()
    with Session(hall.engine) as session:
        row = session.get(AlertOutbox, int(alert_id or 0))
        assert row is not None and row.acked_by_id == me and row.ack_via == "api"
    # The charts, drawn by the vendored library as SVG; the staff chart names people.
    for chart in CHARTS:
        page.locator(f"#{chart} svg").wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#chart-staff svg text')]"
        ".some((n) => n.textContent === '胡晓燕')"
    )
    legend = page.locator("#chart-attendance svg text").all_text_contents()
    assert any(text.startswith("迟到") for text in legend), legend
    size = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= 1920 and size[1] <= 1080, size  # the wall screen, nothing to scroll
    for box in ("sup-queue", "sup-attendance", "sup-alerts", "sup-stats"):
        edge = page.locator(f".{box}").bounding_box()
        assert edge is not None and edge["y"] + edge["height"] <= 1080, (box, edge)
    shot(page, "supervisor-wall")
    assert not errors, errors  # no script error, nothing the content policy refused


def test_dashboard_in_english_and_for_a_window_lead(hall: Hall, context: Any) -> None:
    _raise(hall, "SC001:late", "王芳 迟到 22分钟", "warning")
    _person(hall, context, "lead", "Lead", "window_lead:unit:ZWB")
    page = context.new_page()
    page.goto(f"{hall.url}/supervisor?lang=en")
    assert page.locator("h1").inner_text().endswith("Supervisor dashboard")
    page.locator("#att-staff li").first.wait_for()  # the lead's own unit's staff
    staff = page.locator("#att-staff li").evaluate_all("(ns) => ns.map((n) => n.dataset.staff)")
    assert staff and all(s.startswith("ZW") for s in staff), staff
    assert page.locator("#alerts").count() == 0  # alerts are the hall-wide office's
    assert "acknowledged by supervisors" in page.locator(".sup-alerts").inner_text()
    assert "Missing punch" in page.locator("#att-staff").inner_text()


def test_window_staff_get_a_refusal_page_and_api_callers_json(hall: Hall, context: Any) -> None:
    _person(hall, context, "hu", "胡晓燕", "staff", staff_no="ZW004")
    page = context.new_page()
    for path in ("/supervisor", "/office/windows"):
        answer = page.goto(f"{hall.url}{path}")
        assert answer is not None and answer.status == 403
        assert page.locator("h2").inner_text() == "无权访问"
        assert "您的角色无权进行此操作" in page.locator("main").inner_text()
        assert "当前登录：胡晓燕" in page.locator("main").inner_text()
        assert page.locator("a", has_text="返回首页").get_attribute("href") == "/?lang=zh"
    shot(page, "refused-403")
    as_api = context.request.get(f"{hall.url}/supervisor", headers={"accept": "application/json"})
    assert as_api.status == 403 and as_api.json()["code"] == "forbidden"  # API callers: JSON
    page.locator("a", has_text="换个账号登录").click()
    page.wait_for_url("**/login?**")
    add_account(hall.app, "sup2", "supervisor")
    page.fill('input[name="username"]', "sup2")
    page.fill('input[name="password"]', PASSWORD)
    page.locator('button[type="submit"]').click()
    page.wait_for_url("**/office/windows")  # back where the refusal was, as someone who may
    assert page.locator("h2").inner_text() != "无权访问"


def _raise_kind(hall: Hall, kind: str, key: str, message: str, severity: str) -> None:
    with write_session(hall.engine) as session:
        raise_alert(
            session,
            kind=kind,
            key=key,
            payload={"staff_no": key, "message": message},
            now=hall.clock.now,
            severity=severity,
        )


def _rows(page: Any) -> list[tuple[str, str]]:
    """The panel's rows as (severity class, text)."""
    found: list[tuple[str, str]] = page.locator("#alerts li.alert").evaluate_all(
        "(ns) => ns.map((n) => [n.className, n.querySelector('.alert-text').textContent])"
    )
    return found


def _shown(page: Any, texts: set[str], *, absent: set[str] | None = None) -> None:
    """Wait until the panel shows every text of ``texts`` and none of ``absent``."""
    page.wait_for_function(
        """([want, not]) => {
          const shown = [...document.querySelectorAll('#alerts li.alert .alert-text')]
            .map((n) => n.textContent);
          return want.every((t) => shown.includes(t)) && !not.some((t) => shown.includes(t));
        }""",
        arg=[sorted(texts), sorted(absent or ())],
        timeout=30000,
    )


def test_alert_panel_filters_by_kind_severity_and_acknowledgement_live(
    hall: Hall, context: Any
) -> None:
    """The hall's own scheduler raises alerts too (nobody in the test hall punched this month:
    everyone's month is flagged), so the checks name the rows this test raised."""
    flag, step, absent, wait = (
        "李明 已达退回原单位标准", "李明 第2次迟到", "张伟 旷工", "A001号已等候40分钟"
    )  # fmt: skip
    _raise_kind(hall, "attendance.monthly_flag", "SC002:2026-03:return_events", flag, "critical")
    _raise_kind(hall, "attendance.escalation_step", "SC002:2026:late:2", step, "warning")
    _raise_kind(hall, "attendance.absent", "SC003:absent", absent, "critical")
    _raise_kind(hall, "queue_wait", "A001", wait, "warning")
    _person(hall, context, "zhang", "张督查", "supervisor")
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: _error(errors, m))
    page.goto(f"{hall.url}/supervisor")
    _shown(page, {flag, step, absent, wait})
    # The filters speak Chinese, and the kinds are named as staff name them.
    kinds = page.locator("#alert-kind option").all_text_contents()
    assert kinds[0] == "全部类型" and "月度考勤达到处理标准" in kinds and "违纪处理升级" in kinds
    assert "考勤逾期未确定" in kinds
    severities = page.locator("#alert-severity option").all_text_contents()
    assert severities == ["全部级别", "严重", "警告", "提示"]
    # Critical only: critical rows and nothing else.
    page.select_option("#alert-severity", "critical")
    _shown(page, {flag, absent}, absent={step, wait})
    rows = _rows(page)
    assert rows and all("sev-critical" in c for c, _ in rows), rows
    assert f"筛选后{len(rows)}条" in page.locator("#alert-counts").inner_text()
    # And of one kind, the monthly flag: the absence goes; one acknowledged from the list.
    page.select_option("#alert-kind", "attendance.monthly_flag")
    _shown(page, {flag}, absent={absent})
    row = page.locator("#alerts li.alert", has_text=flag)
    row.locator("button.alert-ack").click()
    page.locator("#alerts li.alert.acked", has_text=flag).wait_for()
    assert "张督查" in page.locator("#alerts li.alert.acked", has_text=flag).inner_text()
    # Not acknowledged only: the acknowledged flag is gone.
    page.select_option("#alert-state", "false")
    _shown(page, set(), absent={flag})
    assert all("acked" not in c for c, _ in _rows(page))
    # Live: a new alert matching the filters appears by itself; one that does not, never.
    late, flag2 = "王芳 第1次迟到", "王芳 已达退回原单位标准"
    _raise_kind(hall, "attendance.escalation_step", "SC001:2026:late:1", late, "warning")
    _raise_kind(hall, "attendance.monthly_flag", "SC001:2026-03:return_absent", flag2, "critical")
    _shown(page, {flag2}, absent={late, flag})
    # Nothing matches: the panel says so.
    page.select_option("#alert-kind", "attendance.provisional_overdue")
    page.locator("#alerts-none-match").wait_for()
    assert page.locator("#alerts li.alert").count() == 0
    assert page.locator("#alerts-none-match").inner_text() == "没有符合筛选条件的告警"
    assert page.locator("#alerts-none").is_hidden()
    # Every filter back to all: every alert of the day.
    for box in ("#alert-kind", "#alert-severity", "#alert-state"):
        page.select_option(box, "")
    _shown(page, {flag, step, absent, wait, late, flag2})
    assert page.locator("#alert-counts").inner_text().startswith("共")
    size = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    assert size[0] <= 1920 and size[1] <= 1080, size
    shot(page, "supervisor-alert-filters")
    assert not errors, errors


def test_an_alert_raised_while_the_page_is_open_appears_at_once(hall: Hall, context: Any) -> None:
    _raise(hall, "SC001:late", "王芳 迟到 22分钟", "warning")
    _person(hall, context, "zhang", "张督查", "supervisor")
    errors: list[str] = []
    page = context.new_page()
    page.on("console", lambda m: _error(errors, m))
    page.goto(f"{hall.url}/supervisor")
    opened = time.monotonic()  # the page's poll of the alerts runs 15 s after this at the earliest
    page.locator("#alerts li.alert").first.wait_for()
    # The live stream is open (an alert event needs it): its notice is hidden.
    page.wait_for_function("() => document.getElementById('live-notice').hidden")
    raised = time.monotonic()
    _raise(hall, "SC002:absent", "李明 上午签到 缺卡", "critical")
    item = page.locator("#alerts li.alert", has_text="李明 上午签到 缺卡")
    item.wait_for(timeout=3_000)
    shown = time.monotonic()
    assert shown - raised < 3, shown - raised  # at once: the event, not the poll
    assert shown - opened < 14, shown - opened  # before the first poll could have run
    assert "严重" in item.inner_text() and item.locator("button.alert-ack").count() == 1
    assert not errors, errors
