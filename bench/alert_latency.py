"""Alert latency and outage drain: the real service, real Mosquitto, real HTTP.

    .venv/bin/python bench/alert_latency.py [--punches 200] [--backlog 10000] [--skip-outage]

1. Latency: a simulated ADMS terminal pushes one punch (``POST /iclock/cdata``, one ATTLOG
   line, 10 minutes late for the morning sign-in) and an MQTT subscriber on the machine's
   Mosquitto (HALLKEEPER_BENCH_MQTT_URL, default mqtt://127.0.0.1:1883) waits for the
   ``attendance.late`` alert of that person (on ``<prefix>/<hall code>/alerts/#``). One punch
   at a time, one new person each;
   median, p99 and max from just before the POST to the message's arrival. Target p99 <= 200 ms.
2. Outage: the service relays to a private Mosquitto on a free port; the broker is stopped,
   ``--backlog`` alerts are queued in the database, the service's RSS is sampled while they
   wait, then the broker is started again: the time until a subscriber has every one of
   them (from the broker's return, so paho's reconnect delay is included). Target <= 30 s.

The service runs in its own process (``--serve``: the app with a clock set to a Wednesday
08:45 in the hall's zone, running on from there, so the punches are late whatever day the
benchmark runs on) on SQLite in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_common import bearer_token, rss_mib

from attendance.models import Device
from hallbase.alerts import Alert, raise_alerts
from hallbase.db import make_engine, write_session
from hallbase.models import Staff
from hallbase.settings import load_settings
from hallkeeper.app import prepare_database
from tests.helpers.live_server import free_port

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 2, 8, 45, tzinfo=TZ)  # a Wednesday, 15 minutes after am_in's due
SN = "BENCH-ALERT-1"
MACHINE_MQTT = os.environ.get("HALLKEEPER_BENCH_MQTT_URL", "mqtt://127.0.0.1:1883")


def serve(data_dir: Path, port: int, mqtt_url: str, prefix: str) -> None:
    """The service with a clock that starts at `START` and runs on (the child process)."""
    import logging

    import uvicorn

    from hallkeeper.app import create_app

    logging.basicConfig(level=logging.WARNING)
    settings = load_settings(
        data_dir=data_dir, database_url="", mqtt_url=mqtt_url, mqtt_topic=prefix
    )
    started = time.monotonic()

    def clock() -> datetime:
        return START + timedelta(seconds=time.monotonic() - started)

    app = create_app(settings, clock=clock)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


class Subscriber:
    """Collects (arrival time, topic, payload) of every message under a topic filter."""

    def __init__(self, url: str, topic: str) -> None:
        parts = httpx.URL(url.replace("mqtt://", "http://"))
        self.got: queue.Queue[tuple[float, str, dict[str, Any]]] = queue.Queue()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.max_inflight_messages_set(100)

        def on_message(_c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
            self.got.put((time.perf_counter(), msg.topic, json.loads(msg.payload)))

        self.client.on_message = on_message
        ready: queue.Queue[int] = queue.Queue()
        self.client.on_subscribe = lambda *_a: ready.put(1)
        self.client.connect(parts.host, parts.port or 1883)
        self.client.loop_start()
        self.client.subscribe(topic, qos=1)
        ready.get(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def prepare(directory: Path, staff: int) -> Path:
    """A migrated database with ``staff`` extra people and one approved ADMS terminal."""
    settings = load_settings(data_dir=directory, database_url="", mqtt_url="")
    engine = make_engine(settings.effective_database_url)
    prepare_database(settings, engine)
    with write_session(engine) as session:
        session.add(Device(serial=SN, protocol="adms", timezone="Asia/Shanghai", approved=True))
        for n in range(staff):
            session.add(
                Staff(
                    staff_no=f"B{n:05d}",
                    name=f"职员{n}",
                    pin=str(70000 + n),
                    unit_code="ZWB",
                    category="聘用",
                )
            )
    # /healthz tells the broker's state to the office only: the bench asks as an admin.
    (directory / "token").write_text(bearer_token(engine, settings))
    engine.dispose()
    return directory


def broker_ok(url: str, directory: Path) -> bool:
    """The service's view of its broker (/healthz tells it to the office only: asked as an
    admin, with the token `prepare` made)."""
    auth = {"Authorization": f"Bearer {(directory / 'token').read_text()}"}
    return bool(httpx.get(f"{url}/healthz", headers=auth, timeout=5).json()["broker"]["ok"])


def start_service(
    directory: Path, mqtt_url: str, prefix: str
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    args = [sys.executable, __file__, "--serve", str(directory), str(port), mqtt_url, prefix]
    server = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if broker_ok(url, directory):
                return server, url
        except (httpx.HTTPError, KeyError, ValueError):
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise SystemExit("the service did not start (or did not reach the broker)")
        time.sleep(0.2)


def stop_service(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=30)


def punch_line(n: int, at: datetime) -> bytes:
    return f"{70000 + n}\t{at:%Y-%m-%d %H:%M:%S}\t0\t1\t0\t0\t0\n".encode()


def latency(directory: Path, punches: int) -> None:
    prefix = f"hk-bench/{time.monotonic_ns()}"
    sub = Subscriber(MACHINE_MQTT, f"{prefix}/+/alerts/#")
    server, url = start_service(directory, MACHINE_MQTT, prefix)
    late = START.replace(minute=40).replace(tzinfo=None)  # 08:40, ten minutes late
    params: dict[str, str | int] = {"SN": SN, "table": "ATTLOG", "Stamp": 0}
    waits: list[float] = []
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            for n in range(punches + 1):  # the first one warms the service up (not timed)
                wanted = f"attendance.late:B{n:05d}:"
                started = time.perf_counter()
                answer = client.post("/iclock/cdata", params=params, content=punch_line(n, late))
                if answer.text != "OK":
                    raise SystemExit(f"punch {n}: {answer.status_code} {answer.text}")
                deadline = started + 10
                while True:
                    try:
                        at, _topic, body = sub.got.get(
                            timeout=max(0.0, deadline - time.perf_counter())
                        )
                    except queue.Empty:
                        raise SystemExit(f"no alert for punch {n} within 10 s") from None
                    if str(body.get("message_id", "")).startswith(wanted):
                        break
                if n:
                    waits.append((at - started) * 1000)
                time.sleep(0.02)
    finally:
        stop_service(server)
        sub.close()
    waits.sort()
    p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))]
    print(
        f"punch -> alert on MQTT ({len(waits)} punches): median {statistics.median(waits):.1f} ms,"
        f" p99 {p99:.1f} ms, max {waits[-1]:.1f} ms"
    )


def outage(directory: Path, backlog: int) -> None:
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = free_port()
    conf = directory / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")

    def start_broker() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen([binary, "-c", str(conf)], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}", timeout=0.2)
            except httpx.ConnectError:
                time.sleep(0.02)
                if time.monotonic() > deadline:
                    raise SystemExit("the private broker did not start") from None
                continue
            except httpx.HTTPError:
                pass  # something answers on the port (not HTTP): the broker is up
            return proc

    broker = start_broker()
    url_mqtt = f"mqtt://127.0.0.1:{port}"
    server, url = start_service(directory, url_mqtt, "hk-outage")
    try:
        before = rss_mib(server.pid)
        broker.terminate()
        broker.wait(timeout=10)
        while broker_ok(url, directory):
            time.sleep(0.1)
        engine = make_engine(f"sqlite:///{directory / 'hallkeeper.db'}")
        now = datetime.now(TZ)
        queued = time.perf_counter()
        for first in range(0, backlog, 1000):
            with write_session(engine) as session:
                alerts = [
                    Alert("bench.outage", f"{n}", {"n": n, "message": f"测试告警 {n}"})
                    for n in range(first, min(backlog, first + 1000))
                ]
                raise_alerts(session, alerts, now)
        engine.dispose()
        print(f"queued {backlog} alerts during the outage in {time.perf_counter() - queued:.1f} s")
        samples = []
        for _ in range(10):  # ten seconds of waiting, with the relay polling the outbox
            samples.append(rss_mib(server.pid))
            time.sleep(1)
        broker = start_broker()
        back = time.perf_counter()
        sub = Subscriber(url_mqtt, "hk-outage/+/alerts/#")
        seen: set[str] = set()
        first: float | None = None
        try:
            while len(seen) < backlog:
                try:
                    at, _topic, body = sub.got.get(
                        timeout=max(0.0, back + 120 - time.perf_counter())
                    )
                except queue.Empty:
                    raise SystemExit(f"only {len(seen)} of {backlog} alerts within 120 s") from None
                if body.get("kind") == "bench.outage":
                    seen.add(str(body["message_id"]))
                    first = at if first is None else first
            drained = at - back
        finally:
            sub.close()
        print(
            f"{backlog} alerts drained {drained:.2f} s after the broker returned"
            f" (the first after {(first or at) - back:.2f} s: paho's reconnect delay)"
        )
        after = rss_mib(server.pid)
        print(
            f"service RSS: {before:.1f} MiB before the outage, while {backlog} waited:"
            f" max {max(samples):.1f} MiB, after the drain {after:.1f} MiB"
        )
    finally:
        stop_service(server)
        broker.terminate()
        broker.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--punches", type=int, default=200)
    parser.add_argument("--backlog", type=int, default=10_000)
    parser.add_argument("--skip-outage", action="store_true")
    parser.add_argument("--serve", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        directory, port, mqtt_url, prefix = args.serve
        serve(Path(directory), int(port), mqtt_url, prefix)
        return
    root = Path(tempfile.mkdtemp(prefix="hk-bench-alerts-"))
    try:
        latency(prepare(root / "latency", args.punches + 1), args.punches)
        if not args.skip_outage:
            outage(prepare(root / "outage", 0), args.backlog)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
