"""The alert outbox and the MQTT relay against real Mosquitto brokers."""

from __future__ import annotations

import json
import queue
import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine
from sqlmodel import select

from hallbase.alerts import raise_alert
from hallbase.db import read_session, write_session
from hallbase.models import AlertOutbox
from hallbase.settings import Settings, load_settings
from hallkeeper.mqtt import MqttRelay
from tests.helpers.live_server import free_port
from tests.helpers.services import service_missing
from tests.helpers.waiting import wait_until

NOW = datetime(2026, 11, 23, 0, 46, tzinfo=UTC)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class Subscriber:
    """A supervisor's client: collects every message on a topic filter."""

    def __init__(self, port: int, topic: str, host: str = "127.0.0.1") -> None:
        self.messages: queue.Queue[tuple[str, dict[str, Any], bool]] = queue.Queue()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.on_message = lambda _c, _u, msg: self.messages.put(
            (msg.topic, json.loads(msg.payload), bool(msg.retain))
        )
        ready = queue.Queue[int]()
        self.client.on_subscribe = lambda *_args: ready.put(1)
        self.client.connect(host, port)
        self.client.loop_start()
        self.client.subscribe(topic, qos=1)
        ready.get(timeout=5)

    def take(self, n: int, timeout: float = 10) -> list[tuple[str, dict[str, Any], bool]]:
        out = []
        deadline = time.monotonic() + timeout
        while len(out) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                out.append(self.messages.get(timeout=remaining))
            except queue.Empty:
                break
        return out

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_raise_alert_is_idempotent_by_key(engine: Engine) -> None:
    with write_session(engine) as session:
        assert raise_alert(session, kind="late", key="SC001:2026-11-23:am_in", payload={}, now=NOW)
        assert not raise_alert(
            session, kind="late", key="SC001:2026-11-23:am_in", payload={}, now=NOW
        )
    with pytest.raises(ValueError, match="severity"), write_session(engine) as session:
        raise_alert(session, kind="late", key="x", payload={}, now=NOW, severity="loud")
    with read_session(engine) as session:
        rows = session.exec(select(AlertOutbox)).all()
    assert [r.message_id for r in rows] == ["late:SC001:2026-11-23:am_in"]
    assert rows[0].created_at == NOW


@pytest.mark.parametrize("protocol", ["3.1.1", "5"])
def test_relay_publishes_outbox_with_stable_ids(
    engine: Engine, machine_broker: tuple[str, int], protocol: str
) -> None:
    host, port = machine_broker
    prefix = f"hk-test/{time.monotonic_ns()}"
    sub = Subscriber(port, f"{prefix}/#", host)
    relay = MqttRelay(
        engine, f"mqtt://{host}:{port}", topic_prefix=prefix, poll_seconds=0.2, protocol=protocol
    )
    assert relay.client.protocol == {"3.1.1": 4, "5": 5}[protocol]  # the CONNECT's level
    try:
        relay.start()
        status = [m for m in sub.take(1) if m[0] == relay.status_topic]
        assert status and status[0][1]["state"] == "online"
        with write_session(engine) as session:
            for staff in ("SC001", "RS002"):
                raise_alert(
                    session,
                    kind="late",
                    key=f"{staff}:2026-11-23:am_in",
                    payload={"staff_no": staff, "text": "迟到"},
                    now=NOW,
                )
        relay.notify()
        got = sub.take(2)
        assert sorted(m[1]["message_id"] for m in got) == [
            "late:RS002:2026-11-23:am_in",
            "late:SC001:2026-11-23:am_in",
        ]
        assert all(m[0] == f"{prefix}/hall/alerts/late" and m[1]["text"] == "迟到" for m in got)

        def published() -> list[AlertOutbox]:
            with read_session(engine) as session:
                rows = session.exec(select(AlertOutbox)).all()
            return list(rows) if all(r.published_at for r in rows) else []

        assert len(wait_until(published, timeout=5)) == 2
        assert relay.status()["ok"] and relay.status()["backlog"] == 0
    finally:
        relay.stop()
        sub.close()


@pytest.mark.timeout(240)  # its own waits add up to 100 s: they speak first
def test_broker_outage_loses_nothing(engine: Engine, tmp_path: Path) -> None:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        service_missing("mosquitto binary", "not installed")
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")

    def start_broker() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([binary, "-c", str(conf)], stderr=subprocess.DEVNULL)
        wait_until(lambda: _reachable("127.0.0.1", port), timeout=10)  # the broker is up
        return proc

    broker = start_broker()
    relay = MqttRelay(engine, f"mqtt://127.0.0.1:{port}", topic_prefix="hk", poll_seconds=0.2)
    relay.start()
    try:
        wait_until(lambda: relay.status()["ok"], timeout=10)  # connected
        broker.terminate()
        broker.wait(timeout=5)
        wait_until(lambda: not relay.status()["ok"], timeout=10)  # the outage noticed
        with write_session(engine) as session:
            for n in range(5):
                raise_alert(session, kind="absent", key=f"S{n}", payload={"n": n}, now=NOW)
        rounds = relay.rounds
        relay.notify()
        # Two rounds started since the alerts were stored: the first of them has finished.
        wait_until(lambda: relay.rounds >= rounds + 2, timeout=10)
        assert relay.status()["backlog"] == 5  # nothing marked sent while the broker is down
        broker = start_broker()
        sub = Subscriber(port, "hk/hall/alerts/#")
        try:
            got = sub.take(5, timeout=45)  # paho reconnects with back-off
            assert sorted(m[1]["message_id"] for m in got) == [f"absent:S{n}" for n in range(5)]
        finally:
            sub.close()
        wait_until(lambda: relay.status()["backlog"] == 0, timeout=5)
    finally:
        relay.stop()
        broker.terminate()
        broker.wait(timeout=5)


def _relay_settings(tmp_path: Path, name: str, host: str, port: int, prefix: str) -> Settings:
    """Settings of one instance: its own data directory, the machine's broker."""
    return load_settings(
        data_dir=tmp_path / name,
        database_url="",
        mqtt_url=f"mqtt://{host}:{port}",
        mqtt_topic=prefix,
    )


def test_two_instances_on_one_broker_keep_their_connections(
    engine: Engine, tmp_path: Path, machine_broker: tuple[str, int]
) -> None:
    """Two instances (two data directories) on one broker: neither knocks the other off."""
    host, port = machine_broker
    prefix = f"hk-test/{time.monotonic_ns()}"
    sub = Subscriber(port, f"{prefix}/+/status/#", host)
    relays = [
        MqttRelay.for_settings(engine, _relay_settings(tmp_path, name, host, port, prefix))
        for name in ("one", "two")
    ]
    assert relays[0].client_id != relays[1].client_id
    try:
        for relay in relays:
            relay.start()
        wait_until(lambda: all(r.status()["ok"] for r in relays), timeout=10)
        onlines = [m for m in sub.take(2) if m[1]["state"] == "online"]
        assert len(onlines) == 2
        # A broker drops the older of two connections with one client id when the second one
        # connects, before that one is online; paho would reconnect a second later. Each
        # connection still answers now, and neither was made again.
        for relay in relays:
            info = relay.client.publish(f"{prefix}/ping/{relay.instance}", "1", qos=1)
            info.wait_for_publish(timeout=5)
            assert info.is_published()
        assert all(r.status()["ok"] for r in relays)
        assert [r.connects for r in relays] == [1, 1]
    finally:
        for relay in relays:
            relay.stop()
        sub.close()
    # Each instance's status stays retained on its own topic (both offline after their stop).
    later = Subscriber(port, f"{prefix}/+/status/#", host)
    try:
        retained = later.take(2, timeout=5)
    finally:
        later.close()
    assert sorted(m[0] for m in retained) == sorted(r.status_topic for r in relays)
    assert all(m[2] and m[1]["state"] == "offline" for m in retained)
    assert {m[1]["instance"] for m in retained} == {r.instance for r in relays}


@pytest.mark.parametrize("protocol", ["3.1.1", "5"])
def test_last_will_carries_no_stale_time_and_online_since_is_renewed(
    engine: Engine, machine_broker: tuple[str, int], protocol: str
) -> None:
    """The will is fixed at connect time, so it must not claim a time; `since` follows connects."""
    host, port = machine_broker
    prefix = f"hk-test/{time.monotonic_ns()}"
    times = iter(
        [datetime(2026, 11, 23, 0, 0, tzinfo=UTC)]  # construction (process start)
        + [datetime(2026, 11, 23, 9, n, tzinfo=UTC) for n in range(60)]
    )
    now = [next(times)]
    relay = MqttRelay(
        engine,
        f"mqtt://{host}:{port}",
        topic_prefix=prefix,
        instance="will",
        clock=lambda: now[0],
        protocol=protocol,
    )
    sub = Subscriber(port, f"{prefix}/+/status/#", host)
    try:
        now[0] = next(times)
        first_connect = now[0]
        relay.start()
        (online,) = sub.take(1)
        assert online[1]["state"] == "online" and online[1]["since"] == first_connect.isoformat()
        now[0] = next(times)
        second_connect = now[0]
        # The connection dies without a DISCONNECT (as when the process is killed): the
        # broker publishes the will, then paho reconnects.
        sock = relay.client.socket()
        assert sock is not None
        sock.shutdown(socket.SHUT_RDWR)
        will, again = sub.take(2, timeout=15)
        assert will[1]["state"] == "offline" and will[1]["instance"] == "will"
        assert "at" not in will[1] and "since" not in will[1]  # no time it cannot know
        assert again[1]["state"] == "online" and again[1]["since"] == second_connect.isoformat()
        assert relay.connects == 2
    finally:
        relay.stop()
        sub.close()


def test_a_commit_wakes_the_relay_without_waiting_for_its_poll(
    engine: Engine, machine_broker: tuple[str, int]
) -> None:
    """The relay polls only every 60 s here: the alert arrives because its commit woke it."""
    host, port = machine_broker
    prefix = f"hk-test/{time.monotonic_ns()}"
    sub = Subscriber(port, f"{prefix}/hall/alerts/#", host)
    relay = MqttRelay(engine, f"mqtt://{host}:{port}", topic_prefix=prefix, poll_seconds=60)
    try:
        relay.start()
        wait_until(lambda: relay.status()["ok"], timeout=10)
        wait_until(lambda: relay.rounds >= 1, timeout=10)  # the round the connect woke
        with write_session(engine) as session:
            raise_alert(session, kind="late", key="SC001:x", payload={}, now=NOW)
            rounds = relay.rounds
        started = time.monotonic()
        (got,) = sub.take(1, timeout=5)
        assert got[1]["message_id"] == "late:SC001:x"
        assert time.monotonic() - started < 5 and relay.rounds > rounds
        # A rolled-back alert wakes nobody.
        rounds = relay.rounds
        with pytest.raises(RuntimeError), write_session(engine) as session:
            raise_alert(session, kind="late", key="SC001:y", payload={}, now=NOW)
            raise RuntimeError("the fact failed")
        assert sub.take(1, timeout=1) == [] and relay.rounds == rounds
    finally:
        relay.stop()
        sub.close()
