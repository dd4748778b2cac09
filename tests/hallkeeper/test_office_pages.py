"""The office pages (办公管理) over the JSON API: who opens them, what they show, the API's
refusals in the page's words, and the staff file out and back in."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine
from sqlmodel import select

from hallbase.auth.models import AuditEntry
from hallbase.db import read_session
from hallbase.settings import Settings
from hallkeeper.office.problems import explain, explain_row
from tests.helpers.auth import api_token, login
from tests.helpers.office import browser, office_app, title

PAGES = [
    ("/office", "办公管理"),
    ("/office/windows", "窗口"),
    ("/office/services", "办理事项"),
    ("/office/staff", "工作人员"),
    ("/office/units", "派驻单位"),
    ("/office/schedules", "班次"),
    ("/office/calendar", "节假日与工作日"),
]
ADMIN_PAGES = [
    ("/office/accounts", "账号与角色"),
    ("/office/keys", "设备密钥"),
    ("/office/audit", "审计日志"),
]


@pytest.fixture
def app(any_engine: Engine, settings: Settings) -> Iterator[Any]:
    yield office_app(any_engine, settings)


@pytest.mark.parametrize(("path", "heading"), PAGES + ADMIN_PAGES)
def test_the_admin_opens_every_office_page_in_chinese(app: Any, path: str, heading: str) -> None:
    answer = browser(app, "admin").get(path)
    assert answer.status_code == 200, answer.text
    assert title(answer.text) == heading
    english = browser(app, "admin").get(path, params={"lang": "en"})
    assert english.status_code == 200 and title(english.text).isascii()


def test_the_office_reads_but_only_the_admin_sees_the_forms(app: Any) -> None:
    chief = browser(app, "chief")
    for path, heading in PAGES:
        answer = chief.get(path)
        assert answer.status_code == 200 and title(answer.text) == heading
        assert "office-form" not in answer.text and "data-edit" not in answer.text
    for path, _heading in ADMIN_PAGES:
        assert chief.get(path).status_code == 403
    admin = browser(app, "admin").get("/office/windows").text
    assert 'id="window-form"' in admin and "data-edit" in admin


def test_window_staff_are_refused_and_strangers_sent_to_log_in(app: Any) -> None:
    staff, stranger = browser(app, "liming"), browser(app, None)
    for path, _heading in PAGES + ADMIN_PAGES:
        refused = staff.get(path)
        # A browser is refused with the HTML page, in the page's language.
        assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
        assert "您的角色无权进行此操作" in refused.text and "liming" in refused.text
        sent = stranger.get(path)
        assert sent.status_code == 303 and sent.headers["location"].startswith("/login?next=")
    assert staff.get("/office/staff/export.xlsx").status_code == 403


def test_the_windows_page_shows_posts_and_services_in_calling_order(app: Any) -> None:
    html = browser(app, "admin").get("/office/windows").text
    row = html[html.index('<tr data-key="1">') :]
    row = row[: row.index("</tr>")]
    assert "王芳" in row and "SC001" in row and "李明" in row  # A post, B post by name
    window = TestClient(app).get("/api/v1/windows/1", headers=_bearer(app)).json()
    names = [row.index(code_name) for code_name in _service_names(app, window["services"])]
    assert names == sorted(names)  # in calling order


def _bearer(app: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(app, 'admin')}"}


def _service_names(app: Any, codes: list[str]) -> list[str]:
    services = TestClient(app).get("/api/v1/services", headers=_bearer(app)).json()["data"]
    names = {s["code"]: s["name"] for s in services}
    return [names[c] for c in codes]


def test_the_home_page_links_the_office_pages_not_the_json(app: Any) -> None:
    html = browser(app, "chief").get("/").text
    for path in ("/office/staff", "/office/windows", "/office/services"):
        assert f'href="{path}?lang=zh"' in html
    assert "/api/v1/staff" not in html and "/api/v1/windows" not in html


def _refusal(client: TestClient, method: str, path: str, body: Any) -> list[dict[str, str]]:
    answer = client.request(method, path, json=body)
    assert answer.status_code in (404, 409, 422), answer.text
    explained = client.post(
        "/office/explain", json={"status": answer.status_code, "body": answer.json()}
    )
    assert explained.status_code == 200, explained.text
    problems: list[dict[str, str]] = explained.json()["problems"]
    return problems


def test_the_apis_refusals_are_explained_in_chinese(app: Any) -> None:
    admin = browser(app, "admin")
    window = {"number": 1, "name": "x", "services": ["company_setup"], "a_post": "SC001"}
    (taken,) = _refusal(admin, "POST", "/api/v1/windows", window)
    assert taken == {"field": "窗口号", "key": "number", "problem": "1号窗口已存在",
                     "line": "窗口号：1号窗口已存在"}  # fmt: skip
    bad = {"number": 0, "name": "", "services": [], "a_post": "SC001", "colour": "red"}
    lines = {p["line"] for p in _refusal(admin, "POST", "/api/v1/windows", bad)}
    assert lines == {
        "窗口号：太小（最小1）",
        "名称：不能为空（至少1个字符）",
        "办理事项：至少选填1项",
        "colour：不能填写此项",
    }
    unknown = {**window, "number": 77, "b_post": "NOPE"}
    assert _refusal(admin, "POST", "/api/v1/windows", unknown)[0]["line"] == (
        "B岗：没有工号为NOPE的工作人员"
    )
    service = {"kind": "committed", "promised_days": None}
    assert _refusal(admin, "PATCH", "/api/v1/services/company_setup", service)[0]["line"] == (
        "承诺办结天数：承诺件须填写承诺办结天数"
    )
    staff = {"staff_no": "SC900", "name": "新人", "pin": "1002", "unit_code": "SCJ",
             "category": "在编"}  # fmt: skip
    assert _refusal(admin, "POST", "/api/v1/staff", staff)[0]["line"].startswith(
        "考勤号：考勤号1002已属于"
    )
    assert _refusal(admin, "DELETE", "/api/v1/units/SCJ", None)[0]["line"] == (
        "仍在使用中，不能删除"
    )
    account = {"username": "admin", "display_name": "x", "password": "pw"}
    (coded,) = _refusal(admin, "POST", "/api/v1/auth/accounts", account)
    assert coded["field"] == "" and "admin" in coded["line"]


def test_a_refusal_in_english_and_without_its_limits() -> None:
    body = {"detail": [{"type": "string_too_long", "loc": ["body", "slots", 1, "name"],
                        "msg": "String should have at most 20 characters"}]}  # fmt: skip
    (problem,) = explain(422, body, "en")
    assert problem.line("en") == "Slots · item 2 · Name: too long"
    assert explain(422, {"detail": "something new went wrong"}, "zh")[0].line("zh") == (
        "未能保存：something new went wrong"
    )


def test_staff_file_rows_are_explained() -> None:
    assert explain_row("unknown unit 'XXX'", "zh") == "派驻单位：没有派驻单位XXX"
    assert explain_row("pin: String should match pattern '^[0-9]{1,9}$'", "zh") == (
        "考勤号：格式不对"
    )
    assert explain_row("duplicate 工号 SC001 (first on line 2)", "zh") == (
        "工号：工号SC001重复（第2行已有）"
    )


def _upload(client: TestClient, name: str, content: bytes, csrf: str) -> str:
    answer = client.post(
        "/office/staff/import",
        files={"file": (name, content)},
        data={"csrf_token": csrf},
        headers={"X-CSRF-Token": ""},
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def test_staff_export_then_import_round_trips(app: Any) -> None:
    client = TestClient(app)
    csrf = login(client, "admin")
    before = client.get("/api/v1/staff").json()["data"]
    exported = client.get("/office/staff/export.xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["工号", "姓名", "考勤号"] and len(rows) == len(before) + 1
    # The office edits the sheet: one name changed, one person added, one bad row.
    rows[1][1] = "王芳芳"
    rows.append(["SC777", "赵新", "7777", "SCJ", "聘用", "staff", "2026-03-01", None, None])
    rows.append(["SC778", "钱错", "7778", "XXX", "聘用", "staff", None, None, None])
    book = Workbook()
    for row in rows:
        book.active.append(row)  # type: ignore[union-attr]
    buffer = io.BytesIO()
    book.save(buffer)
    html = _upload(client, "staff.xlsx", buffer.getvalue(), csrf)
    assert f"staff.xlsx：新增1人，更新{len(before)}人，未导入1行" in html
    assert "派驻单位：没有派驻单位XXX" in html
    after = {s["staff_no"]: s for s in client.get("/api/v1/staff").json()["data"]}
    assert after[rows[1][0]]["name"] == "王芳芳" and after["SC777"]["pin"] == "7777"
    assert "SC778" not in after
    unchanged = {k: v for k, v in after.items() if k not in (rows[1][0], "SC777")}
    assert unchanged == {s["staff_no"]: s for s in before if s["staff_no"] != rows[1][0]}
    with read_session(app.state.engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "staff.import")).one()
    assert entry.actor_name == "admin" and '"created":1' in (entry.after or "")
    again = client.get("/office/staff/export.csv")
    assert again.content.decode("utf-8-sig").splitlines()[0].startswith("工号,姓名,考勤号")
    assert "staff.csv：新增0人，更新" in _upload(client, "staff.csv", again.content, csrf)
    wrong = _upload(client, "staff.txt", b"x", csrf)
    assert "只能导入 .xlsx 或 .csv 文件" in wrong


def test_the_audit_log_filters_by_action_and_actor(app: Any) -> None:
    admin = browser(app, "admin")
    assert admin.post("/api/v1/units", json={"code": "AUD1", "name": "审计测试"}).status_code == 201
    assert admin.patch("/api/v1/units/AUD1", json={"name": "审计测试二"}).status_code == 200
    units = admin.get("/office/audit", params={"action": "unit.", "actor": "admin"}).text
    table = units[units.index('id="audit-count"') :]
    assert "共2条" in table and "unit:AUD1" in table and "account.create" not in table
    created = admin.get("/office/audit", params={"action": "unit.create"}).text
    assert "共1条" in created
    nobody = admin.get("/office/audit", params={"action": "unit.", "actor": "nobody"}).text
    assert "共0条" in nobody and "unit:AUD1" not in nobody
