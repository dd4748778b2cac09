"""pyzk 0.9 itself talks to the simulator: proof that the simulator speaks the real protocol."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from zk import ZK

from devices.zk.simulator import ZKSimulator

WHEN = datetime(2024, 6, 3, 8, 59, 30)


def pyzk(sim: ZKSimulator, transport: str, **extra: object) -> ZK:
    """A connected pyzk client (never pings)."""
    zk = ZK(
        "127.0.0.1", sim.port, timeout=5, ommit_ping=True, force_udp=transport == "udp", **extra
    )
    return zk.connect()


@pytest.mark.parametrize("size", [8, 16, 40])
def test_pyzk_reads_log_and_users(sim: ZKSimulator, transport: str, size: int) -> None:
    sim.device.record_size = size
    expected = sim.generate_records(1500)
    conn = pyzk(sim, transport, encoding="gbk")
    try:
        attendance = conn.get_attendance()
        assert [(a.user_id, a.timestamp) for a in attendance] == [
            (r.pin, r.when.replace(tzinfo=None)) for r in expected
        ]
        assert {u.user_id: u.name for u in conn.get_users()} == {
            "1001": "张伟",
            "1002": "李娜",
            "1003": "Wang",
        }
    finally:
        conn.disconnect()


def test_pyzk_default_utf8_garbles_gbk_names(sim: ZKSimulator) -> None:
    conn = pyzk(sim, "tcp")
    try:
        names = {u.user_id: u.name for u in conn.get_users()}
    finally:
        conn.disconnect()
    assert names["1001"] != "张伟"  # the pyzk pitfall the adapter avoids


def test_pyzk_time_users_enable(sim: ZKSimulator, transport: str) -> None:
    conn = pyzk(sim, transport, encoding="gbk")
    try:
        target = datetime.now().replace(microsecond=0) - timedelta(hours=2)
        conn.set_time(target)
        assert abs(conn.get_time() - target) <= timedelta(seconds=2)
        conn.disable_device()
        assert not sim.enabled
        conn.enable_device()
        assert sim.enabled
        conn.set_user(uid=8, name="周杰", user_id="1008")
        assert sim.device.users[8].name == "周杰" and sim.device.users[8].pin == "1008"
        conn.delete_user(uid=8)
        assert 8 not in sim.device.users
    finally:
        conn.disconnect()


def test_pyzk_live_capture(sim: ZKSimulator, transport: str) -> None:
    conn = pyzk(sim, transport)

    def punch_when_listening() -> None:
        deadline = time.monotonic() + 5
        while sim.subscribers() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        sim.inject_punches([("1002", 1, 0)], when=WHEN.replace(tzinfo=sim.device.zone))

    thread = threading.Thread(target=punch_when_listening)
    thread.start()
    got = None
    started = time.monotonic()
    try:
        for attendance in conn.live_capture(new_timeout=1):
            if attendance is not None:
                got = attendance
                conn.end_live_capture = True
            elif time.monotonic() - started > 5:
                break
    finally:
        thread.join()
        conn.disconnect()
    assert got is not None
    assert (got.user_id, got.timestamp) == ("1002", WHEN)


def test_pyzk_with_comm_key() -> None:
    with ZKSimulator(comm_key=777) as sim:
        conn = ZK("127.0.0.1", sim.port, password=777, ommit_ping=True, timeout=5).connect()
        try:
            assert conn.get_serialnumber() == "SIM0000001"
        finally:
            conn.disconnect()
