"""`allow`: who gets in, with which credential, to which window or person; CSRF on cookies."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import col, update

from hallbase.auth.cache import CREDENTIALS
from hallbase.auth.models import Account
from hallbase.auth.resolve import SESSION_COOKIE
from hallbase.db import write_session
from tests.helpers.auth import Clock, add_account, api_token, machine_key, sign_in


def _refusal(answer: Any, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["code"] == code and body["detail"] == body["message"]["en"]
    assert body["message"]["zh"] and body["message"]["zh"] != body["message"]["en"]


def test_no_credential_is_401_with_a_challenge_and_public_routes_stay_open(
    client: TestClient,
) -> None:
    answer = client.get("/office")
    _refusal(answer, 401, "auth_required")
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/public").json() == {"kind": "anonymous", "name": "", "via": "none"}
    # A page opened in a browser goes to the login page and comes back.
    page = client.get("/board?x=1", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Fboard%3Fx%3D1"


def test_roles_decide_and_cookie_changes_need_the_csrf_token(
    app: FastAPI, client: TestClient
) -> None:
    add_account(app, "sup", "supervisor")
    add_account(app, "boss", "director")
    csrf = sign_in(client, "boss")
    assert client.get("/office").json()["roles"] == [{"role": "director", "scope": "hall"}]
    _refusal(client.post("/office", headers={"X-CSRF-Token": csrf}), 403, "forbidden")
    csrf = sign_in(client, "sup")
    _refusal(client.post("/office"), 403, "csrf_failed")
    _refusal(client.post("/office", headers={"X-CSRF-Token": "x" + csrf}), 403, "csrf_failed")
    # A cross-site form post carries the cookie but not the token.
    forged = client.post("/office", content="a=1", headers={"content-type": "text/plain"})
    _refusal(forged, 403, "csrf_failed")
    assert client.post("/office", headers={"X-CSRF-Token": csrf}).json()["username"] == "sup"
    by_form = client.post("/office", data={"csrf_token": csrf})
    assert by_form.status_code == 200
    # A public route treats a cookie's change without the token as anyone's.
    assert client.get("/public").json()["username"] == "sup"


def test_a_browser_refused_a_page_gets_a_page_and_api_callers_json(
    app: FastAPI, client: TestClient
) -> None:
    add_account(app, "li", "staff", staff_no="SC001")
    sign_in(client, "li")
    page = client.get("/office?x=1", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 403 and page.headers["content-type"].startswith("text/html")
    assert "无权访问" in page.text and "您的角色无权进行此操作" in page.text
    assert 'href="/?lang=zh"' in page.text  # home, and the login as someone else, coming back
    assert 'href="/login?lang=zh&amp;next=%2Foffice%3Fx%3D1"' in page.text
    english = client.get("/office?lang=en", headers={"accept": "text/html"})
    assert english.status_code == 403 and "Log in as someone else" in english.text
    assert "无权" not in english.text
    _refusal(client.get("/office"), 403, "forbidden")  # an API caller: JSON as before
    _refusal(client.get("/office", headers={"accept": "application/json"}), 403, "forbidden")


def test_window_scope_of_leads_staff_and_boards(app: FastAPI, client: TestClient) -> None:
    add_account(app, "lead_scj", "window_lead:unit:SCJ", staff_no="SC001")
    add_account(app, "lead_w3", "window_lead:window:3")
    add_account(app, "li", "staff", staff_no="SC002")  # B post of windows 1 and 2
    add_account(app, "sup", "supervisor")
    for who, allowed in {
        "lead_scj": {1, 2},
        "lead_w3": {3},
        "li": {1, 2},
        "sup": {1, 2, 3, 4},
    }.items():
        token = api_token(app, who)
        for number in (1, 2, 3, 4):
            answer = client.post(
                f"/windows/{number}/away", headers={"Authorization": f"Bearer {token}"}
            )
            if number in allowed:
                assert answer.status_code == 200, (who, number, answer.text)
            else:
                _refusal(answer, 403, "out_of_scope")
    board = machine_key(app, "window_board", "window:2")
    assert client.post("/windows/2/away", headers={"X-Hall-Key": board}).json()["kind"] == "machine"
    _refusal(client.post("/windows/1/away", headers={"X-Hall-Key": board}), 403, "out_of_scope")
    _refusal(client.post("/windows/x/away", headers={"X-Hall-Key": board}), 403, "out_of_scope")


def test_staff_scope_own_records_unit_and_hall(app: FastAPI, client: TestClient) -> None:
    add_account(app, "li", "staff", staff_no="SC002")
    add_account(app, "lead_rsj", "window_lead:unit:RSJ")
    add_account(app, "boss", "director")
    bearer = {name: {"Authorization": f"Bearer {api_token(app, name)}"} for name in
              ("li", "lead_rsj", "boss")}  # fmt: skip
    assert client.get("/staff/SC002/month", headers=bearer["li"]).status_code == 200
    _refusal(client.get("/staff/SC001/month", headers=bearer["li"]), 403, "out_of_scope")
    assert client.get("/staff/RS002/month", headers=bearer["lead_rsj"]).status_code == 200
    _refusal(client.get("/staff/SC002/month", headers=bearer["lead_rsj"]), 403, "out_of_scope")
    assert client.get("/staff/SC002/month", headers=bearer["boss"]).status_code == 200


def test_machine_keys_kind_revocation_and_url_key(app: FastAPI, client: TestClient) -> None:
    kiosk = machine_key(app, "kiosk")
    pad = machine_key(app, "rating_pad")
    assert client.get("/board", headers={"X-Hall-Key": kiosk}).json()["machine_kind"] == "kiosk"
    assert client.get(f"/board?key={kiosk}").json()["scope"] == "hall"
    _refusal(client.get("/board", headers={"X-Hall-Key": pad}), 403, "forbidden")
    _refusal(client.get("/office", headers={"X-Hall-Key": kiosk}), 403, "forbidden")
    _refusal(
        client.get("/board", headers={"X-Hall-Key": kiosk[:-1] + "x"}), 401, "credential_invalid"
    )
    from hallbase.auth import keys
    from tests.helpers.auth import TEST_ACTOR

    with write_session(app.state.engine) as session:
        keys.revoke_key(session, TEST_ACTOR, app.state.clock(), 1)
    _refusal(client.get("/board", headers={"X-Hall-Key": kiosk}), 401, "credential_invalid")
    # On a public route a dead key is no one's: the page still shows.
    assert client.get("/public", headers={"X-Hall-Key": kiosk}).json()["kind"] == "anonymous"


def test_bearer_tokens_expired_revoked_tampered_disabled(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    add_account(app, "sup", "supervisor")
    token = api_token(app, "sup", days=2)
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/office", headers=auth).status_code == 200  # no CSRF for a bearer
    _refusal(
        client.get("/office", headers={"Authorization": f"Bearer {token}x"}),
        401,
        "credential_invalid",
    )
    clock.advance(days=2)
    _refusal(client.get("/office", headers=auth), 401, "credential_invalid")
    clock.advance(days=-2)
    from hallbase.auth import accounts, keys
    from tests.helpers.auth import TEST_ACTOR

    with write_session(app.state.engine) as session:  # through the store: it clears the cache
        accounts.set_active(session, TEST_ACTOR, clock(), "sup", False)
    _refusal(client.get("/office", headers=auth), 401, "credential_invalid")
    with write_session(app.state.engine) as session:
        accounts.set_active(session, TEST_ACTOR, clock(), "sup", True)
    assert client.get("/office", headers=auth).status_code == 200
    # A change behind the store's back (another instance's) shows within the hold time.
    with write_session(app.state.engine) as session:
        session.execute(update(Account).values(active=False))
    assert client.get("/office", headers=auth).status_code == 200  # still held
    CREDENTIALS.clear()  # as the hold time running out does
    _refusal(client.get("/office", headers=auth), 401, "credential_invalid")
    with write_session(app.state.engine) as session:
        session.execute(update(Account).where(col(Account.username) == "sup").values(active=True))
    CREDENTIALS.clear()

    with write_session(app.state.engine) as session:
        keys.revoke_token(session, TEST_ACTOR, clock(), account_id=1, username="sup", token_id=1)
    _refusal(client.get("/office", headers=auth), 401, "credential_invalid")


def test_sessions_expire_when_idle_and_at_their_end(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    add_account(app, "boss", "director")
    sign_in(client, "boss")
    idle = app.state.settings.session_idle_minutes
    for _ in range(3):  # kept alive by use, well past the idle time
        clock.advance(minutes=idle - 1)
        assert client.get("/office").status_code == 200
    clock.advance(minutes=idle)
    _refusal(client.get("/office"), 401, "credential_invalid")
    sign_in(client, "boss")
    for _ in range(app.state.settings.session_max_hours * 2):
        clock.advance(minutes=30)
        last = client.get("/office")
    _refusal(last, 401, "credential_invalid")
    client.cookies.set(SESSION_COOKIE, "forged")
    _refusal(client.get("/office"), 401, "credential_invalid")
