"""The /iclock endpoints against the ADMS terminal simulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from attendance.models import AdmsStamp, Device, DeviceCommand, Punch, QuarantinedRecord
from devices.adms.simulator import AdmsTerminal
from hallbase.db import read_session
from hallbase.settings import Settings
from hallkeeper.app import create_app
from tests.helpers.auth import admin_headers
from tests.helpers.live_server import live_server
from tests.helpers.waiting import wait_until

TZ = ZoneInfo("Asia/Shanghai")
ADMIN: dict[str, dict[str, str]] = {}  # an admin's headers, by the server's address


@pytest.fixture
def server(settings: Settings, any_engine: Engine) -> Iterator[tuple[str, Engine]]:
    app = create_app(settings, engine=any_engine)
    with live_server(app) as url:
        ADMIN[url] = admin_headers(app)
        yield url, any_engine


def punches(engine: Engine, serial: str) -> list[Punch]:
    with read_session(engine) as session:
        return list(session.exec(select(Punch).where(Punch.device_sn == serial)).all())


def _all_done(engine: Engine) -> bool:
    # A fresh transaction each time: one long read would keep seeing its first snapshot.
    with read_session(engine) as session:
        return all(c.status == "done" for c in session.exec(select(DeviceCommand)).all())


def approve(url: str, serial: str) -> None:
    response = httpx.post(f"{url}/api/v1/devices/{serial}/approve", headers=ADMIN[url])
    assert response.status_code == 200, response.text


def test_unknown_terminal_is_recorded_and_refused_until_approved(
    server: tuple[str, Engine],
) -> None:
    url, engine = server
    terminal = AdmsTerminal(url, "NEW-TERM-9", zone=TZ, poll_interval=0.2)
    answer = httpx.get(f"{url}/iclock/cdata", params={"SN": "NEW-TERM-9", "options": "all"})
    assert answer.status_code == 403 and "not approved" in answer.text
    with read_session(engine) as session:
        device = session.exec(select(Device).where(Device.serial == "NEW-TERM-9")).one()
    assert (device.approved, device.protocol) == (False, "adms")
    terminal.add_punch("2001", datetime.now(TZ) - timedelta(minutes=3))
    upload = httpx.post(
        f"{url}/iclock/cdata?SN=NEW-TERM-9&table=ATTLOG&Stamp=1",
        content=b"2001\t2026-11-20 08:20:00\t0\t1\t0\n",
    )
    assert upload.status_code == 403 and upload.text != "OK"
    assert punches(engine, "NEW-TERM-9") == []
    approve(url, "NEW-TERM-9")
    terminal.start()
    try:
        wait_until(lambda: len(punches(engine, "NEW-TERM-9")) == 1)
        wait_until(lambda: terminal.undelivered == 0)
    finally:
        terminal.stop()
    (stored,) = punches(engine, "NEW-TERM-9")
    assert (stored.pin, stored.staff_no, stored.source) == ("2001", "SC001", "adms")
    with read_session(engine) as session:
        assert session.get(AdmsStamp, "NEW-TERM-9") is not None


def test_upload_is_idempotent_and_bad_lines_are_kept_aside(
    server: tuple[str, Engine], settings: Settings
) -> None:
    url, engine = server
    httpx.get(f"{url}/iclock/cdata", params={"SN": "T1"})
    approve(url, "T1")
    day = (datetime.now(TZ) - timedelta(days=1)).date().isoformat()
    body = (
        f"2001\t{day} 08:20:00\t0\t1\t0\t0\t0\n"
        f"2002\t{day} 08:41:10\t0\t1\t\t\n"
        f"3001\t{day} 25:61:00\t0\t1\t0\n"
        f"9999\t{day} 08:22:00\t0\t1\t0\n"
    ).encode()
    first = httpx.post(f"{url}/iclock/cdata?SN=T1&table=ATTLOG&Stamp=4", content=body)
    assert first.text == "OK"
    again = httpx.post(f"{url}/iclock/cdata?SN=T1&table=ATTLOG&Stamp=4", content=body)
    assert again.text == "OK"
    stored = punches(engine, "T1")
    assert sorted(p.pin for p in stored) == ["2001", "2002", "9999"]
    assert {p.pin: p.repeats for p in stored} == {"2001": 1, "2002": 1, "9999": 1}
    assert {p.pin: p.staff_no for p in stored}["9999"] is None  # unmapped, listed for an admin
    with read_session(engine) as session:
        bad = session.exec(select(QuarantinedRecord)).all()
    # Kept once, the resend counted (see test_adms_field_defects.py).
    assert [(b"25:61:00" in b.raw, b.repeats) for b in bad] == [(True, 1)]
    assert httpx.post(f"{url}/iclock/cdata?table=ATTLOG", content=body).status_code == 400


def test_user_sync_commands_reach_the_terminal_and_results_come_back(
    server: tuple[str, Engine],
) -> None:
    url, engine = server
    httpx.get(f"{url}/iclock/cdata", params={"SN": "T2"})
    approve(url, "T2")
    queued = httpx.post(f"{url}/api/v1/devices/T2/sync-users", headers=ADMIN[url]).json()
    assert queued["queued"] >= 15
    terminal = AdmsTerminal(url, "T2", zone=TZ, poll_interval=0.1)
    terminal.start()
    try:
        wait_until(lambda: len(terminal.users) >= 15, timeout=30)
        wait_until(lambda: _all_done(engine), timeout=30)
    finally:
        terminal.stop()
    assert terminal.users["2001"].name == "王芳"
    with read_session(engine) as session:
        codes = {c.return_code for c in session.exec(select(DeviceCommand)).all()}
    assert codes == {0}


def test_stamps_and_sync_times_are_stored(server: tuple[str, Engine]) -> None:
    url, engine = server
    refused = httpx.post(f"{url}/iclock/cdata?SN=T7&table=ATTLOG&Stamp=2", content=b"")
    assert refused.status_code == 403
    with read_session(engine) as session:
        device = session.exec(select(Device).where(Device.serial == "T7")).one()
        assert (device.approved, device.last_sync, session.get(AdmsStamp, "T7")) == (
            False, None, None
        )  # fmt: skip
        assert device.last_seen is not None  # seen, though refused
    approve(url, "T7")
    day = (datetime.now(TZ) - timedelta(days=1)).date().isoformat()
    body = f"2001\t{day} 08:20:00\t0\t1\t0\n".encode()
    assert httpx.post(f"{url}/iclock/cdata?SN=T7&table=ATTLOG&Stamp=7", content=body).text == "OK"
    with read_session(engine) as session:
        device = session.exec(select(Device).where(Device.serial == "T7")).one()
        stamps = session.get(AdmsStamp, "T7")
        assert stamps is not None and (stamps.attlog_stamp, stamps.operlog_stamp) == (7, None)
        assert device.last_sync is not None and device.last_sync == device.last_seen
    # No stamp leaves the stored one; an OPERLOG stamp does not touch the ATTLOG one.
    assert httpx.post(f"{url}/iclock/cdata?SN=T7&table=ATTLOG", content=body).text == "OK"
    assert httpx.post(f"{url}/iclock/cdata?SN=T7&table=OPERLOG&Stamp=3", content=b"").text == "OK"
    with read_session(engine) as session:
        stamps = session.get(AdmsStamp, "T7")
        assert stamps is not None and (stamps.attlog_stamp, stamps.operlog_stamp) == (7, 3)


def test_a_batch_the_database_refuses_is_not_acknowledged_and_comes_again(
    server: tuple[str, Engine],
) -> None:
    url, engine = server
    approve_url = f"{url}/iclock/cdata?SN=OUT-1&options=all"
    assert httpx.get(approve_url).status_code == 403  # recorded, then approved
    approve(url, "OUT-1")
    body = b"2001\t2026-11-20 08:20:00\t0\t1\t0\n"
    post = f"{url}/iclock/cdata?SN=OUT-1&table=ATTLOG&Stamp=1"
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE punch RENAME TO punch_away"))
    try:
        refused = httpx.post(post, content=body)
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE punch_away RENAME TO punch"))
    assert refused.status_code == 503 and refused.text.startswith("ERROR")
    again = httpx.post(post, content=body)  # what the terminal does after ErrorDelay
    assert (again.status_code, again.text) == (200, "OK")
    assert [p.pin for p in punches(engine, "OUT-1")] == ["2001"]
