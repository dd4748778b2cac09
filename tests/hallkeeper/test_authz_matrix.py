"""Who may call what, outside the queue (kiosk/): every route × every kind of caller.

The table below is written from the hall's matrix of roles (issue 15), not read off the code:
for each route, the callers it admits. Every other caller is refused: 401 without a credential,
403 with the wrong role or key. An admitted caller's request is made harmless (an unknown id,
a body that does not validate), so it answers 2xx/404/422, never 401/403. What a role may do
within its scope (own records, a window lead's unit) is tested after the table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from hallbase.auth import api_routes, route_rules
from hallbase.auth.models import AuditEntry
from hallbase.db import read_session
from hallbase.settings import load_settings
from hallkeeper.app import create_app
from tests.helpers.attendance import Clock, at
from tests.helpers.auth import add_account, api_token, login, machine_key

# The callers: people (username, grant, 工号) and machines (kind, scope).
PEOPLE = {
    "admin": ("admin", None),
    "supervisor": ("supervisor", None),
    "duty_chief": ("duty_chief", "ZW003"),
    "lead_a": ("window_lead:unit:SCJ", "SC001"),  # window 1 is SCJ's (SC001, SC002)
    "lead_b": ("window_lead:unit:RSJ", "RS001"),  # another unit's lead
    "leader": ("leader_in_charge", "ZW002"),
    "director": ("director", "ZW001"),
    "staff": ("staff", "SC002"),
}
MACHINES = {
    "kiosk": "hall",
    "hall_board": "hall",
    "window_board": "window:1",
    "rating_pad": "window:1",
    "keypad_bridge": "window:1",
    "terminal": "hall",
}
ALL = {"anonymous", *PEOPLE, *MACHINES}
OFFICE = {"admin", "supervisor", "duty_chief", "lead_a", "lead_b", "leader", "director"}
PERSONS = OFFICE | {"staff"}
ADMIN = {"admin"}
AUDITORS = {"admin", "supervisor"}  # devices, punches held back
DUTY_READERS = {"admin", "supervisor", "duty_chief", "leader", "director"}
DUTY_SIGNERS = {"admin", "duty_chief"}
AWAY_KEEPERS = {"admin", "supervisor", "duty_chief", "lead_a", "lead_b"}  # leads: their windows

N = "999999"  # an id nobody has
DAY = "2026-03-10"
DAYS = {"date_from": DAY, "date_to": DAY}


@dataclass(frozen=True)
class Call:
    method: str
    route: str  # the route's path as the app declares it
    allowed: set[str]
    path: str = ""  # the concrete path (default: the route's)
    kw: dict[str, Any] = field(default_factory=dict)


def crud(route: str, key: str, body: dict[str, Any], readers: set[str]) -> list[Call]:
    item = route + "/{value}"
    return [
        Call("GET", route, readers),
        Call("GET", item, readers, f"{route}/{key}"),
        Call("POST", route, ADMIN, kw={"json": {}}),
        Call("PATCH", item, ADMIN, f"{route}/NOPE", {"json": body}),
        Call("DELETE", item, ADMIN, f"{route}/NOPE"),
    ]


A = "/api/v1/attendance"
PRIVACY = "/api/v1/privacy"
P = PRIVACY + "/people/{staff_no}"
ACCOUNT = "/api/v1/auth/accounts/{username}"
TABLE: list[Call] = [
    Call("GET", "/healthz", ALL),
    Call("GET", "/", ALL),
    Call("GET", "/login", ALL),
    Call("POST", "/login", ALL, kw={"data": {}}),
    Call("POST", "/api/v1/auth/login", ALL, kw={"json": {}}),
    Call("GET", "/api/v1/auth/me", PERSONS | set(MACHINES)),
    Call("POST", "/api/v1/auth/logout", PERSONS),
    Call("GET", "/api/v1/auth/tokens", PERSONS),
    Call("POST", "/api/v1/auth/tokens", PERSONS, kw={"json": {}}),
    Call("DELETE", "/api/v1/auth/tokens/{token_id}", PERSONS, f"/api/v1/auth/tokens/{N}"),
    Call("GET", "/api/v1/auth/accounts", ADMIN),
    Call("POST", "/api/v1/auth/accounts", ADMIN, kw={"json": {}}),
    Call("GET", ACCOUNT, ADMIN, "/api/v1/auth/accounts/nobody"),
    Call("POST", f"{ACCOUNT}/disable", ADMIN, "/api/v1/auth/accounts/nobody/disable"),
    Call("POST", f"{ACCOUNT}/enable", ADMIN, "/api/v1/auth/accounts/nobody/enable"),
    Call("POST", f"{ACCOUNT}/password", ADMIN, "/api/v1/auth/accounts/nobody/password",
         {"json": {}}),
    Call("POST", f"{ACCOUNT}/grants", ADMIN, "/api/v1/auth/accounts/nobody/grants",
         {"json": {}}),
    Call("DELETE", f"{ACCOUNT}/grants/{{grant_id}}", ADMIN,
         f"/api/v1/auth/accounts/nobody/grants/{N}"),
    Call("GET", "/api/v1/auth/keys", ADMIN),
    Call("POST", "/api/v1/auth/keys", ADMIN, kw={"json": {}}),
    Call("DELETE", "/api/v1/auth/keys/{key_id}", ADMIN, f"/api/v1/auth/keys/{N}"),
    Call("GET", "/api/v1/audit", ADMIN),
    Call("GET", "/openapi.json", PERSONS),
    Call("GET", "/docs", PERSONS),
    Call("GET", "/docs/oauth2-redirect", PERSONS),
    Call("GET", "/redoc", PERSONS),
    # The hall model: the office reads (the kiosk its services), the admin changes.
    Call("GET", "/api/v1/hall", OFFICE),
    Call("PATCH", "/api/v1/hall", ADMIN, kw={"json": {"bogus": 1}}),
    Call("GET", "/api/v1/calendar", OFFICE, kw={"params": DAYS}),
    Call("GET", "/api/v1/holidays", OFFICE),
    Call("POST", "/api/v1/holidays/import", ADMIN, kw={"json": {}}),
    Call("PUT", "/api/v1/holidays/{day}", ADMIN, f"/api/v1/holidays/{DAY}", {"json": {}}),
    Call("DELETE", "/api/v1/holidays/{day}", ADMIN, "/api/v1/holidays/2030-01-02"),
    *crud("/api/v1/units", "SCJ", {"name": "x"}, OFFICE),
    *crud("/api/v1/staff", "SC003", {"name": "x"}, OFFICE),
    *crud("/api/v1/services", "company_setup", {"name": "x"}, OFFICE | {"kiosk"}),
    Call("GET", "/api/v1/windows", OFFICE),
    Call("GET", "/api/v1/windows/{number}", OFFICE, "/api/v1/windows/1"),
    Call("POST", "/api/v1/windows", ADMIN, kw={"json": {}}),
    Call("PATCH", "/api/v1/windows/{number}", ADMIN, f"/api/v1/windows/{N}", {"json": {}}),
    Call("DELETE", "/api/v1/windows/{number}", ADMIN, f"/api/v1/windows/{N}"),
    Call("GET", "/api/v1/schedules", OFFICE),
    Call("PUT", "/api/v1/schedules/{name}", ADMIN, "/api/v1/schedules/x", {"json": {}}),
    # Terminals: the admin and the supervisor see them; the admin approves, binds, syncs.
    Call("GET", "/api/v1/devices", AUDITORS),
    Call("GET", "/api/v1/devices/{serial}/quarantined", AUDITORS,
         "/api/v1/devices/SN1/quarantined"),
    Call("POST", "/api/v1/devices/{serial}/approve", ADMIN, "/api/v1/devices/bad!/approve"),
    Call("POST", "/api/v1/devices/{serial}/sync-users", ADMIN, "/api/v1/devices/NOPE/sync-users"),
    Call("PUT", "/api/v1/devices/{serial}/binding", ADMIN, "/api/v1/devices/NOPE/binding",
         {"json": {}}),
    Call("POST", "/api/v1/devices/{serial}/set-clock", ADMIN, "/api/v1/devices/NOPE/set-clock"),
    Call("GET", "/devices", OFFICE),
    # Punches: the admin enters and credits them; the admin and supervisor read the rest.
    Call("POST", "/api/v1/punches", ADMIN, kw={"json": "x"}),
    Call("GET", "/api/v1/punches/unmapped", AUDITORS),
    Call("GET", "/api/v1/punches/unmapped/pins", AUDITORS),
    Call("POST", "/api/v1/punches/unmapped/assign", ADMIN, kw={"json": {}}),
    Call("GET", "/api/v1/punches/assignments", AUDITORS),
    Call("GET", "/api/v1/punches/quarantined", AUDITORS),
    # Attendance: everyone logged in has their days and requests (staff their own).
    Call("GET", f"{A}/days", PERSONS, kw={"params": DAYS}),
    Call("GET", f"{A}/months/{{month}}", OFFICE, f"{A}/months/2026-13"),
    Call("GET", f"{A}/board", OFFICE),
    # Report jobs: the month's callers; each sees their own jobs only.
    Call("POST", f"{A}/months/{{month}}/jobs", OFFICE, f"{A}/months/2026-13/jobs"),
    Call("GET", f"{A}/report-jobs", OFFICE),
    Call("GET", f"{A}/report-jobs/{{job_id}}", OFFICE, f"{A}/report-jobs/{N}"),
    Call("GET", f"{A}/report-jobs/{{job_id}}/file", OFFICE, f"{A}/report-jobs/{N}/file"),
    Call("POST", f"{A}/report-jobs/{{job_id}}/cancel", OFFICE, f"{A}/report-jobs/{N}/cancel"),
    Call("GET", "/attendance/reports", OFFICE),
    Call("POST", f"{A}/rederive", ADMIN),
    Call("GET", f"{A}/duty/{{day}}", DUTY_READERS, f"{A}/duty/{DAY}"),
    Call("POST", f"{A}/duty/{{day}}/sign", DUTY_SIGNERS, f"{A}/duty/2099-01-01/sign",
         {"json": {}}),
    *(
        call
        for kind in ("leaves", "outs", "makeups")
        for call in (
            Call("POST", f"{A}/{kind}", PERSONS, kw={"json": {"bogus": 1}}),
            Call("GET", f"{A}/{kind}", PERSONS),
            Call("POST", f"{A}/{kind}/{{ident}}/{{action}}", PERSONS, f"{A}/{kind}/{N}/approve"),
        )
    ),
    # The rules' checks before filing: as the filing, for oneself (a lead: their scope).
    *(Call("POST", f"{A}/{kind}/check", PERSONS, kw={"json": {"bogus": 1}})
      for kind in ("leaves", "outs", "makeups")),
    Call("PUT", f"{A}/leaves/{{ident}}/substitute", PERSONS, f"{A}/leaves/{N}/substitute",
         {"json": {"substitute": "SC003"}}),
    Call("POST", f"{A}/away", AWAY_KEEPERS, kw={"json": {}}),
    Call("POST", f"{A}/away/{{ident}}/end", AWAY_KEEPERS, f"{A}/away/{N}/end",
         {"json": {"end": f"{DAY}T10:00"}}),
    Call("GET", f"{A}/away", PERSONS),
    Call("GET", "/attendance/board", OFFICE),
    Call("GET", "/attendance/month", OFFICE, kw={"params": {"month": "2026-13"}}),
    Call("GET", "/attendance/duty", DUTY_READERS, kw={"params": {"day": DAY}}),
    # The phone pages: one's own record; a person's for those reaching them (staff: self);
    # the approvals inbox for the office (empty for roles outside the leave chain).
    Call("GET", "/attendance/me", PERSONS),
    Call("GET", "/attendance/people/{staff_no}", PERSONS - {"lead_b"}, "/attendance/people/SC002"),
    Call("GET", "/attendance/approvals", OFFICE),
    # Supervisors' alerts (the alerts branch's rule: the hall-wide office, no window lead).
    Call("GET", "/api/v1/alerts", DUTY_READERS),
    Call("POST", "/api/v1/alerts/{alert_id}/ack", DUTY_READERS, f"/api/v1/alerts/{N}/ack",
         {"json": {}}),
    # The office pages: the office reads, the admin's pages and forms change (through the API).
    *(Call("GET", f"/office{page}", OFFICE)
      for page in ("", "/windows", "/services", "/staff", "/units", "/schedules", "/calendar")),
    *(Call("GET", f"/office/{page}", ADMIN) for page in ("accounts", "keys", "audit")),
    Call("GET", "/office/terminals", AUDITORS),  # the terminals and the punches they send
    Call("GET", "/office/staff/export.{kind}", OFFICE, "/office/staff/export.pdf"),
    Call("POST", "/office/staff/import", ADMIN, kw={"data": {}}),
    Call("POST", "/office/explain", OFFICE, kw={"json": {}}),
    # Privacy: the admin offboards and purges; a person's export is the admin's and their own.
    Call("GET", f"{P}/export", ADMIN | {"staff"}, f"{PRIVACY}/people/SC002/export"),
    Call("POST", f"{P}/offboard", ADMIN, f"{PRIVACY}/people/NOPE/offboard", {"json": {}}),
    Call("GET", f"{P}/offboarding", ADMIN, f"{PRIVACY}/people/NOPE/offboarding"),
    Call("GET", f"{PRIVACY}/retention", ADMIN),
    Call("POST", f"{PRIVACY}/purge", ADMIN, kw={"json": {}}),
]  # fmt: skip


@dataclass
class Matrix:
    client: TestClient
    headers: dict[str, dict[str, str]]
    app: Any


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    """One hall on SQLite with an account or key for every caller (the table only reads)."""
    data: Path = tmp_path_factory.mktemp("matrix")
    settings = load_settings(data_dir=data, database_url="", mqtt_url="")
    app = create_app(settings, clock=Clock(at("10:00")))
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for name, (grant, staff_no) in PEOPLE.items():
        add_account(app, name, grant, staff_no=staff_no)
        headers[name] = {"Authorization": f"Bearer {api_token(app, name)}"}
    for kind, scope in MACHINES.items():
        headers[kind] = {"X-Hall-Key": machine_key(app, kind, scope, name=kind)}
    # No lifespan: nothing runs in the background while the table is read.
    yield Matrix(TestClient(app, raise_server_exceptions=False), headers, app)


def _outside_kiosk(app: Any) -> dict[tuple[str, str], Any]:
    routes = {}
    for route in api_routes(app):
        if route.endpoint.__module__.split(".")[0] != "kiosk":
            for method in route.methods:
                routes[(method, route.path)] = route
    return routes


def _terminal(path: str) -> bool:
    return path.startswith(("/iclock/", "/adms/{push_key}/iclock/"))


def test_every_route_outside_the_queue_says_who_may_call_it(matrix: Matrix) -> None:
    routes = _outside_kiosk(matrix.app)
    assert len(routes) > 100
    for (method, path), route in routes.items():
        assert route_rules(route), f"{method} {path} has no rule"
    tabled = {(c.method, c.route) for c in TABLE}
    untabled = {key for key in routes if not _terminal(key[1])} - tabled
    assert untabled == set()  # the table has every route but the terminals' (below)
    assert tabled - set(routes) == set()  # and no route the app does not have


def test_every_route_of_the_app_says_who_may_call_it(matrix: Matrix) -> None:
    """The queue's routes too (their table is tests/kiosk/test_authz_matrix.py)."""
    routes = api_routes(matrix.app)
    assert any(r.endpoint.__module__.startswith("kiosk") for r in routes)
    assert [f"{r.methods} {r.path}" for r in routes if not route_rules(r)] == []


def test_terminals_are_anonymous_by_rule_and_bound_in_the_route(matrix: Matrix) -> None:
    """A terminal sends no credential: its routes are marked anonymous for terminals, and
    each admits only an approved serial matching its binding (tested in test_binding)."""
    terminal_routes = [r for (_m, p), r in _outside_kiosk(matrix.app).items() if _terminal(p)]
    assert len(terminal_routes) >= 40  # /iclock/... and /adms/{key}/iclock/..., with .aspx
    for route in terminal_routes:
        (rule,) = route_rules(route)
        assert rule.anonymous and rule.machines == {"terminal"} and not rule.roles


@pytest.mark.parametrize("call", TABLE, ids=lambda c: f"{c.method} {c.route}")
def test_only_the_intended_callers_are_let_in(matrix: Matrix, call: Call) -> None:
    wrong: list[str] = []
    for caller in sorted(ALL):
        answer = matrix.client.request(
            call.method, call.path or call.route, headers=matrix.headers[caller], **call.kw
        )
        if caller in call.allowed:
            ok = answer.status_code not in (401, 403) and answer.status_code < 500
        else:
            ok = answer.status_code == (401 if caller == "anonymous" else 403)
        if not ok:
            wrong.append(f"{caller}: {answer.status_code} {answer.text[:120]}")
    assert wrong == []


def test_health_tells_strangers_the_status_only(matrix: Matrix) -> None:
    anonymous = matrix.client.get("/healthz").json()
    assert set(anonymous) == {"ok", "status"}
    kiosk = matrix.client.get("/healthz", headers=matrix.headers["kiosk"]).json()
    assert set(kiosk) == {"ok", "status"}
    office = matrix.client.get("/healthz", headers=matrix.headers["duty_chief"]).json()
    assert {"database", "devices", "devices_pending"} <= set(office)


def test_landing_page_shows_login_to_strangers_and_pages_by_role(matrix: Matrix) -> None:
    stranger = matrix.client.get("/").text
    assert 'href="/login' in stranger and "/attendance/board" not in stranger
    assert "/api/v1/staff" not in stranger and "/devices" not in stranger
    staff = matrix.client.get("/", headers=matrix.headers["staff"]).text
    assert "/attendance/board" not in staff and "/api/v1/staff" not in staff
    assert "/attendance/me" in staff and "/attendance/approvals" not in staff
    lead = matrix.client.get("/", headers=matrix.headers["lead_a"]).text
    assert "/attendance/board" in lead and "/attendance/duty" not in lead
    assert "/attendance/me" in lead and "/attendance/approvals" in lead
    chief = matrix.client.get("/", headers=matrix.headers["duty_chief"]).text
    assert "/attendance/duty" in chief and "/office/staff" in chief
    assert "/office/staff" not in staff and "/office/staff" not in stranger


def test_every_response_carries_the_security_headers(matrix: Matrix) -> None:
    for path, who in (("/", "anonymous"), ("/api/v1/hall", "anonymous"), ("/devices", "admin")):
        answer = matrix.client.get(path, headers=matrix.headers[who])
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
    docs = matrix.client.get("/docs", headers=matrix.headers["staff"])
    assert "script-src 'self' 'sha256-" in docs.headers["content-security-policy"]


def test_a_cookie_change_needs_the_csrf_token(matrix: Matrix) -> None:
    browser = TestClient(matrix.app)
    add_account(matrix.app, "csrf-admin", "admin")
    token = login(browser, "csrf-admin")
    del browser.headers["X-CSRF-Token"]  # a page of another site posts with the cookie only
    body = {"code": "CSRF1", "name": "跨站"}
    forged = browser.post("/api/v1/units", json=body)
    assert forged.status_code == 403 and forged.json()["code"] == "csrf_failed"
    plain = browser.post("/api/v1/units", content="{}", headers={"content-type": "text/plain"})
    assert plain.status_code == 403
    done = browser.post("/api/v1/units", json=body, headers={"X-CSRF-Token": token})
    assert done.status_code == 201
    with read_session(matrix.app.state.engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.target == "unit:CSRF1")).one()
    assert entry.action == "unit.create" and entry.actor_name == "csrf-admin"
