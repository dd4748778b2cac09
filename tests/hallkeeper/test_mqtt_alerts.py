"""Alerts' life on the real Mosquitto: acknowledgement by command topic, repeats, quiet hours
and kinds that do not go to MQTT."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine
from sqlmodel import select

from hallbase.alert_followup import follow_up
from hallbase.alert_policy import use_policy
from hallbase.alerts import raise_alert
from hallbase.db import read_session, write_session
from hallbase.hallconfig.alerts import AlertsSection
from hallbase.models import AlertOutbox
from hallbase.settings import Settings
from hallkeeper.mqtt import MqttRelay
from tests.hallkeeper.test_mqtt import NOW, Subscriber
from tests.helpers.auth import add_account, api_token
from tests.helpers.waiting import wait_until


def _person_token(engine: Engine, settings: Settings, username: str, grant: str) -> str:
    """A person with ``grant`` and an API token of theirs."""
    app = SimpleNamespace(state=SimpleNamespace(engine=engine, settings=settings))
    add_account(app, username, grant)
    return api_token(app, username)


def test_acknowledgement_by_command_topic(
    engine: Engine, settings: Settings, machine_broker: tuple[str, int]
) -> None:
    host, port = machine_broker
    prefix = f"hk-test/{time.monotonic_ns()}"
    relay = MqttRelay(
        engine,
        f"mqtt://{host}:{port}",
        topic_prefix=prefix,
        hall_code="h1",
        auth_secret=settings.auth_secret,
    )
    sub = Subscriber(port, f"{prefix}/h1/cmd/ack/result", host)
    chief = _person_token(engine, settings, "chief", "duty_chief")
    clerk = _person_token(engine, settings, "lead", "window_lead:window:1")  # may not ack
    with write_session(engine) as session:
        raise_alert(session, kind="absent", key="S1", payload={}, now=NOW, severity="critical")
    with read_session(engine) as session:
        alert_id = session.exec(select(AlertOutbox.id)).one()
    sender = mqtt.Client(CallbackAPIVersion.VERSION2)
    sender.connect(host, port)
    sender.loop_start()

    def command(
        body: dict[str, Any] | bytes, retain: bool = False, start: MqttRelay | None = None
    ) -> dict[str, Any]:
        raw = body if isinstance(body, bytes) else json.dumps(body)
        sender.publish(f"{prefix}/h1/cmd/ack", raw, qos=1, retain=retain).wait_for_publish(5)
        if start is not None:
            start.start()
        (answer,) = sub.take(1)
        assert "token" not in answer[1] and "hkt_" not in json.dumps(answer[1])
        return answer[1]

    try:
        # A command left retained before the relay subscribed is refused, and cleared.
        assert command({"id": alert_id, "token": chief}, retain=True, start=relay)["error"] == (
            "retained"
        )
        assert command(b"not json")["error"] == "malformed"
        wrong = command({"id": alert_id, "token": "hkt_nonsense", "ref": "r0"})
        assert wrong == {"ref": "r0", "id": alert_id, "ok": False, "error": "credential_invalid"}
        assert command({"id": alert_id, "token": clerk})["error"] == "forbidden"
        assert command({"id": 999999, "token": chief})["error"] == "not_found"
        done = command({"id": alert_id, "token": chief, "note": "到岗", "ref": "r1"})
        assert done["ok"] and done["new"] and done["acked_by"] == "chief" and done["ref"] == "r1"
        with read_session(engine) as session:
            row = session.exec(select(AlertOutbox)).one()
        assert row.acked_by == "chief" and row.ack_via == "mqtt" and row.ack_note == "到岗"
        assert not command({"id": alert_id, "token": chief})["new"]
        # A command published with retain (to a relay already listening) is carried out,
        # and no token stays on the broker.
        assert command({"id": alert_id, "token": chief}, retain=True)["ok"]
        later = Subscriber(port, f"{prefix}/h1/cmd/ack", host)
        try:
            assert later.take(1, timeout=1) == []
        finally:
            later.close()
    finally:
        sender.disconnect()
        sender.loop_stop()
        relay.stop()
        sub.close()


def test_an_unacknowledged_critical_alert_repeats_on_the_broker(
    engine: Engine, machine_broker: tuple[str, int]
) -> None:
    host, port = machine_broker
    prefix = f"hk-test/{time.monotonic_ns()}"
    sub = Subscriber(port, f"{prefix}/hall/alerts/#", host)
    relay = MqttRelay(engine, f"mqtt://{host}:{port}", topic_prefix=prefix)
    cfg = AlertsSection(repeat_minutes=5, escalate_minutes=15)
    try:
        relay.start()
        with write_session(engine) as session:
            payload = {"staff_no": "SC001", "message": "旷工"}
            raise_alert(
                session, kind="absent", key="S1", payload=payload, now=NOW, severity="critical"
            )
        (first,) = sub.take(1)
        with write_session(engine) as session:
            follow_up(session, cfg, NOW + timedelta(minutes=5))
        (repeat,) = sub.take(1)
        assert repeat[0] == f"{prefix}/hall/alerts/alert.repeat"
        assert repeat[1]["origin_message_id"] == first[1]["message_id"] == "absent:S1"
        assert repeat[1]["staff_no"] == "SC001" and repeat[1]["severity"] == "critical"
        with write_session(engine) as session:
            follow_up(session, cfg, NOW + timedelta(minutes=16))
        got = sorted(m[0] for m in sub.take(2))
        alerts = f"{prefix}/hall/alerts"
        assert got == [f"{alerts}/alert.escalation", f"{alerts}/alert.repeat"]
    finally:
        relay.stop()
        sub.close()


def test_held_alerts_leave_after_quiet_hours_and_other_outlets_skip_mqtt(
    engine: Engine, machine_broker: tuple[str, int]
) -> None:
    host, port = machine_broker
    prefix = f"hk-test/{time.monotonic_ns()}"
    tz = ZoneInfo("Asia/Shanghai")
    quiet = {"start": NOW.astimezone(tz).strftime("%H:%M"), "end": "23:59"}
    cfg = AlertsSection.model_validate(
        {
            "quiet_hours": quiet,
            "kinds": {"robot_only": {"outlets": ["wecom"], "quiet": "send"}},
            "wecom": {"webhook": "https://example.org/send?key=k"},
        }
    )
    use_policy(engine, cfg, tz)
    now = [NOW]
    sub = Subscriber(port, f"{prefix}/hall/alerts/#", host)
    relay = MqttRelay(
        engine, f"mqtt://{host}:{port}", topic_prefix=prefix, alerts=cfg, clock=lambda: now[0]
    )
    try:
        relay.start()
        wait_until(lambda: relay.status()["ok"], timeout=10)
        with write_session(engine) as session:
            raise_alert(session, kind="device_offline", key="T1", payload={}, now=NOW)
            raise_alert(session, kind="robot_only", key="R1", payload={}, now=NOW)
        # The robot-only alert is passed over (marked done), the held one waits.
        wait_until(lambda: relay.status()["backlog"] == 1, timeout=5)
        assert sub.take(1, timeout=1) == []
        with read_session(engine) as session:
            held = session.exec(select(AlertOutbox).where(AlertOutbox.kind == "device_offline"))
            until = held.one().hold_until
        assert until is not None
        now[0] = until
        relay.notify()
        (got,) = sub.take(1)
        assert got[0] == f"{prefix}/hall/alerts/device_offline"
    finally:
        relay.stop()
        sub.close()


def test_alerts_arrive_in_order_of_occurrence_per_subject(
    engine: Engine, machine_broker: tuple[str, int]
) -> None:
    host, port = machine_broker
    prefix = f"hk-test/{time.monotonic_ns()}"
    sub = Subscriber(port, f"{prefix}/hall/alerts/#", host)
    relay = MqttRelay(engine, f"mqtt://{host}:{port}", topic_prefix=prefix, batch=7)
    try:
        relay.start()
        wait_until(lambda: relay.status()["ok"], timeout=10)
        for n in range(60):  # one transaction each, two people interleaved, across batches
            with write_session(engine) as session:
                staff = f"S{n % 2}"
                payload = {"staff_no": staff, "n": n}
                raise_alert(session, kind="late", key=f"{staff}:{n}", payload=payload, now=NOW)
        got = sub.take(60)
    finally:
        relay.stop()
        sub.close()
    for staff in ("S0", "S1"):
        seen = [m[1]["n"] for m in got if m[1]["subject"] == {"staff_no": staff}]
        assert seen == sorted(seen) and len(seen) == 30
