"""What is wrong with a terminal that answers, in its availability message on the machine's
Mosquitto: a terminal left disabled, a clock that drifts (the ZK simulator in devices/)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from devices.serial_reader.simulator import SerialReaderSimulator
from devices.zk.simulator import ZKSimulator
from hallkeeper.app import create_app
from hallkeeper.demo import ZK_SN, demo_config_text
from tests.helpers.attendance import TZ
from tests.helpers.broker import Listener, hall_on_broker, machine_broker
from tests.helpers.live_server import free_port


def test_a_terminal_left_disabled_then_its_drifting_clock_show_as_its_problem(
    tmp_path: Path,
) -> None:
    host, port = machine_broker()
    prefix = f"hk-test/{time.monotonic_ns()}"
    zk = ZKSimulator("127.0.0.1", free_port(), serial=ZK_SN)
    zk.device.refuse_enable = True  # the terminal stays disabled after each download
    zk.set_clock(datetime.now(TZ) + timedelta(minutes=10))  # beyond the 60 s allowed
    reader = SerialReaderSimulator(str(tmp_path / "reader.tty"), zone=TZ)
    reader.open()
    text = demo_config_text(zk.port, reader.path, datetime.now(TZ).date(), True)
    hall_text = text.replace("correct_clock = true", "correct_clock = false")
    settings = hall_on_broker(tmp_path, host, port, prefix, hall_text)
    topic = f"{prefix}/{settings.hall.hall.code}/device/terminal/{ZK_SN}/state"
    states = Listener(host, port, topic)

    def on(problem: str | None) -> Any:
        return lambda m: m[1] is not None and m[1]["problem"] == problem

    zk.start()
    try:
        with TestClient(create_app(settings)):
            disabled = states.until(on("left_disabled"), timeout=30)[1]
            # A disabled terminal takes no punch: out of service, and the problem says why.
            assert disabled["state"] == "offline"
            zk.device.refuse_enable = False
            drift = states.until(on("clock_drift"), timeout=40)[1]
            assert drift["state"] == "online" and zk.enabled
    finally:
        states.clear_retained({topic})
        states.close()
        zk.stop()
        reader.close()
