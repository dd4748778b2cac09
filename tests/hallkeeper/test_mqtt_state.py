"""Retained state topics (windows, devices) and Home Assistant discovery on the machine's
Mosquitto, from the app as it runs."""

from __future__ import annotations

import socket
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from attendance.models import Device
from hallbase.db import write_session
from hallbase.settings import REPO_CONFIG
from hallkeeper.app import create_app
from kiosk.hardware.simulated import devices_toml, start_simulators
from tests.helpers.broker import NETWORKED_BOARDS, Listener, hall_on_broker, machine_broker
from tests.helpers.queue import MONDAY_9AM, Clock, as_admin
from tests.helpers.queue_devices import post


def test_window_and_device_states_are_retained_and_discovered(tmp_path: Path) -> None:
    host, port = machine_broker()
    prefix = f"hk-test/{time.monotonic_ns()}"
    ha = f"hk-test-ha/{time.monotonic_ns()}"
    settings = hall_on_broker(tmp_path, host, port, prefix, NETWORKED_BOARDS, mqtt_discovery=ha)
    base = f"{prefix}/{settings.hall.hall.code}"
    window_topic = f"{base}/window/8/state"
    device_topic = f"{base}/device/terminal/ADMS-TEST-1/state"
    app = create_app(settings, clock=Clock(MONDAY_9AM))
    with write_session(app.state.engine) as session:
        session.add(
            Device(
                serial="ADMS-TEST-1", name="一楼东门", protocol="adms", approved=True,
                last_seen=MONDAY_9AM,
            )
        )  # fmt: skip
    states = Listener(host, port, f"{base}/#")
    configs = Listener(host, port, f"{ha}/#")
    seen_topics: set[str] = set()

    def on(topic: str, **fields: Any) -> Any:
        def wanted(m: tuple[str, Any, bool]) -> bool:
            seen_topics.add(m[0])
            body = m[1] or {}
            return m[0] == topic and all(body.get(k) == v for k, v in fields.items())

        return wanted

    def got(listener: Listener, wanted: Any) -> tuple[str, Any, bool]:
        """A message already seen or arriving from now on for which ``wanted`` holds."""
        earlier = [m for m in listener.seen if wanted(m)]
        return earlier[-1] if earlier else listener.until(wanted)

    try:
        with TestClient(app) as client:
            as_admin(app, client)
            relay = app.state.mqtt_relay
            idle = states.until(on(window_topic, state="idle"))[1]
            assert idle == {"window": 8, "state": "idle", "number": None, "at": idle["at"]}
            code = post(client, "/tickets", {"service": "consult"})["code"]
            post(client, "/windows/8/call-next")
            states.until(on(window_topic, state="calling", number=code))
            online = got(states, on(device_topic, state="online"))[1]
            assert online["kind"] == "terminal" and online["name"] == "一楼东门"

            # Discovery: each entity's config points at its state topic and the status.
            window_config = got(configs, on(f"{ha}/sensor/hallkeeper_hall_window_8/config"))[1]
            assert window_config["state_topic"] == window_topic
            assert window_config["availability_mode"] == "any"
            assert [a["topic"] for a in window_config["availability"]] == [relay.status_topic]
            assert window_config["unique_id"] == "hallkeeper_hall_window_8"
            assert window_config["device"]["identifiers"] == ["hallkeeper_hall"]
            device_config = got(
                configs, on(f"{ha}/binary_sensor/hallkeeper_hall_terminal_ADMS-TEST-1/config")
            )[1]
            assert device_config["state_topic"] == device_topic
            assert device_config["device_class"] == "connectivity"
            assert device_config["device"]["via_device"] == "hallkeeper_hall"
            assert device_config["device"]["name"] == "一楼东门"

            # The terminal last called in ten minutes ago: offline, since it was seen so.
            with write_session(app.state.engine) as session:
                row = session.exec(select(Device).where(Device.serial == "ADMS-TEST-1")).one()
                row.last_seen = MONDAY_9AM - timedelta(minutes=10)
                session.add(row)
            offline = states.until(on(device_topic, state="offline"), timeout=15)[1]
            assert datetime.fromisoformat(offline["since"]) == MONDAY_9AM

            # A new connection publishes every state again (not only what changed).
            sock = relay.client.socket()
            assert sock is not None
            sock.shutdown(socket.SHUT_RDWR)
            states.until(lambda m: m[0] == relay.status_topic and m[1]["state"] == "online")
            reconnected = len(states.seen)
            again = states.until(on(window_topic, state="calling", number=code))
            assert relay.connects == 2 and not again[2]  # sent anew, not a retained copy
            if not any(on(device_topic, state="offline")(m) for m in states.seen[reconnected:]):
                states.until(on(device_topic, state="offline"))

        # Late readers get each state retained.
        late = Listener(host, port, window_topic)
        try:
            topic, body, retained = late.until(lambda m: True)
            assert (topic, retained, body["state"]) == (window_topic, True, "calling")
        finally:
            late.close()
    finally:
        states.clear_retained(
            {t for t in seen_topics if t.startswith((base, ha))} | {window_topic, device_topic}
        )
        states.close()
        configs.close()


def test_queue_devices_availability_on_the_simulators(tmp_path: Path) -> None:
    """The printer, the LED bus and the keypad bus (the simulators in devices/) each have an
    availability topic; a printer switched off shows offline, and online once it is back."""
    host, port = machine_broker()
    prefix = f"hk-test/{time.monotonic_ns()}"
    sims = start_simulators(tmp_path / "sims")
    devices = devices_toml(sims.printer.port, sims.boards.path, sims.keypads.path)
    hall_text = REPO_CONFIG.read_text("utf-8") + devices.replace(
        "printer_poll_s = 10", "printer_poll_s = 0.2"
    )
    settings = hall_on_broker(tmp_path, host, port, prefix, hall_text)
    base = f"{prefix}/{settings.hall.hall.code}/device"
    printer = f"{base}/printer/main/state"
    clock = Clock(MONDAY_9AM)
    app = create_app(settings, clock=clock)
    states = Listener(host, port, f"{base}/#")

    def on(topic: str, state: str) -> Any:
        return lambda m: m[0] == topic and m[1] is not None and m[1]["state"] == state

    try:
        with TestClient(app):
            wanted = {printer, f"{base}/led/led/state", f"{base}/keypads/keypads/state"}
            online: set[str] = set()

            def all_online(m: tuple[str, Any, bool]) -> bool:
                if m[1] is not None and m[1]["state"] == "online":
                    online.add(m[0])
                return wanted <= online

            states.until(all_online, timeout=15)
            clock.advance(seconds=1)  # `since`: the moment the change was seen
            sims.printer.stop()  # switched off: the next status poll finds nothing there
            offline = states.until(on(printer, "offline"), timeout=15)[1]
            assert offline["kind"] == "printer" and offline["device"] == "main"
            assert datetime.fromisoformat(offline["since"]) == MONDAY_9AM + timedelta(seconds=1)
            clock.advance(seconds=1)
            sims.printer.start()  # back on the same port
            back = states.until(on(printer, "online"), timeout=20)[1]
            assert datetime.fromisoformat(back["since"]) == MONDAY_9AM + timedelta(seconds=2)
            assert back["problem"] is None
            sims.printer.set_state(paper="out")  # it answers, and says it cannot print
            out = states.until(lambda m: m[0] == printer and m[1]["problem"] == "paper_out")[1]
            assert out["state"] == "online"
    finally:
        states.clear_retained({m[0] for m in states.seen})
        states.close()
        for sim in (sims.keypads, sims.boards, sims.printer):
            sim.stop()
