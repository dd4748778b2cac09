"""Every window's state on the machine's Mosquitto, whatever devices the hall has; Home
Assistant's availability over several instances."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from hallbase.settings import load_settings
from hallkeeper.app import create_app
from hallkeeper.mqtt import MqttRelay
from hallkeeper.mqtt_discovery import Discovery
from hallkeeper.mqtt_windows import WindowTopics
from kiosk.events import EventBus
from tests.helpers.broker import Listener, hall_on_broker, machine_broker
from tests.helpers.queue import MONDAY_9AM, Clock, as_admin
from tests.helpers.queue_devices import post
from tests.helpers.waiting import wait_until


def _state(topic: str, **fields: Any) -> Any:
    def wanted(m: tuple[str, Any, bool]) -> bool:
        body = m[1] or {}
        return m[0] == topic and all(body.get(k) == v for k, v in fields.items())

    return wanted


def test_every_window_s_state_without_queue_devices(tmp_path: Path) -> None:
    """The shipped hall file has no [queue_devices]: each window's state is published all the
    same, from idle through calling and serving back to idle, and kept retained."""
    host, port = machine_broker()
    prefix = f"hk-test/{time.monotonic_ns()}"
    settings = hall_on_broker(tmp_path, host, port, prefix)
    assert settings.hall.queue_devices is None
    base = f"{prefix}/{settings.hall.hall.code}"
    numbers = sorted(w.number for w in settings.hall.windows)
    topic = f"{base}/window/8/state"
    app = create_app(settings, clock=Clock(MONDAY_9AM))
    states = Listener(host, port, f"{base}/window/#")
    try:
        with TestClient(app) as client:
            as_admin(app, client)
            assert getattr(app.state, "queue_devices", None) is None
            seen: set[int] = set()

            def all_idle(m: tuple[str, Any, bool]) -> bool:
                assert m[0].endswith("/state"), f"{m[0]}: no board without [queue_devices]"
                if m[1]["state"] == "idle" and m[1]["number"] is None:
                    seen.add(m[1]["window"])
                return seen == set(numbers)

            states.until(all_idle)
            code = post(client, "/tickets", {"service": "consult"})["code"]
            post(client, "/windows/8/call-next")
            calling = states.until(_state(topic, state="calling"))[1]
            assert calling["number"] == code and calling["window"] == 8
            assert datetime.fromisoformat(calling["at"]) == MONDAY_9AM
            post(client, "/windows/8/start")
            states.until(_state(topic, state="serving", number=code))
            post(client, "/windows/8/finish", {"outcome": "done"})
            idle = states.until(_state(topic, state="idle"))[1]
            assert idle["number"] is None and datetime.fromisoformat(idle["at"]) == MONDAY_9AM
            post(client, "/windows/3/pause")
            states.until(_state(f"{base}/window/3/state", state="paused", number=None))
        late = Listener(host, port, topic)
        try:
            got, body, retained = late.until(lambda m: True)
            assert (got, retained, body["state"], body["number"]) == (topic, True, "idle", None)
        finally:
            late.close()
    finally:
        states.clear_retained({m[0] for m in states.seen})
        states.close()


def test_discovery_shows_entities_available_while_any_instance_is_online(
    tmp_path: Path,
) -> None:
    """Two instances on one broker send the same config, listing both status topics with
    `availability_mode: any`: one instance stopped leaves the entities available, both
    stopped makes them unavailable (evaluated the way Home Assistant does)."""
    host, port = machine_broker()
    prefix = f"hk-test/{time.monotonic_ns()}"
    ha = f"hk-test-ha/{time.monotonic_ns()}"
    settings = load_settings(data_dir=tmp_path / "data", database_url="", mqtt_url="")
    engine = create_app(settings).state.engine  # migrated and seeded: the shipped windows
    config_topic = f"{ha}/sensor/hallkeeper_hall_window_8/config"
    configs = Listener(host, port, config_topic)
    statuses = Listener(host, port, f"{prefix}/hall/status/+")
    relays = [
        MqttRelay(engine, f"mqtt://{host}:{port}", topic_prefix=prefix, instance=name)
        for name in ("one", "two")
    ]
    discoveries = [Discovery(relay, ha, "hall") for relay in relays]
    windows = [
        WindowTopics(relay, engine, EventBus(), discovery=discovery)
        for relay, discovery in zip(relays, discoveries, strict=True)
    ]
    both = sorted(r.status_topic for r in relays)
    status: dict[str, str] = {}

    def listed(m: tuple[str, Any, bool]) -> list[str]:
        return [a["topic"] for a in m[1]["availability"]]

    def state_of(topic: str) -> str | None:
        """The latest status on ``topic`` seen so far."""
        while not statuses.messages.empty():
            got, body, _retained = statuses.messages.get()
            status[got] = body["state"] if body else ""
        return status.get(topic)

    def available(config: dict[str, Any]) -> bool:
        """Home Assistant's reading of the config against the statuses seen so far."""
        assert config["availability_mode"] == "any"
        return any(state_of(a["topic"]) == "online" for a in config["availability"])

    try:
        relays[0].start()
        windows[0].start()
        first = configs.until(lambda m: m[1] is not None)[1]
        assert [a["topic"] for a in first["availability"]] == [relays[0].status_topic]
        relays[1].start()
        windows[1].start()
        wait_until(lambda: all(d.instances() == both for d in discoveries), timeout=10)
        latest = configs.until(lambda m: listed(m) == both)[1]
        assert latest["state_topic"] == f"{prefix}/hall/window/8/state"
        wait_until(lambda: available(latest), timeout=10)

        windows[0].stop()
        relays[0].stop()  # a clean stop: its status says offline
        wait_until(lambda: state_of(relays[0].status_topic) == "offline", timeout=10)
        assert available(latest) and status[relays[1].status_topic] == "online"
        late = Listener(host, port, config_topic)
        try:
            retained = late.until(lambda m: True)
        finally:
            late.close()
        assert retained[2] and listed(retained) == both  # whichever instance wrote it last

        windows[1].stop()
        relays[1].stop()
        wait_until(lambda: state_of(relays[1].status_topic) == "offline", timeout=10)
        assert not available(retained[1])
    finally:
        for window_topics in windows:
            window_topics.stop()
        for relay in relays:
            relay.stop()
        configs.clear_retained({config_topic, *both})
        numbers = [w.number for w in settings.hall.windows]
        configs.clear_retained({f"{ha}/sensor/hallkeeper_hall_window_{n}/config" for n in numbers})
        configs.clear_retained({f"{prefix}/hall/window/{n}/state" for n in numbers})
        configs.close()
        statuses.close()
        engine.dispose()
