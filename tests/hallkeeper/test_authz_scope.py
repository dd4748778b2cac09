"""Within a role: staff see and file their own, a window lead their unit's; approvals are the
caller's along the leave chain; terminals are bound; every change is audited and the chain holds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select
from typer.testing import CliRunner

from attendance.models import LeaveRequest
from hallbase.auth.audit import verify
from hallbase.auth.models import AuditEntry
from hallbase.db import read_session
from hallbase.settings import Settings
from hallkeeper.app import create_app
from hallkeeper.cli import app as cli
from tests.helpers.attendance import DAY, Clock, Hall, at
from tests.helpers.auth import admin_headers, as_staff

A = "/api/v1/attendance"


@pytest.fixture
def hall(any_engine: Engine, settings: Settings) -> Iterator[Hall]:
    """The app at 07:00 on `DAY`, called by an admin unless a test sends another's headers."""
    clock = Clock(at("07:00"))
    app = create_app(settings, engine=any_engine, clock=clock)
    yield Hall(TestClient(app, headers=admin_headers(app)), any_engine, clock, settings)


DAYS = {"date_from": DAY.isoformat(), "date_to": DAY.isoformat()}


def _as(hall: Hall, staff_no: str) -> dict[str, str]:
    return as_staff(hall.client.app, staff_no)


def _leave(hall: Hall, who: str, **body: object) -> dict[str, object]:
    answer = hall.client.post(f"{A}/leaves", json=body, headers=_as(hall, who))
    assert answer.status_code == 201, answer.text
    result: dict[str, object] = answer.json()
    return result


HALF = {"kind": "personal", "start_date": "2026-03-11", "start_half": "am", "end_half": "am"}


def test_staff_see_and_file_their_own_and_a_lead_their_units(hall: Hall) -> None:
    staff, lead_a, lead_b = _as(hall, "SC002"), _as(hall, "SC001"), _as(hall, "RS001")
    mine = hall.client.get(f"{A}/days", params=DAYS, headers=staff).json()["data"]
    assert mine and {d["staff_no"] for d in mine} == {"SC002"}
    other = hall.client.get(f"{A}/days", params=DAYS | {"staff_no": "SC003"}, headers=staff)
    assert other.status_code == 403 and other.json()["code"] == "out_of_scope"
    units = hall.client.get(f"{A}/days", params=DAYS, headers=lead_a).json()["data"]
    assert {d["staff_no"] for d in units} == {"SC001", "SC002", "SC003"}  # SCJ's
    assert hall.client.get(f"{A}/board", headers=lead_b).json()["count"] == 2  # RSJ's
    own = _leave(hall, "SC002", **HALF)  # no staff_no: their login's
    assert own["staff_no"] == "SC002"
    for_other = hall.client.post(f"{A}/leaves", json=HALF | {"staff_no": "SC003"}, headers=staff)
    assert for_other.status_code == 403
    by_b = hall.client.post(f"{A}/leaves", json=HALF | {"staff_no": "SC003"}, headers=lead_b)
    assert by_b.status_code == 403 and by_b.json()["code"] == "out_of_scope"
    by_a = hall.client.post(f"{A}/leaves", json=HALF | {"staff_no": "SC003"}, headers=lead_a)
    assert by_a.status_code == 201, by_a.text
    listed = hall.client.get(f"{A}/leaves", headers=staff).json()["data"]
    assert [row["staff_no"] for row in listed] == ["SC002"]
    assert (
        hall.client.get(f"{A}/leaves", params={"staff_no": "SC003"}, headers=lead_b).status_code
        == 403
    )
    assert len(hall.client.get(f"{A}/leaves", headers=lead_a).json()["data"]) == 2


def test_approvals_are_the_callers_along_the_chain(hall: Hall) -> None:
    leave = _leave(hall, "SC003", **HALF)
    url = f"{A}/leaves/{leave['id']}"
    other_unit = hall.client.post(f"{url}/approve", headers=_as(hall, "RS001"))
    assert other_unit.status_code == 403 and other_unit.json()["code"] == "out_of_scope"
    named = hall.client.post(
        f"{url}/approve", json={"approver": "ZW001"}, headers=_as(hall, "SC001")
    )
    assert named.status_code == 403  # the body may not name another approver
    withdrawn_by_other = hall.client.post(f"{url}/cancel", headers=_as(hall, "SC002"))
    assert withdrawn_by_other.status_code == 403
    ok = hall.client.post(f"{url}/approve", headers=_as(hall, "SC001"))
    assert ok.status_code == 200 and ok.json()["approved_by"] == "SC001"
    # An approved leave: its requester can no longer withdraw it, the admin can.
    assert hall.client.post(f"{url}/cancel", headers=_as(hall, "SC003")).status_code == 403
    assert hall.client.post(f"{url}/cancel").status_code == 200
    own = _leave(hall, "SC001", **HALF)
    refused = hall.client.post(f"{A}/leaves/{own['id']}/approve", headers=_as(hall, "SC001"))
    assert refused.status_code == 403 and "own" in refused.json()["detail"]
    withdrawn = hall.client.post(f"{A}/leaves/{own['id']}/cancel", headers=_as(hall, "SC001"))
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "cancelled"


def test_away_by_hand_within_the_leads_windows(hall: Hall) -> None:
    body = {"window": 1, "start": f"{DAY}T09:00", "end": f"{DAY}T09:10"}
    other = hall.client.post(f"{A}/away", json=body, headers=_as(hall, "RS001"))
    assert other.status_code == 403 and other.json()["code"] == "out_of_scope"
    staff = hall.client.post(f"{A}/away", json=body, headers=_as(hall, "SC002"))
    assert staff.status_code == 403
    done = hall.client.post(f"{A}/away", json=body, headers=_as(hall, "SC001"))
    assert done.status_code == 201, done.text


def test_changes_are_audited_and_the_chain_verifies(hall: Hall) -> None:
    client = hall.client  # the admin
    assert client.post("/api/v1/units", json={"code": "AUD", "name": "审计"}).status_code == 201
    assert (
        client.put(
            "/api/v1/holidays/2026-03-12", json={"workday": False, "note": "停电"}
        ).status_code
        == 200
    )
    leave = _leave(hall, "SC003", **HALF, reason="家中有事")
    assert (
        client.post(f"{A}/leaves/{leave['id']}/approve", headers=_as(hall, "SC001")).status_code
        == 200
    )
    hall.clock.set("12:00")
    hall.punch("SC003", "08:31")
    made = client.post(
        f"{A}/makeups", json={"staff_no": "SC002", "date": str(DAY), "slot": "am_in"}
    )
    assert made.status_code == 201, made.text
    away = client.post(f"{A}/away", json={"window": 1, "start": f"{DAY}T10:00"})
    assert (
        client.post(f"{A}/away/{away.json()['id']}/end", json={"end": f"{DAY}T10:05"}).status_code
        == 200
    )
    assert client.post("/api/v1/devices/SN0001/approve").status_code == 200
    chief = _as(hall, "ZW003")
    assert (
        client.post(f"{A}/duty/{DAY}/sign", json={"note": "已核"}, headers=chief).status_code == 200
    )
    with read_session(hall.engine) as session:
        entries = list(session.exec(select(AuditEntry).order_by(AuditEntry.seq)))  # type: ignore[arg-type]
        assert verify(session).intact
        stored = session.get(LeaveRequest, leave["id"])
    actions = {e.action: e for e in entries}
    for action in ("unit.create", "holiday.override", "leave.file", "leave.approve",
                   "punch.manual", "makeup.file", "away.start", "away.end", "device.approve",
                   "duty.sign"):  # fmt: skip
        assert action in actions, action
    approval = actions["leave.approve"]
    assert approval.actor_name == "as-SC001" and approval.target == f"leave:{leave['id']}"
    assert '"status":"pending"' in (approval.before or "") and '"approved"' in (
        approval.after or ""
    )
    assert (
        actions["leave.file"].reason == "家中有事" and actions["holiday.override"].reason == "停电"
    )
    assert stored is not None and stored.approved_by == "SC001"
    env = {"HALLKEEPER_DATABASE_URL": hall.engine.url.render_as_string(hide_password=False),
           "HALLKEEPER_DATA_DIR": str(hall.settings.data_dir)}  # fmt: skip
    result = CliRunner().invoke(cli, ["audit", "verify"], env=env)
    assert result.exit_code == 0 and "chain intact" in result.output, result.output


def test_a_terminal_bound_to_a_key_or_an_address(hall: Hall) -> None:
    client, sn = hall.client, "SN0002"
    assert client.post(f"/api/v1/devices/{sn}/approve").status_code == 200
    assert client.get(f"/iclock/getrequest?SN={sn}").text == "OK"  # bound by serial only
    bound = client.put(f"/api/v1/devices/{sn}/binding", json={"generate_key": True})
    assert bound.status_code == 200 and bound.json()["key_set"] is True
    key = bound.json()["key"]
    assert client.get(f"/iclock/getrequest?SN={sn}").status_code == 403
    assert client.get(f"/iclock/getrequest?SN={sn}&key=wrong-key").status_code == 403
    assert client.get(f"/iclock/getrequest?SN={sn}&key={key}").text == "OK"
    assert client.get(f"/adms/{key}/iclock/getrequest?SN={sn}").text == "OK"
    attlog = f"1001\t{DAY} 08:20:00\t0\t1\t0\t0\n".encode()
    forged = client.post(f"/iclock/cdata?SN={sn}&table=ATTLOG&Stamp=1", content=attlog)
    assert forged.status_code == 403
    stored = client.post(f"/adms/{key}/iclock/cdata?SN={sn}&table=ATTLOG&Stamp=1", content=attlog)
    assert stored.text == "OK"
    listed = client.get("/api/v1/devices").json()["data"]
    assert next(d for d in listed if d["serial"] == sn)["binding"] == {
        "address": None,
        "key_set": True,
    }
    assert key not in client.get("/api/v1/devices").text
    by_address = client.put(f"/api/v1/devices/{sn}/binding", json={"address": "10.0.8.0/24"})
    assert by_address.json() == {
        "serial": sn,
        "address": "10.0.8.0/24",
        "key_set": False,
        "key": None,
    }
    assert client.get(f"/iclock/getrequest?SN={sn}&key={key}").status_code == 403  # not from there
    supervisor = hall.client.put(
        f"/api/v1/devices/{sn}/binding", json={}, headers=_as(hall, "ZW003")
    )
    assert supervisor.status_code == 403
    env = {"HALLKEEPER_DATABASE_URL": hall.engine.url.render_as_string(hide_password=False),
           "HALLKEEPER_DATA_DIR": str(hall.settings.data_dir)}  # fmt: skip
    result = CliRunner().invoke(cli, ["attendance", "bind-terminal", sn], env=env)
    assert result.exit_code == 0, result.output
    assert client.get(f"/iclock/getrequest?SN={sn}").text == "OK"  # unbound again
