"""Networked boards: each window's board content, retained on the machine's Mosquitto."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from hallkeeper.app import create_app
from tests.helpers.broker import NETWORKED_BOARDS, Listener, hall_on_broker, machine_broker
from tests.helpers.queue import MONDAY_9AM, Clock, as_admin
from tests.helpers.queue_devices import post
from tests.helpers.waiting import wait_until


def test_a_late_board_gets_the_window_s_current_content(tmp_path: Path) -> None:
    host, port = machine_broker()
    prefix = f"hk-test/{time.monotonic_ns()}"
    # A hall whose boards are networked only: no LED bus, no printer, just the lease.
    settings = hall_on_broker(tmp_path, host, port, prefix, NETWORKED_BOARDS)
    boards = f"{prefix}/{settings.hall.hall.code}/window"
    topic = f"{boards}/8/board"
    app = create_app(settings, clock=Clock(MONDAY_9AM))
    watcher = Listener(host, port, f"{boards}/+/board")
    late: list[Listener] = []

    def later() -> Listener:
        late.append(Listener(host, port, topic))
        return late[-1]

    def on(window: str, state: str) -> Any:
        return lambda m: m[0] == window and m[1] is not None and m[1]["state"] == state

    try:
        with TestClient(app) as client:
            as_admin(app, client)
            # Taking the devices, the instance publishes every window's state.
            idle = watcher.until(on(topic, "idle"))[1]
            assert idle["text"] == "8号窗口空闲" and idle["number"] is None
            code = post(client, "/tickets", {"service": "consult"})["code"]
            post(client, "/windows/8/call-next")
            watcher.until(on(topic, "calling"))
            got, body, retained = later().until(lambda m: True)
            assert (got, retained) == (topic, True)
            assert body["text"] == f"请{code}到8号窗口" and body["blinking"] is True
            assert body["number"] == code and body["window"] == 8
            assert datetime.fromisoformat(body["at"]) == MONDAY_9AM
            post(client, "/windows/8/start")
            watcher.until(on(topic, "serving"))
            body = later().until(lambda m: True)[1]
            assert body["text"] == f"请{code}到8号窗口" and body["number"] == code
            assert body["blinking"] is False
            post(client, "/windows/8/finish", {"outcome": "done"})
            watcher.until(on(topic, "idle"))
            assert later().until(lambda m: True)[1]["text"] == "8号窗口空闲"
            relay = app.state.mqtt_relay
            wait_until(lambda: relay.status()["ok"])
    finally:
        for listener in late:
            listener.close()
        watcher.clear_retained({m[0] for m in watcher.seen})
        watcher.close()
