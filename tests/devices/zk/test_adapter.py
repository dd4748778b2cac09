"""The client against the simulator over real sockets, TCP and UDP: data paths and faults."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from devices.errors import DeviceUnavailable
from devices.events import Punch
from devices.zk.adapter import AuthenticationFailed, ZKClient, ZKSettings
from devices.zk.records import User
from devices.zk.simulator import ZKSimulator
from tests.helpers.zk import ClientFactory, zk_client

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("size", [8, 16, 40, 49])
def test_download_each_record_size(sim: ZKSimulator, make_client: ClientFactory, size: int) -> None:
    sim.device.record_size = size
    expected = sim.generate_records(2500)  # > one 16 KiB UDP chunk and > one TCP chunk
    client = make_client()
    log = client.read_attendance()
    assert log.record_size == size and log.bad == []
    assert [(x.pin, x.time, x.verify, x.status) for x in log.punches] == [
        (r.pin, r.when, r.verify, r.status) for r in expected
    ]
    assert log.punches[0].device_sn == "SIM0000001"
    assert log.punches[0].time.tzinfo == SH
    assert sim.enabled and client.health.available and client.health.last_sync is not None


def test_small_log_comes_directly(sim: ZKSimulator, make_client: ClientFactory) -> None:
    sim.generate_records(3)  # 124 bytes: answered with CMD_DATA at once
    assert len(make_client().read_attendance().punches) == 3


def test_empty_log(sim: ZKSimulator, make_client: ClientFactory) -> None:
    log = make_client().read_attendance()
    assert log.punches == [] and sim.enabled


def test_device_disabled_during_download_then_enabled(
    sim: ZKSimulator, make_client: ClientFactory
) -> None:
    sim.generate_records(10)
    make_client().read_attendance()
    seen = sim.device.commands_seen
    disable, enable = seen.index(1003), len(seen) - 1 - seen[::-1].index(1002)
    assert disable < seen.index(1503) < enable
    assert sim.enabled


def test_users_with_chinese_names(sim: ZKSimulator, make_client: ClientFactory) -> None:
    client = make_client()
    names = {u.pin: u.name for u in client.read_users()}
    assert names == {"1001": "张伟", "1002": "李娜", "1003": "Wang"}
    client.set_user(User(4, "1004", "欧阳修"))
    assert sim.device.users[4].name == "欧阳修"
    assert {u.pin: u.name for u in client.read_users()}["1004"] == "欧阳修"
    client.delete_user(4)
    assert 4 not in sim.device.users
    with pytest.raises(DeviceUnavailable, match="answered 2001"):
        client.delete_user(99)


def test_set_user_on_old_28_byte_firmware(sim: ZKSimulator, make_client: ClientFactory) -> None:
    sim.device.user_size = 28
    client = make_client()
    client.set_user(User(9, "9009", "王芳"))
    assert {u.pin: u.name for u in client.read_users()}["9009"] == "王芳"


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_comm_key_right_and_wrong(transport: str) -> None:
    with ZKSimulator(comm_key=20240315) as sim:
        good = zk_client(sim, transport, comm_key=20240315, timeout=1.0)
        with good:
            assert good.device_sn == "SIM0000001"
        bad = zk_client(sim, transport, comm_key=1234, timeout=1.0)
        with pytest.raises(AuthenticationFailed, match="comm key"):
            bad.connect()
        assert bad.health.available is False and "comm key" in (bad.health.last_error or "")


def test_clock_drift_read_and_corrected(sim: ZKSimulator, make_client: ClientFactory) -> None:
    sim.set_clock(datetime.now(SH) - timedelta(minutes=7))
    client = make_client()
    reading = client.read_clock()
    assert timedelta(minutes=-7, seconds=-3) <= reading.drift <= timedelta(minutes=-7, seconds=3)
    assert not reading.looks_reset
    client.sync_clock()
    assert abs(client.read_clock().drift) <= timedelta(seconds=2)


def test_clock_reset_to_2000_is_detected_and_fixed(
    sim: ZKSimulator, make_client: ClientFactory
) -> None:
    sim.reset_clock()
    client = make_client()
    reading = client.read_clock()
    assert reading.looks_reset and reading.device_time.year == 2000
    before = client.sync_clock()
    assert before.looks_reset
    assert sim.device.now().year == datetime.now(SH).year
    assert not client.read_clock().looks_reset


def test_set_time_needs_aware_datetime(make_client: ClientFactory) -> None:
    with pytest.raises(ValueError, match="aware"):
        make_client().set_time(datetime(2024, 1, 1))


def test_live_events_two_in_one_read(sim: ZKSimulator, make_client: ClientFactory) -> None:
    client = make_client()
    client.start_live()
    assert sim.subscribers() == 1
    assert client.read_events(timeout=0.2) == []
    when = datetime(2024, 6, 3, 8, 59, 30, tzinfo=SH)
    assert sim.inject_punches([("1001", 1, 0), ("1002", 15, 0)], when=when) == 1
    events = client.read_events(timeout=3.0)
    assert [(e.pin, e.verify, e.time) for e in events if isinstance(e, Punch)] == [
        ("1001", 1, when),
        ("1002", 15, when),
    ]
    # the events were acknowledged and the link still answers commands
    assert client.get_time().tzinfo == SH


def test_clear_log(sim: ZKSimulator, make_client: ClientFactory) -> None:
    sim.generate_records(5)
    client = make_client()
    client.clear_attendance()
    assert sim.device.records == [] and sim.enabled


# ----------------------------------------------------------------------- faults
def test_drop_mid_download_fails_fast_and_reenables(
    sim: ZKSimulator, make_client: ClientFactory
) -> None:
    sim.generate_records(3000)
    client = make_client(timeout=0.5, transfer_timeout=5.0)
    sim.faults.drop_mid_download = True
    started = time.monotonic()
    with pytest.raises(DeviceUnavailable):
        client.read_attendance()
    assert time.monotonic() - started < 6.0
    assert sim.enabled, "the terminal must be re-enabled after a failed download"
    assert client.health.available is False and client.health.left_disabled is False
    sim.faults.drop_mid_download = False
    assert len(client.read_attendance().punches) == 3000  # reconnects by itself


def test_garbage_answers(sim: ZKSimulator, make_client: ClientFactory) -> None:
    client = make_client(timeout=0.5)
    sim.faults.garbage = True
    with pytest.raises(DeviceUnavailable, match="garbage"):
        client.get_time()
    sim.faults.garbage = False


def test_garbage_before_each_answer_is_skipped(
    sim: ZKSimulator, make_client: ClientFactory
) -> None:
    sim.generate_records(2000)
    client = make_client()
    sim.faults.garbage_prefix = True
    assert len(client.read_attendance().punches) == 2000


def test_silent_device(sim: ZKSimulator, make_client: ClientFactory) -> None:
    client = make_client(timeout=0.3, transfer_timeout=2.0)
    sim.faults.silent = True
    started = time.monotonic()
    with pytest.raises(DeviceUnavailable, match="in time"):
        client.read_attendance()
    assert time.monotonic() - started < 4.0
    # the re-enable could not be confirmed, and the client says so
    assert client.health.left_disabled is True
    assert client.health.available is False


def test_nothing_listening() -> None:
    with ZKSimulator() as sim:
        port = sim.port
    client = ZKClient(ZKSettings("127.0.0.1", port, timeout=0.3))
    with pytest.raises(DeviceUnavailable):
        client.connect()


def test_no_template_command_ever(sim: ZKSimulator, make_client: ClientFactory) -> None:
    sim.generate_records(50)
    client = make_client()
    client.read_attendance()
    client.read_users()
    client.set_user(User(5, "1005", "赵六"))
    client.delete_user(5)
    client.start_live()
    assert sim.device.template_requests == 0
    with pytest.raises(ValueError, match="template"):
        client._request(88)
