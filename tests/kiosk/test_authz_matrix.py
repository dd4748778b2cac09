"""Who may call each queue route and page: a table written from the issue's matrix (not read off
the code), checked against every caller; tampered and revoked keys, CSRF, throttling, masking.

The window under test is window 1 (A post SC001 of unit SCJ). "Own" machines are scoped to
window 1, "other" ones to window 3 (RS001 of unit RSJ). An allowed caller may still get 404,
409 or 422 (the request's data); a refused one gets exactly 401 (no or a bad credential) or
403 (a role, kind or scope that may not).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from hallbase.auth import keys as key_store
from hallbase.auth import route_rules
from hallbase.db import write_session
from tests.helpers.auth import TEST_ACTOR, add_account, api_token, login, machine_key
from tests.helpers.queue import act, take

PEOPLE = {
    "admin": ("admin", None),
    "supervisor": ("supervisor", None),
    "duty_chief": ("duty_chief", None),
    "lead_in": ("window_lead:unit:SCJ", None),
    "lead_other": ("window_lead:unit:RSJ", None),
    "leader": ("leader_in_charge", None),
    "director": ("director", None),
    "staff_own": ("staff", "SC001"),
    "staff_other": ("staff", "RS001"),
}
MACHINES = {
    "kiosk": ("kiosk", "hall"),
    "hall_board": ("hall_board", "hall"),
    "wboard_own": ("window_board", "window:1"),
    "wboard_other": ("window_board", "window:3"),
    "pad_own": ("rating_pad", "window:1"),
    "pad_other": ("rating_pad", "window:3"),
    "bridge_own": ("keypad_bridge", "window:1"),
    "bridge_other": ("keypad_bridge", "window:3"),
}
CALLERS = ("anonymous", *PEOPLE, *MACHINES)

EVERYONE = frozenset(CALLERS)
ALL_PEOPLE = frozenset(PEOPLE)
OFFICE = frozenset(
    {"admin", "supervisor", "duty_chief", "lead_in", "lead_other", "leader", "director"}
)
OFFICE_IN_SCOPE = OFFICE - {"lead_other"}
HALL_WIDE = OFFICE - {"lead_in", "lead_other"}
AT_WINDOW = frozenset({"admin", "lead_in", "staff_own"})
WINDOW_ACTORS = AT_WINDOW | {"bridge_own"}
WINDOW_READERS = OFFICE_IN_SCOPE | {"staff_own", "bridge_own", "wboard_own"}
RATE_READERS = OFFICE_IN_SCOPE | {"staff_own", "bridge_own", "pad_own"}
KIOSK = frozenset({"admin", "kiosk"})

ACTIONS = (
    "call-next",
    "call",
    "recall",
    "start",
    "finish",
    "no-show",
    "suspend",
    "call-back",
    "pause",
    "resume",
    "away",
    "back",
    "transfer",
)
# (method, path, body, who may call it); {ticket}, {token}, {code}, {slot}, {item}, {voice}
# filled in.
TABLE: list[tuple[str, str, Any, frozenset[str]]] = [
    ("POST", "/api/v1/tickets", {"service": "consult"}, KIOSK),
    ("GET", "/api/v1/tickets/{ticket}", None, ALL_PEOPLE | {"kiosk", "pad_own"}),
    ("POST", "/api/v1/tickets/{ticket}/rating", "rating", frozenset({"pad_own"})),
    # Reprint: people who reach the ticket's window (it was served at window 1); not the kiosk.
    ("POST", "/api/v1/tickets/{ticket}/reprint", None, OFFICE_IN_SCOPE | {"staff_own"}),
    ("GET", "/api/v1/ticket-prints", None, HALL_WIDE),
    ("GET", "/api/v1/my-ticket/{token}", None, EVERYONE),
    ("POST", "/api/v1/my-ticket/{token}/rating", "rating", EVERYONE),
    ("GET", "/api/v1/queue", None, EVERYONE),
    ("GET", "/api/v1/board-live", None, EVERYONE),
    *(("POST", f"/api/v1/windows/1/{a}", {"ticket_id": 1}, WINDOW_ACTORS) for a in ACTIONS),
    ("GET", "/api/v1/windows/1/queue", None, WINDOW_READERS),
    ("GET", "/api/v1/windows/1/history", None, WINDOW_READERS),
    ("GET", "/api/v1/windows/1/to-rate", None, RATE_READERS),
    ("GET", "/api/v1/windows-live", None, ALL_PEOPLE),
    ("GET", "/api/v1/supervision", None, OFFICE),
    ("GET", "/api/v1/stats", None, OFFICE),
    ("GET", "/api/v1/stats/export.csv", None, OFFICE),
    ("GET", "/api/v1/stats/export.xlsx", None, OFFICE),
    ("GET", "/api/v1/queue-devices", None, OFFICE | {"kiosk"}),
    ("GET", "/api/v1/committed-items", None, OFFICE),
    ("POST", "/api/v1/committed-items/{item}/complete", None, AT_WINDOW),
    ("GET", "/api/v1/appointment-slots", None, EVERYONE),
    ("POST", "/api/v1/appointment-slots", "slot", frozenset({"admin"})),
    ("PATCH", "/api/v1/appointment-slots/{slot}", {"capacity": 50}, frozenset({"admin"})),
    ("POST", "/api/v1/appointments", "booking", EVERYONE),
    ("GET", "/api/v1/appointments/{code}", None, EVERYONE),
    ("POST", "/api/v1/appointments/check-in", {"code": "{code}"}, KIOSK),
    ("POST", "/api/v1/appointments/{code}/cancel", None, EVERYONE),
    ("GET", "/kiosk", None, KIOSK),
    ("GET", "/kiosk/service", None, HALL_WIDE),
    ("GET", "/board", None, EVERYONE),
    ("GET", "/api/v1/voice/{voice}.wav", None, EVERYONE),  # what the board plays: public
    ("GET", "/my-ticket/{token}", None, EVERYONE),
    ("GET", "/console", None, AT_WINDOW | {"lead_other", "staff_other"}),
    ("GET", "/console/1", None, AT_WINDOW),
    ("GET", "/rate/1", None, frozenset({"pad_own"})),
    ("GET", "/supervisor", None, OFFICE),
]
STREAMS = {"/api/v1/events"}  # public; what the public hears: tests/kiosk/test_events.py
RATING = {"attitude": 5, "quality": 5, "efficiency": 5, "integrity": 5, "overall": 5}


def _credentials(app: FastAPI) -> dict[str, dict[str, str]]:
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, (grant, staff_no) in PEOPLE.items():
        add_account(app, f"m_{name}", grant, staff_no=staff_no)
        headers[name] = {"Authorization": f"Bearer {api_token(app, f'm_{name}')}"}
    for name, (kind, scope) in MACHINES.items():
        headers[name] = {"X-Hall-Key": machine_key(app, kind, scope, name)}
    return headers


def _hall(client: TestClient) -> dict[str, Any]:
    """A ticket served at window 1 (a committed item), a slot and a booking."""
    served = take(client, "company_setup")
    act(client, 1, "call-next")
    act(client, 1, "start")
    act(client, 1, "finish")
    item = client.get("/api/v1/committed-items").json()["data"][0]["id"]
    slot = _slot(client, 14)
    code = _book(client, slot)
    return {
        "ticket": served["id"],
        "token": served["public_token"],
        "item": item,
        "slot": slot,
        "code": code,
        "voice": 1,  # the call's announcement (kept or not: only who may ask is tested)
    }


def _slot(client: TestClient, hour: int) -> int:
    body = {
        "service": "consult",
        "start": f"2026-11-23T{hour}:00+08:00",
        "end": f"2026-11-23T{hour}:30+08:00",
        "capacity": 50,
    }
    answer = client.post("/api/v1/appointment-slots", json=body)
    assert answer.status_code == 201, answer.text
    slot: int = answer.json()["id"]
    return slot


def _book(client: TestClient, slot: int, **extra: str) -> str:
    answer = client.post("/api/v1/appointments", json={"slot_id": slot, **extra})
    assert answer.status_code == 201, answer.text
    code: str = answer.json()["code"]
    return code


def _fill(text: str, data: dict[str, Any]) -> str:
    return text.format(**data)


def _body(body: Any, data: dict[str, Any], hour: int) -> Any:
    if body == "rating":
        return RATING
    if body == "slot":
        return {
            "service": "consult",
            "start": f"2026-11-23T{hour:02d}:00+08:00",
            "end": f"2026-11-23T{hour:02d}:05+08:00",
            "capacity": 1,
        }
    if body == "booking":
        return {"slot_id": data["slot"]}
    if isinstance(body, dict):
        return {k: _fill(v, data) if isinstance(v, str) else v for k, v in body.items()}
    return body


def test_every_queue_route_is_in_the_table(app: FastAPI, client: TestClient) -> None:
    listed = {(m, p) for m, p, _b, _w in TABLE}
    mine = set()
    for route in iter_route_contexts(app.routes):  # included routers' routes with their prefix
        endpoint = route.endpoint
        if endpoint is None or not endpoint.__module__.startswith("kiosk."):
            continue
        for method in route.methods or ():
            if method != "HEAD":
                mine.add((method, str(route.path)))
        assert route_rules(route.original_route), f"{route.path} says nobody who may call it"
    assert len(mine) > 40
    templated = {(m, p.replace("{number}", "1")) for m, p in mine}
    named = {
        (m, p.replace("{ticket}", "{ticket_id}").replace("{slot}", "{slot_id}")) for m, p in listed
    }
    named = {(m, p.replace("{item}", "{item_id}")) for m, p in named}
    named = {(m, p.replace("{voice}", "{voice_id}")) for m, p in named}
    assert templated - named == {("GET", s) for s in STREAMS}
    assert named - templated == set()


def test_each_caller_gets_only_its_answers(app: FastAPI, client: TestClient) -> None:
    data = _hall(client)
    headers = _credentials(app)
    anyone = TestClient(app)
    wrong = []
    hour = 7
    for method, path, body, allowed in TABLE:
        for caller in CALLERS:
            hour += 0 if body != "slot" else 1
            url = _fill(path, data)
            given = _body(body, data, hour % 24)
            answer = anyone.request(method, url, json=given, headers=headers[caller])
            status = answer.status_code
            if caller in allowed:
                ok = status not in (401, 403) and status < 500
            else:
                ok = status == (401 if caller == "anonymous" else 403)
            if not ok:
                wrong.append(f"{method} {url} as {caller}: {status} {answer.text[:80]}")
    assert wrong == []


def test_tampered_and_revoked_keys_are_refused(app: FastAPI, client: TestClient) -> None:
    key = machine_key(app, "kiosk", "hall", "kiosk 1")
    anyone = TestClient(app)

    def take_with(value: str) -> int:
        body = {"service": "consult"}
        return anyone.post("/api/v1/tickets", json=body, headers={"X-Hall-Key": value}).status_code

    assert take_with(key) == 201
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert take_with(tampered) == 401
    assert anyone.get(f"/kiosk?key={tampered}").status_code == 401
    with write_session(app.state.engine) as session:
        key_store.revoke_key(session, TEST_ACTOR, app.state.clock(), 1)
    assert take_with(key) == 401  # at once, although it was verified a moment ago


def test_console_changes_need_the_csrf_token(app: FastAPI, client: TestClient) -> None:
    add_account(app, "wang", "staff", staff_no="SC001")
    browser = TestClient(app)
    csrf = login(browser, "wang")
    del browser.headers["X-CSRF-Token"]
    answer = browser.post("/api/v1/windows/1/pause")
    assert (answer.status_code, answer.json()["code"]) == (403, "csrf_failed")
    page = browser.get("/console/1")
    assert page.status_code == 200 and csrf in page.text  # the page hands its token over
    assert browser.post("/api/v1/windows/1/pause", headers={"X-CSRF-Token": csrf}).is_success
    # Window staff act as themselves: they may not name a colleague.
    named = browser.post(
        "/api/v1/windows/1/back", json={"staff_no": "SC002"}, headers={"X-CSRF-Token": csrf}
    )
    assert named.status_code == 403


def test_console_without_login_goes_to_the_login_page(app: FastAPI, client: TestClient) -> None:
    answer = TestClient(app).get(
        "/console/1", headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")


def test_look_ups_by_code_are_throttled_per_address(app: FastAPI, client: TestClient) -> None:
    anyone = TestClient(app)
    for _ in range(20):
        assert anyone.get("/api/v1/appointments/0000000000000000").status_code == 404
    answer = anyone.get("/api/v1/appointments/0000000000000000")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
    body = answer.json()
    assert body["code"] == "too_many" and "请" in body["message"]["zh"]
    assert anyone.post("/api/v1/appointments/0000000000000000/cancel").status_code == 429
    app.state.clock.advance(minutes=10)
    assert anyone.get("/api/v1/appointments/0000000000000000").status_code == 404
    for _ in range(25):  # the hall's people are not throttled
        assert client.get("/api/v1/appointments/0000000000000000").status_code == 404


def test_name_and_phone_are_masked_for_the_public(app: FastAPI, client: TestClient) -> None:
    slot = _slot(client, 15)
    code = _book(client, slot, name="张小明", phone="13812345678")
    assert len(code) == 16 and code.isdigit()
    public = TestClient(app).get(f"/api/v1/appointments/{code}").json()
    assert (public["name"], public["phone"]) == ("张*明", "138****5678")
    kiosk = {"X-Hall-Key": machine_key(app, "kiosk")}
    by_kiosk = TestClient(app).get(f"/api/v1/appointments/{code}", headers=kiosk).json()
    assert (by_kiosk["name"], by_kiosk["phone"]) == ("张*明", "138****5678")
    office = client.get(f"/api/v1/appointments/{code}").json()
    assert (office["name"], office["phone"]) == ("张小明", "13812345678")
    booked = TestClient(app).post(
        "/api/v1/appointments", json={"slot_id": slot, "name": "李四", "phone": "13900001111"}
    )
    assert booked.status_code == 201
    assert (booked.json()["name"], booked.json()["phone"]) == ("李*", "139****1111")


@pytest.mark.parametrize("leg", ["first", "transferred"])
def test_the_citizen_sees_only_their_ticket_by_its_token(
    app: FastAPI, client: TestClient, leg: str
) -> None:
    ticket = take(client, "company_setup", priority_reason="disabled")
    token = ticket["public_token"]
    assert isinstance(token, str) and len(token) >= 22
    anyone = TestClient(app)
    assert anyone.get(f"/api/v1/tickets/{ticket['id']}").status_code == 401
    if leg == "transferred":
        app.state.clock.advance(minutes=3)
        act(client, 1, "call-next")
        act(client, 1, "start")
        act(client, 1, "transfer", to_window=2)
    mine = anyone.get(f"/api/v1/my-ticket/{token}")
    assert mine.status_code == 200
    seen = mine.json()
    assert seen["code"] == ticket["code"]
    assert seen["status"] == "waiting" and seen["rated"] is False
    for hidden in ("id", "staff_no", "priority_reason", "public_token", "appointment_id"):
        assert hidden not in seen
    # A transferred visit shows its new leg (issued at the transfer), not the first one.
    assert (seen["issued_at"] == ticket["issued_at"]) == (leg == "first")
    other = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert anyone.get(f"/api/v1/my-ticket/{other}").status_code == 404
    assert anyone.get("/api/v1/my-ticket/short").status_code == 422
