"""Supervised terminals in a running service, on SQLite and PostgreSQL: what broke in a hall."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import select

from attendance.models import Device
from devices.serial_reader.simulator import SerialReaderSimulator
from devices.zk.simulator import ZKSimulator
from hallbase.db import read_session
from hallbase.settings import load_settings
from hallkeeper.app import create_app
from hallkeeper.demo import SERIAL_SN, ZK_SN, demo_config_text
from tests.helpers.attendance import TZ, alerts, stored
from tests.helpers.auth import admin_headers
from tests.helpers.live_server import free_port
from tests.helpers.waiting import wait_until


def device(engine: Engine, serial: str) -> Device:
    with read_session(engine) as session:
        return session.exec(select(Device).where(Device.serial == serial)).one()


@dataclass
class Hall:
    client: TestClient
    zk: ZKSimulator
    reader: SerialReaderSimulator
    engine: Engine

    def status(self, serial: str) -> dict[str, object]:
        rows = self.client.get("/api/v1/devices").json()["data"]
        return next(r for r in rows if r["serial"] == serial)


@contextmanager
def hall(tmp_path: Path, engine: Engine, zk: ZKSimulator, zk_options: str = "") -> Iterator[Hall]:
    tmp_path.mkdir(exist_ok=True)
    reader = SerialReaderSimulator(str(tmp_path / "reader.tty"), zone=TZ)
    reader.open()
    today = datetime.now(TZ).date()
    config_text = demo_config_text(zk.port, reader.path, today, True)
    config_text = config_text.replace("poll_seconds = 5\n", f"poll_seconds = 5\n{zk_options}")
    config = tmp_path / "hall.toml"
    config.write_text(config_text, "utf-8")
    settings = load_settings(data_dir=tmp_path, database_url="", config=config, mqtt_url="")
    zk.start()
    try:
        app = create_app(settings, engine=engine)
        with TestClient(app, headers=admin_headers(app)) as client:
            yield Hall(client, zk, reader, engine)
    finally:
        zk.stop()
        reader.close()


def test_a_quiet_serial_reader_is_synced_up_to_now(tmp_path: Path, any_engine: Engine) -> None:
    zk = ZKSimulator("127.0.0.1", free_port(), serial=ZK_SN)
    with hall(tmp_path, any_engine, zk):
        started = datetime.now(TZ)
        # Nobody punches on the reader: a healthy line still counts as synced up to now.
        wait_until(lambda: device(any_engine, SERIAL_SN).last_sync is not None, timeout=20)
        synced = device(any_engine, SERIAL_SN).last_sync
        assert synced is not None and synced >= started - timedelta(seconds=5)


def test_a_database_outage_is_shown_alerted_and_loses_no_punch(
    tmp_path: Path, any_engine: Engine
) -> None:
    zk = ZKSimulator("127.0.0.1", free_port(), serial=ZK_SN)
    zk.add_user(1, "2001", "王芳")
    with hall(tmp_path, any_engine, zk) as h:
        watch = h.client.app.state.devices
        wait_until(lambda: zk.subscribers() == 1 and watch.terminals[ZK_SN].available, timeout=20)
        wait_until(lambda: watch.terminals[SERIAL_SN].available is True, timeout=20)
        watch.check()  # first look: all up
        with any_engine.begin() as conn:  # every punch write now fails
            conn.execute(text("ALTER TABLE punch RENAME TO punch_away"))
        try:
            zk.inject_punches([("2001", 1, 0)])
            h.reader.punch("3001", datetime.now(TZ) - timedelta(seconds=20))
            for serial in (ZK_SN, SERIAL_SN):
                wait_until(lambda s=serial: h.status(s)["available"] is False, timeout=20)
                assert "punch" in str(h.status(serial)["last_error"])  # the database's words
            assert h.client.get("/healthz").json()["status"] == "degraded"
        finally:
            with any_engine.begin() as conn:
                conn.execute(text("ALTER TABLE punch_away RENAME TO punch"))
        wait_until(lambda: len(stored(any_engine, ZK_SN)) == 1, timeout=30)
        wait_until(lambda: len(stored(any_engine, SERIAL_SN)) == 1, timeout=40)
        for serial in (ZK_SN, SERIAL_SN):
            wait_until(lambda s=serial: h.status(s)["available"] is True, timeout=30)
        watch.check()
        offline = {a.payload["device_sn"] for a in alerts(any_engine, "device_offline")}
        assert offline == {ZK_SN, SERIAL_SN}
        assert len(alerts(any_engine, "device_recovered")) == 2
        zk.inject_punches([("2001", 1, 0)], when=datetime.now(TZ) + timedelta(seconds=1))
        wait_until(lambda: len(stored(any_engine, ZK_SN)) == 2, timeout=20)  # still listening


def test_a_terminal_at_the_address_with_another_serial_is_refused_and_alerted(
    tmp_path: Path, any_engine: Engine
) -> None:
    zk = ZKSimulator("127.0.0.1", free_port(), serial="SOMEONE-ELSE")
    zk.add_user(1, "2001", "王芳")
    zk.add_punch("2001", datetime.now(TZ) - timedelta(minutes=5))
    with hall(tmp_path, any_engine, zk) as h:
        wait_until(lambda: bool(alerts(any_engine, "device_serial_mismatch")), timeout=20)
        (alert,) = alerts(any_engine, "device_serial_mismatch")
        assert alert.payload["reported_sn"] == "SOMEONE-ELSE" and alert.severity == "critical"
        assert h.status(ZK_SN)["available"] is False
        assert "SOMEONE-ELSE" in str(h.status(ZK_SN)["last_error"])
        assert stored(any_engine, ZK_SN) == [] and stored(any_engine, "SOMEONE-ELSE") == []


def test_a_filling_log_is_alerted_and_cleared_after_a_verified_download(
    tmp_path: Path, any_engine: Engine
) -> None:
    zk = ZKSimulator("127.0.0.1", free_port(), serial=ZK_SN)
    zk.add_user(1, "2001", "王芳")
    zk.device.records_cap = 10
    start = datetime.now(TZ) - timedelta(hours=2)
    zk.generate_records(9, start=start)
    with hall(tmp_path, any_engine, zk, "log_warn_percent = 80\n"):
        wait_until(lambda: bool(alerts(any_engine, "device_log_full")), timeout=20)
        (alert,) = alerts(any_engine, "device_log_full")
        assert (alert.payload["records"], alert.payload["capacity"]) == (9, 10)
        assert len(zk.device.records) == 9  # not cleared: the hall file does not allow it

    cleared = ZKSimulator("127.0.0.1", free_port(), serial=ZK_SN)
    cleared.add_user(1, "2001", "王芳")
    cleared.generate_records(9, start=start)
    with hall(tmp_path / "b", any_engine, cleared, "clear_log = true\n") as h:
        wait_until(lambda: cleared.device.records == [], timeout=20)
        assert len(stored(any_engine, ZK_SN)) == 9
        assert cleared.enabled
        cleared.inject_punches([("2001", 1, 0)])  # later punches still come in
        wait_until(lambda: len(stored(any_engine, ZK_SN)) == 10, timeout=20)
        assert h.status(ZK_SN)["available"] is True


def test_a_terminal_left_disabled_is_alerted_and_enabled_again(
    tmp_path: Path, any_engine: Engine
) -> None:
    zk = ZKSimulator("127.0.0.1", free_port(), serial=ZK_SN)
    zk.device.refuse_enable = True
    with hall(tmp_path, any_engine, zk):
        wait_until(lambda: bool(alerts(any_engine, "device_left_disabled")), timeout=20)
        assert not zk.enabled
        zk.device.refuse_enable = False
        wait_until(lambda: zk.enabled and zk.subscribers() == 1, timeout=40)
        assert len(alerts(any_engine, "device_left_disabled")) == 1


def test_sync_users_reports_cut_names_and_keeps_the_terminals_admin(
    tmp_path: Path, any_engine: Engine
) -> None:
    zk = ZKSimulator("127.0.0.1", free_port(), serial=ZK_SN)
    zk.add_user(1, "1001", "周晓梅", privilege=14, password="8888", card=90210)
    with hall(tmp_path, any_engine, zk) as h:
        long_name = "阿卜杜萨拉木·阿卜杜热合曼"
        renamed = h.client.patch("/api/v1/staff/ZW001", json={"name": long_name})
        assert renamed.status_code == 200, renamed.text
        answer = h.client.post(f"/api/v1/devices/{ZK_SN}/sync-users")
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["truncated"] == [
            {"pin": "1001", "name": long_name, "written_as": "阿卜杜萨拉木·阿卜杜热合"}
        ]
        assert body["written"] >= 2 and body["failed"] == []  # the others were written too
        admin = zk.device.users[1]
        assert (admin.name, admin.privilege, admin.password, admin.card) == (
            "阿卜杜萨拉木·阿卜杜热合",
            14,
            "8888",
            90210,
        )


def test_the_devices_view_answers_while_the_device_table_is_unreadable(
    tmp_path: Path, any_engine: Engine
) -> None:
    zk = ZKSimulator("127.0.0.1", free_port(), serial=ZK_SN)
    with hall(tmp_path, any_engine, zk) as h:
        wait_until(lambda: h.status(ZK_SN)["available"] is True, timeout=20)
        with any_engine.begin() as conn:
            conn.execute(text("ALTER TABLE device RENAME TO device_away"))
        try:
            rows = h.client.get("/api/v1/devices").json()["data"]
            health = h.client.get("/healthz")
        finally:
            with any_engine.begin() as conn:
                conn.execute(text("ALTER TABLE device_away RENAME TO device"))
        assert {r["serial"] for r in rows} == {ZK_SN, SERIAL_SN}  # from the supervisors
        assert health.status_code == 200
        assert ZK_SN in {d["serial"] for d in health.json()["devices"]}
