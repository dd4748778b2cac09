"""Offboarding against a ZK simulator and an ADMS simulator over real sockets, and a person's
export: their records and nobody else's, for the admin and the person only."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import col, select
from typer.testing import CliRunner

from attendance.models import Device, DeviceCommand, LeaveRequest, Punch
from attendance.terminals.users import user_plan
from devices.adms.simulator import AdmsTerminal
from devices.zk.simulator import ZKSimulator
from hallbase.auth import audit
from hallbase.auth.models import AuditEntry
from hallbase.db import read_session, write_session
from hallbase.models import Staff
from hallbase.settings import REPO_CONFIG, Settings, load_settings
from hallkeeper.app import create_app
from tests.helpers.auth import TEST_ACTOR, add_account, api_token, login
from tests.helpers.live_server import free_port, live_server
from tests.helpers.waiting import wait_until

TZ = ZoneInfo("Asia/Shanghai")
EXPORT = "/api/v1/privacy/people/{}/export"


def hall_settings(tmp_path: Path, devices: str = "") -> Settings:
    config = tmp_path / "hall.toml"
    config.write_text(REPO_CONFIG.read_text("utf-8") + devices, "utf-8")
    return load_settings(data_dir=tmp_path, database_url="", config=config, mqtt_url="")


def zk_entry(serial: str, port: int) -> str:
    return (
        f'\n[[devices]]\nserial = "{serial}"\nprotocol = "zk_tcp"\n'
        f'address = "127.0.0.1:{port}"\ntimeout_seconds = 2\n'
    )


def offboard_entries(engine: Engine) -> list[AuditEntry]:
    with read_session(engine) as session:
        query = select(AuditEntry).where(col(AuditEntry.action).startswith("staff.offboard"))
        return list(session.exec(query.order_by(col(AuditEntry.seq))).all())


def test_offboarding_removes_the_person_from_a_zk_terminal_and_reads_it_back(
    tmp_path: Path, any_engine: Engine
) -> None:
    nobody = free_port()  # a second terminal that does not answer
    with ZKSimulator("127.0.0.1", free_port(), serial="ZK-OFF") as zk:
        zk.add_user(1, "2001", "王芳")
        zk.add_user(2, "2002", "李强")
        devices = zk_entry("ZK-OFF", zk.port) + zk_entry("ZK-GONE", nobody)
        app = create_app(hall_settings(tmp_path, devices), engine=any_engine)
        client = TestClient(app)  # no lifespan: no poller talks to the simulator meanwhile
        add_account(app, "root", "admin")
        add_account(app, "wang", "staff", staff_no="SC001")
        login(client, "wang")
        refused = client.post("/api/v1/privacy/people/SC001/offboard", json={})
        assert refused.status_code == 403
        assert (
            TestClient(app).post("/api/v1/privacy/people/SC001/offboard", json={}).status_code
            == 401
        )
        login(client, "root")
        answer = client.post(
            "/api/v1/privacy/people/SC001/offboard", json={"reason": "transferred back"}
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        states = {t["device_sn"]: t["status"] for t in body["terminals"]}
        assert states == {"ZK-OFF": "removed", "ZK-GONE": "failed"}
        assert body["counts"] == {"removed": 1, "pending": 0, "failed": 1}
        assert "read back: not held" in body["terminals"][1]["detail"]
        assert sorted(u.pin for u in zk.device.users.values()) == ["2002"]
        today = datetime.now(TZ).date()
        assert body["end_date"] == today.isoformat()
        with read_session(any_engine) as session:
            person = session.exec(select(Staff).where(Staff.staff_no == "SC001")).one()
            assert person.end_date == today
            assert "2001" in user_plan(session, today).remove  # a sync never puts them back
        entries = offboard_entries(any_engine)
        assert [e.action for e in entries] == ["staff.offboard", "staff.offboard.terminals"]
        assert entries[0].actor_name == "root" and entries[0].reason == "transferred back"
        assert json.loads(entries[1].after or "{}")["counts"]["failed"] == 1
        # Once more (the terminal came back): the end date stays, the person is still gone.
        again = client.post(
            "/api/v1/privacy/people/SC001/offboard", json={"end_date": "2030-01-01"}
        )
        assert again.json()["end_date"] == today.isoformat()
        assert client.post("/api/v1/privacy/people/NOBODY/offboard", json={}).status_code == 404


@pytest.fixture
def adms_server(tmp_path: Path, any_engine: Engine) -> Iterator[tuple[str, Engine, str]]:
    app = create_app(hall_settings(tmp_path), engine=any_engine)
    add_account(app, "root", "admin")
    token = api_token(app, "root")
    with write_session(any_engine) as session:
        session.add(Device(serial="ADMS-OFF", protocol="adms", approved=True))
        session.add(Device(serial="ADMS-NEW", protocol="adms", approved=False))
    with live_server(app) as url:
        yield url, any_engine, token


def test_offboarding_an_adms_terminal_is_pending_until_it_answers_the_delete(
    adms_server: tuple[str, Engine, str],
) -> None:
    url, engine, token = adms_server
    auth = {"Authorization": f"Bearer {token}"}
    terminal = AdmsTerminal(url, "ADMS-OFF", zone=TZ, poll_interval=0.1)
    terminal.enroll("2001", "王芳")
    terminal.enroll("2002", "李强")
    people = f"{url}/api/v1/privacy/people/SC001"
    answer = httpx.post(f"{people}/offboard", json={}, headers=auth)
    assert answer.status_code == 200, answer.text
    (step,) = answer.json()["terminals"]  # the unapproved terminal takes no commands
    assert (step["device_sn"], step["status"]) == ("ADMS-OFF", "pending")
    terminal.start()
    try:
        wait_until(lambda: "2001" not in terminal.users, timeout=30)

        def removed() -> bool:
            states = httpx.get(f"{people}/offboarding", headers=auth).json()["terminals"]
            return [s["status"] for s in states] == ["removed"]

        wait_until(removed, timeout=30)
    finally:
        terminal.stop()
    assert sorted(terminal.users) == ["2002"]
    with read_session(engine) as session:
        (command,) = session.exec(select(DeviceCommand)).all()
    assert (command.text, command.return_code) == ("DATA DELETE USERINFO PIN=2001", 0)
    assert httpx.get(f"{people}/offboarding").status_code == 401


def seed_people(engine: Engine) -> None:
    """Punches and a leave for SC001 and SC002, and an audit entry about each."""
    at = datetime(2026, 3, 10, 8, 25, tzinfo=TZ)
    with write_session(engine) as session:
        for staff_no, pin in (("SC001", "2001"), ("SC002", "2002")):
            for days in range(3):
                when = at + timedelta(days=days)
                session.add(
                    Punch(
                        device_sn="T1",
                        pin=pin,
                        device_time=when,
                        staff_no=staff_no,
                        source="adms",
                        received_at=when,
                    )
                )
            session.add(
                LeaveRequest(
                    staff_no=staff_no,
                    kind="sick",
                    start=at,
                    end=at + timedelta(hours=8),
                    reason=f"check-up of {staff_no}",
                    approver_role="window_lead",
                    filed_at=at,
                )
            )
            audit.append(
                session,
                TEST_ACTOR,
                "leave.file",
                "leave:1",
                at=at,
                after={"staff_no": staff_no, "kind": "sick"},
            )


@pytest.fixture
def people(tmp_path: Path, any_engine: Engine) -> TestClient:
    app = create_app(hall_settings(tmp_path), engine=any_engine)
    seed_people(any_engine)
    add_account(app, "root", "admin")
    add_account(app, "wang", "staff", staff_no="SC001")
    add_account(app, "li", "staff", staff_no="SC002")
    add_account(app, "sup", "supervisor")
    return TestClient(app)


def test_the_export_is_the_admins_and_the_persons_own(people: TestClient) -> None:
    assert people.get(EXPORT.format("SC001")).status_code == 401
    for other in ("li", "sup"):
        login(people, other)
        refused = people.get(EXPORT.format("SC001"))
        assert refused.status_code == 403 and refused.json()["code"] == "out_of_scope"
    for caller in ("wang", "root"):
        login(people, caller)
        answer = people.get(EXPORT.format("SC001"))
        assert answer.status_code == 200, answer.text
    login(people, "root")
    assert people.get(EXPORT.format("NOBODY")).status_code == 404


def test_the_export_holds_the_persons_records_and_nobody_elses(people: TestClient) -> None:
    login(people, "wang")
    answer = people.get(EXPORT.format("SC001"))
    assert answer.headers["content-type"] == "application/json"
    data = answer.json()
    sections = data["sections"]
    assert data["subject"] == "SC001" and data["notice"]["zh"] and data["notice"]["en"]
    assert [s["staff_no"] for s in sections["staff"]] == ["SC001"]
    assert len(sections["punches"]) == 3
    assert {p["pin"] for p in sections["punches"]} == {"2001"}
    assert [r["reason"] for r in sections["leave_requests"]] == ["check-up of SC001"]
    assert [a["username"] for a in sections["accounts"]] == ["wang"]
    audit_about = [e for e in sections["audit_entries"] if e["action"] == "leave.file"]
    assert [e["after"]["staff_no"] for e in audit_about] == ["SC001"]
    text = answer.text
    assert "SC002" not in text and "2002" not in text and "password" not in text
    # The export itself is on record.
    login(people, "root")
    audit_page = people.get("/api/v1/audit", params={"limit": 1000}).json()["data"]
    exports = [e for e in audit_page if e["action"] == "privacy.export"]
    assert exports and exports[0]["target"] == "staff:SC001"
    archive = zipfile.ZipFile(
        io.BytesIO(people.get(EXPORT.format("SC001") + "?format=zip").content)
    )
    assert {"SC001.json", "punches.csv", "leave_requests.csv"} <= set(archive.namelist())
    rows = archive.read("punches.csv").decode("utf-8-sig").splitlines()
    header = rows[0].split(",")
    assert len(rows) == 4 and {"device_sn", "pin", "device_time", "staff_no"} <= set(header)


def test_the_command_line_export_and_offboarding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hallkeeper.cli import app as cli

    monkeypatch.setenv("HALLKEEPER_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("HALLKEEPER_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["config", "apply"]).exit_code == 0
    settings = load_settings()
    from hallbase.db import make_engine

    seed_people(make_engine(settings.effective_database_url))
    target = tmp_path / "SC002.zip"
    done = runner.invoke(cli, ["privacy", "export", "SC002", "-o", str(target)])
    assert done.exit_code == 0, done.output
    data = json.loads(zipfile.ZipFile(target).read("SC002.json"))
    assert {p["pin"] for p in data["sections"]["punches"]} == {"2002"}
    off = runner.invoke(cli, ["staff", "offboard", "SC002", "--end-date", "2026-03-31"])
    assert off.exit_code == 0, off.output  # no terminal keeps users in the shipped hall
    assert json.loads(off.output)["end_date"] == "2026-03-31"
    missing = runner.invoke(cli, ["staff", "offboard", "NOBODY"])
    assert missing.exit_code == 2 and "NOBODY" in missing.output
