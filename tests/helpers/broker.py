"""A client of the machine's Mosquitto that collects what arrives on a topic filter."""

from __future__ import annotations

import getpass
import json
import queue
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from hallbase.settings import REPO_CONFIG, Settings, load_settings
from tests.helpers.live_server import free_port
from tests.helpers.services import MQTT_URL, service_missing
from tests.helpers.waiting import wait_until


def machine_broker() -> tuple[str, int]:
    """The test broker's host and port; skips (fails in CI) when nothing listens there."""
    parts = urlsplit(MQTT_URL)
    host, port = parts.hostname or "127.0.0.1", parts.port or 1883
    try:
        with socket.create_connection((host, port), timeout=1):
            pass
    except OSError:
        service_missing("Mosquitto", f"nothing listens on {host}:{port}")
    return host, port


class Listener:
    """Subscribes to ``topic`` (retained messages arrive first) and keeps every message as
    ``(topic, JSON body or None for an empty payload, retained)``."""

    def __init__(
        self,
        host: str,
        port: int,
        topic: str,
        *,
        tls: ssl.SSLContext | None = None,
        auth: tuple[str, str] | None = None,
    ) -> None:
        self.messages: queue.Queue[tuple[str, Any, bool]] = queue.Queue()
        self.seen: list[tuple[str, Any, bool]] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        if tls is not None:
            self.client.tls_set_context(tls)
        if auth is not None:
            self.client.username_pw_set(*auth)
        self.client.on_message = lambda _c, _u, msg: self.messages.put(
            (msg.topic, json.loads(msg.payload) if msg.payload else None, bool(msg.retain))
        )
        ready: queue.Queue[int] = queue.Queue()
        self.client.on_subscribe = lambda *_args: ready.put(1)
        self.client.connect(host, port)
        self.client.loop_start()
        self.client.subscribe(topic, qos=1)
        ready.get(timeout=5)

    def until(self, wanted: Any, timeout: float = 10.0) -> tuple[str, Any, bool]:
        """The first message from now on for which ``wanted(message)`` is true; fails after
        ``timeout`` seconds with what arrived."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no such message within {timeout}s; got {self.seen}"
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(message)
            if wanted(message):
                return message

    def clear_retained(self, topics: set[str]) -> None:
        """Remove the retained messages of ``topics`` from the broker."""
        for topic in topics:
            self.client.publish(topic, b"", qos=1, retain=True).wait_for_publish(timeout=5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class PrivateBroker:
    """A Mosquitto of the test's own on a free port, with the listener settings given (TLS,
    passwords); started by `start`, stopped by `stop` (both may repeat)."""

    def __init__(self, directory: Path, listener: str = "", port: int | None = None) -> None:
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(binary).exists():
            service_missing("mosquitto binary", "not installed")
        self.binary = binary
        self.port = port or free_port()
        self.conf = directory / f"mosquitto-{self.port}.conf"
        # As root Mosquitto would switch to its own user, who cannot read the test's files.
        self.conf.write_text(
            f"user {getpass.getuser()}\npersistence false\n"
            f"listener {self.port} 127.0.0.1\n{listener or 'allow_anonymous true'}\n",
            "utf-8",
        )
        self.log = directory / f"mosquitto-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateBroker:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [self.binary, "-c", str(self.conf)], stdout=log, stderr=subprocess.STDOUT
            )

        def up() -> bool:
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                return False

        wait_until(up, timeout=10)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


# The shipped hall file with boards networked only: the devices' lease, no device.
NETWORKED_BOARDS = REPO_CONFIG.read_text("utf-8") + "\n[queue_devices]\nlease_renew_s = 0.5\n"


def hall_on_broker(
    directory: Path, host: str, port: int, prefix: str, hall_text: str | None = None, **extra: Any
) -> Settings:
    """Settings of a service on the broker at ``host:port`` under ``prefix``: its data in
    ``directory``/data, and ``hall_text`` as its hall file (None: the shipped one)."""
    config: dict[str, Any] = {}
    if hall_text is not None:
        hall_file = directory / "hall.toml"
        hall_file.write_text(hall_text, "utf-8")
        config["config"] = hall_file
    return load_settings(
        data_dir=directory / "data",
        database_url="",
        mqtt_url=f"mqtt://{host}:{port}",
        mqtt_topic=prefix,
        **config,
        **extra,
    )
