"""Login, logout, the caller's tokens, administration and the audit log through the real app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from hallbase.auth import route_rules
from hallbase.settings import Settings
from hallkeeper.app import create_app
from hallkeeper.demo_accounts import DEMO_ACCOUNTS, create_demo_accounts
from tests.helpers.auth import PASSWORD, add_account, login, machine_key


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:
        yield c


def test_login_sets_a_guarded_cookie_and_logout_needs_the_csrf_token(client: TestClient) -> None:
    add_account(client.app, "sup", "supervisor")
    answer = client.post("/api/v1/auth/login", json={"username": "sup", "password": PASSWORD})
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("hk_session=") and "HttpOnly" in cookie and "Path=/" in cookie
    assert "samesite=lax" in cookie.lower() and "secure" not in cookie.lower()  # development
    body = answer.json()
    assert body["principal"]["roles"] == [{"role": "supervisor", "scope": "hall"}]
    me = client.get("/api/v1/auth/me").json()
    assert me["username"] == "sup" and me["csrf_token"] == body["csrf_token"]
    refused = client.post("/api/v1/auth/logout")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    headers = {"X-CSRF-Token": body["csrf_token"]}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    client.cookies.clear()
    assert client.get("/api/v1/auth/me").status_code == 401


def test_production_cookie_is_secure(settings: Settings) -> None:
    secure = settings.model_copy(update={"environment": "production"})
    with TestClient(create_app(secure)) as c:
        add_account(c.app, "sup", "supervisor")
        answer = c.post("/api/v1/auth/login", json={"username": "sup", "password": PASSWORD})
    assert "Secure" in answer.headers["set-cookie"]


def test_failed_logins_read_the_same_then_lock(client: TestClient) -> None:
    add_account(client.app, "sup", "supervisor")
    answers = [
        client.post("/api/v1/auth/login", json={"username": name, "password": "wrong pass"})
        for name in ("nobody", "sup", "sup", "sup", "sup", "sup")
    ]
    assert {(a.status_code, a.json()["code"]) for a in answers} == {(401, "login_failed")}
    assert len({a.text for a in answers}) == 1
    locked = client.post("/api/v1/auth/login", json={"username": "sup", "password": PASSWORD})
    assert locked.status_code == 401 and locked.text == answers[0].text
    audit = client.get("/api/v1/audit", headers={"X-Hall-Key": machine_key(client.app, "kiosk")})
    assert audit.status_code == 403  # a machine reads no log


def test_own_api_tokens(client: TestClient) -> None:
    add_account(client.app, "sup", "supervisor")
    login(client, "sup")
    made = client.post("/api/v1/auth/tokens", json={"name": "报表脚本", "days": 30})
    assert made.status_code == 201 and made.json()["token"].startswith("hkt_")
    token, token_id = made.json()["token"], made.json()["id"]
    listed = client.get("/api/v1/auth/tokens").json()["data"]
    assert [t["prefix"] for t in listed] == [token[:12]] and "token" not in listed[0]
    bearer = TestClient(client.app)
    bearer.headers["Authorization"] = f"Bearer {token}"
    assert bearer.get("/api/v1/auth/me").json()["via"] == "bearer"
    assert client.delete(f"/api/v1/auth/tokens/{token_id}").status_code == 204
    assert bearer.get("/api/v1/auth/me").status_code == 401
    assert client.delete("/api/v1/auth/tokens/999").status_code == 404


def test_admin_manages_accounts_keys_and_reads_the_audit_log(client: TestClient) -> None:
    add_account(client.app, "root", "admin")
    add_account(client.app, "sup", "supervisor")
    login(client, "sup")
    denied = client.post("/api/v1/auth/keys", json={"kind": "kiosk", "name": "1号取号机"})
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    login(client, "root")
    new = {
        "username": "wang",
        "display_name": "王芳",
        "password": "a fine passphrase",
        "staff_no": "SC001",
        "roles": [{"role": "window_lead", "scope": "unit:SCJ"}],
    }
    created = client.post("/api/v1/auth/accounts", json=new)
    assert created.status_code == 201, created.text
    assert created.json()["roles"][0]["scope"] == "unit:SCJ" and "password" not in created.text
    assert client.post("/api/v1/auth/accounts", json=new).json()["code"] == "username_taken"
    bad = client.post("/api/v1/auth/accounts", json=new | {"username": "x", "staff_no": "NO1"})
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_staff_no"
    lead = new["roles"][0] | {"scope": "hall"}
    assert client.post("/api/v1/auth/accounts/wang/grants", json=lead).status_code == 422
    granted = client.post("/api/v1/auth/accounts/wang/grants", json={"role": "duty_chief"})
    assert granted.status_code == 201 and granted.json()["scope"] == "hall"
    gid = granted.json()["id"]
    assert client.delete(f"/api/v1/auth/accounts/wang/grants/{gid}").status_code == 204
    reset = {"password": "another passphrase", "reason": "忘记密码"}
    assert client.post("/api/v1/auth/accounts/wang/password", json=reset).status_code == 204
    off = client.post("/api/v1/auth/accounts/wang/disable", json={"reason": "离职"})
    assert off.json()["active"] is False
    last = client.post("/api/v1/auth/accounts/root/disable", json={})
    assert last.status_code == 409 and last.json()["code"] == "last_admin"

    key = client.post("/api/v1/auth/keys", json={"kind": "window_board", "name": "3号窗口屏",
                                                  "scope": "window:3"})  # fmt: skip
    assert key.status_code == 201 and key.json()["key"].startswith(key.json()["prefix"])
    listed = client.get("/api/v1/auth/keys").json()
    assert listed["count"] == 1 and "key" not in listed["data"][0]
    board = TestClient(client.app)
    assert board.get(f"/api/v1/auth/me?key={key.json()['key']}").json()["scope"] == "window:3"
    assert client.delete(f"/api/v1/auth/keys/{key.json()['id']}?reason=换屏").status_code == 204
    assert board.get(f"/api/v1/auth/me?key={key.json()['key']}").status_code == 401

    log = client.get("/api/v1/audit?limit=100").json()
    actions = [e["action"] for e in reversed(log["data"])]
    assert actions[-7:] == [
        "account.create", "grant.add", "grant.remove", "account.password",
        "account.disable", "key.create", "key.revoke",
    ]  # fmt: skip
    assert log["data"][0]["reason"] == "换屏" and log["data"][0]["actor_name"] == "root"
    password_entry = log["data"][3]
    assert password_entry["before"] is None and password_entry["after"] is None
    assert "passphrase" not in str(log)


def test_login_page_form_and_redirect(client: TestClient) -> None:
    add_account(client.app, "sup", "supervisor")
    page = client.get("/login?next=/attendance")
    assert page.status_code == 200 and "用户名" in page.text and 'lang="zh-CN"' in page.text
    assert "Username" in client.get("/login?lang=en").text
    wrong = client.post("/login", data={"username": "sup", "password": "nope", "lang": "en"})
    assert wrong.status_code == 401 and "wrong username or password" in wrong.text
    form = {"username": "sup", "password": PASSWORD, "next": "/attendance"}
    done = client.post("/login", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/attendance"
    assert client.get("/api/v1/auth/me").json()["username"] == "sup"
    away = client.post("/login", data=form | {"next": "//evil.example/x"}, follow_redirects=False)
    assert away.headers["location"] == "/"
    foreign = client.post("/login", data=form, headers={"origin": "http://evil.example"})
    assert foreign.status_code == 403


def test_every_auth_route_declares_its_callers(client: TestClient) -> None:
    open_routes = {"/api/v1/auth/login"}
    seen = set()
    for route in iter_route_contexts(client.app.routes):  # type: ignore[attr-defined]
        path = str(route.path)
        if path.startswith(("/api/v1/auth", "/api/v1/audit")) and path not in open_routes:
            seen.add(path)
            rules = route_rules(route.original_route)
            assert rules and not any(r.anonymous for r in rules), path
            if "/accounts" in path or "/keys" in path or path == "/api/v1/audit":
                assert {r.roles for r in rules} == {frozenset({"admin"})}, path
    # the loop reached the routes: accounts, keys, the log and one's own tokens
    assert {"/api/v1/audit", "/api/v1/auth/me", "/api/v1/auth/tokens"} <= seen, seen
    assert any("/accounts" in p for p in seen) and any("/keys" in p for p in seen), seen


def test_demo_accounts_log_in_and_are_made_once(client: TestClient) -> None:
    create_demo_accounts(client.app.state.engine)  # type: ignore[attr-defined]
    create_demo_accounts(client.app.state.engine)  # type: ignore[attr-defined]
    for username, _name, staff_no, role, _scope, password in DEMO_ACCOUNTS:
        login(client, username, password)
        me = client.get("/api/v1/auth/me").json()
        assert me["roles"][0]["role"] == role and me["staff_no"] == staff_no
