"""The HTTP API and the landing page, through the real app on a real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hallbase.settings import Settings
from hallkeeper.app import create_app
from tests.helpers.auth import admin_headers, bearer


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app, called by an admin (a bearer token)."""
    app = create_app(settings)
    with TestClient(app, headers=admin_headers(app)) as c:
        yield c


def test_healthz_and_landing_page(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["ok"] and health["database"] == {"ok": True, "backend": "sqlite"}
    page = client.get("/")
    assert page.status_code == 200
    assert "示范市政务服务中心" in page.text and 'lang="zh-CN"' in page.text
    english = client.get("/?lang=en")
    assert "Demo City Government Service Centre" in english.text and 'lang="en"' in english.text
    assert client.get("/openapi.json").json()["info"]["title"] == "HallKeeper"
    devices = client.get("/devices")
    assert devices.status_code == 200 and "尚未配置设备" in devices.text
    assert "No devices configured" in client.get("/devices?lang=en").text


def test_staff_crud_and_errors(client: TestClient) -> None:
    body = {
        "staff_no": "T01",
        "name": "测试员",
        "pin": "9001",
        "unit_code": "SCJ",
        "category": "聘用",
    }
    created = client.post("/api/v1/staff", json=body)
    assert created.status_code == 201 and created.json()["role"] == "staff"
    assert client.post("/api/v1/staff", json=body).status_code == 409
    bad_unit = client.post("/api/v1/staff", json=body | {"staff_no": "T02", "unit_code": "NO"})
    assert bad_unit.status_code == 422 and "unknown unit" in bad_unit.json()["detail"]
    bad_pin = client.post("/api/v1/staff", json=body | {"staff_no": "T03", "pin": "x1"})
    assert bad_pin.status_code == 422
    taken = client.patch("/api/v1/staff/T01", json={"pin": "1001"})
    assert taken.status_code == 409 and "ZW001" in taken.json()["detail"]
    assert client.patch("/api/v1/staff/T01", json={"name": "改名"}).json()["name"] == "改名"
    assert client.get("/api/v1/staff/T01").json()["name"] == "改名"
    assert client.delete("/api/v1/staff/T01").status_code == 204
    assert client.get("/api/v1/staff/T01").status_code == 404
    assert client.delete("/api/v1/units/SCJ").status_code == 409  # staff still belong to it


def test_windows_and_schedules(client: TestClient) -> None:
    window = client.get("/api/v1/windows/3").json()
    assert window["services"] == ["social_security"] and window["b_post"] == "RS002"
    changed = client.patch(
        "/api/v1/windows/3", json={"services": ["housing_fund", "social_security"]}
    )
    assert changed.json()["services"] == ["housing_fund", "social_security"]
    unknown = client.patch("/api/v1/windows/3", json={"services": ["nope"]})
    assert unknown.status_code == 422
    assert client.get("/api/v1/windows/3").json()["services"][0] == "housing_fund"
    same = client.patch("/api/v1/windows/3", json={"b_post": "RS001"})
    assert same.status_code == 422
    new = {"number": 9, "name": "9号窗口", "services": ["consult"], "a_post": "ZW003"}
    assert client.post("/api/v1/windows", json=new).status_code == 201
    assert client.get("/api/v1/windows").json()["count"] == 9

    slots = [{"name": "in", "due": "09:00"}, {"name": "out", "due": "08:00"}]
    refused = client.put("/api/v1/schedules/night", json={"slots": slots})
    assert refused.status_code == 422 and "'night'" in refused.json()["detail"]
    slots[1]["due"] = "18:00"
    saved = client.put("/api/v1/schedules/night", json={"label": "晚班", "slots": slots}).json()
    assert [s["kind"] for s in saved["slots"]] == ["in", "out"]
    names = [s["name"] for s in client.get("/api/v1/schedules").json()["data"]]
    assert "night" in names and "four_punch" in names


def test_calendar_and_overrides(client: TestClient) -> None:
    days = client.get(
        "/api/v1/calendar", params={"date_from": "2026-12-31", "date_to": "2027-01-01"}
    )
    body = days.json()
    assert body["data"][0]["source"] == "override" and not body["data"][0]["workday"]
    assert body["data"][1]["source"] == "weekend_fallback" and "2027" in body["warning"]
    put = client.put("/api/v1/holidays/2027-01-01", json={"workday": False, "note": "元旦"})
    assert put.status_code == 200
    again = client.get(
        "/api/v1/calendar", params={"date_from": "2027-01-01", "date_to": "2027-01-01"}
    )
    assert again.json()["data"][0] == {
        "date": "2027-01-01",
        "workday": False,
        "source": "override",
        "note": "元旦",
    }
    assert client.delete("/api/v1/holidays/2027-01-01").status_code == 204
    assert client.delete("/api/v1/holidays/2027-01-01").status_code == 404
    backwards = client.get(
        "/api/v1/calendar", params={"date_from": "2027-01-02", "date_to": "2027-01-01"}
    )
    assert backwards.status_code == 422


def test_changes_need_the_admin_role(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as c:
        body = {"code": "NEW", "name": "新单位"}
        assert c.post("/api/v1/units", json=body).status_code == 401
        wrong = {"Authorization": "Bearer hkt_nope"}
        assert c.post("/api/v1/units", json=body, headers=wrong).status_code == 401
        lead = bearer(app, "lead", "window_lead:unit:SCJ", staff_no="SC001")
        assert c.post("/api/v1/units", json=body, headers=lead).status_code == 403
        ok = c.post("/api/v1/units", json=body, headers=admin_headers(app))
        assert ok.status_code == 201
        assert c.get("/api/v1/units/NEW").status_code == 401  # reads need a login too
        assert c.get("/api/v1/units/NEW", headers=lead).json()["name"] == "新单位"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_load_only_from_this_server(client: TestClient, page: str) -> None:
    """An isolated hall network reaches no CDN: every script, style and icon is served here."""
    import re

    html = client.get(page)
    assert html.status_code == 200
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html.text)
    assets += re.findall(r"""url:\s*["']([^"']+)["']""", html.text)
    assert any(a.endswith(".js") for a in assets), html.text
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), f"{page} loads {asset}"
        assert client.get(asset).status_code == 200, asset
    assert "https://" not in html.text.replace("https://swagger.io", "")
