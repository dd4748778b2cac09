"""DingTalk and WeCom robots as outlets, against a real local HTTP receiver that checks the
signature and the rate as the platforms do."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from hallbase.alerts import Alert, raise_alerts
from hallbase.clock import utcnow
from hallbase.db import read_session, write_session
from hallbase.hallconfig.alerts import AlertsSection
from hallbase.models import AlertDelivery
from hallkeeper.robots import RobotRelay
from tests.helpers.waiting import wait_until

TZ = ZoneInfo("Asia/Shanghai")
SECRET = "SECtest0123456789"


@dataclass
class Receiver:
    """What a robot's webhook received, and what it found wrong."""

    per_window: int
    window: float
    fail_first: int = 0
    times: list[float] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[int]:
        texts = [b["markdown"].get("text") or b["markdown"].get("content") for b in self.bodies]
        return [int(n) for text in texts for n in re.findall(r"编号 (\d+)", text)]


@pytest.fixture
def receiver_server() -> Iterator[tuple[str, dict[str, Receiver]]]:
    receivers: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            got = receivers[parts.path.strip("/")]
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
            status = 200
            with got.lock:
                now = time.monotonic()
                recent = [t for t in got.times if now - t < got.window]
                got.times.append(now)
                if parts.path == "/dingtalk":
                    ts = query["timestamp"][0]
                    mac = hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256)
                    if query["sign"][0] != base64.b64encode(mac.digest()).decode():
                        got.problems.append("bad signature")
                    if abs(int(ts) / 1000 - time.time()) > 60:
                        got.problems.append("stale timestamp")
                if len(recent) >= got.per_window:
                    got.problems.append("over the rate")
                    answer = {"errcode": 130101, "errmsg": "send too fast"}
                elif got.fail_first > 0:
                    got.fail_first -= 1
                    status = 500
                else:
                    got.bodies.append(body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", receivers
    finally:
        server.shutdown()
        server.server_close()


def _raise(engine: Engine, n: int, kind: str = "attendance.late") -> None:
    with write_session(engine) as session:
        alerts = [Alert(kind, f"S{i}", {"message": f"员工{i} 迟到"}) for i in range(n)]
        raise_alerts(session, alerts, utcnow())


def test_dingtalk_signed_batched_and_within_the_rate(
    engine: Engine, receiver_server: tuple[str, dict[str, Receiver]]
) -> None:
    base, receivers = receiver_server
    receivers["dingtalk"] = got = Receiver(per_window=2, window=1.0)
    cfg = AlertsSection.model_validate(
        {
            "outlets": ["mqtt", "dingtalk"],
            "dingtalk": {
                "webhook": f"{base}/dingtalk?access_token=t",
                "secret": SECRET,
                "per_minute": 2,
            },
            "kinds": {"quiet.kind": {"outlets": ["mqtt"]}},
        }
    )
    relay = RobotRelay(
        engine, "dingtalk", cfg, TZ, utcnow, window_seconds=1.0, max_batch=5, poll_seconds=0.1
    )
    relay.start()
    try:
        _raise(engine, 30)
        _raise(engine, 3, kind="quiet.kind")  # not for this outlet
        wait_until(lambda: relay.sent == 30, timeout=20)
    finally:
        relay.stop()
    assert got.problems == []
    assert sorted(got.ids()) == list(range(1, 31))  # each alert once, in 6 messages
    assert len(got.bodies) == 6
    first = got.bodies[0]["markdown"]
    assert (
        first["title"] == "大厅告警 5 条"
        and "**警告**" in first["text"]
        and "员工0 迟到" in first["text"]
    )
    # Two requests a second at most: 6 messages took more than 2 seconds.
    assert got.times[-1] - got.times[0] >= 2.0
    with read_session(engine) as session:
        rows = session.exec(select(AlertDelivery)).all()
    assert len(rows) == 30 and all(r.sent_at is not None for r in rows)


def test_a_failing_robot_holds_back_only_its_own_deliveries(
    engine: Engine, receiver_server: tuple[str, dict[str, Receiver]]
) -> None:
    base, receivers = receiver_server
    receivers["dingtalk"] = ding = Receiver(per_window=20, window=60.0)
    receivers["wecom"] = wecom = Receiver(per_window=20, window=60.0, fail_first=3)
    cfg = AlertsSection.model_validate(
        {
            "outlets": ["dingtalk", "wecom"],
            "dingtalk": {"webhook": f"{base}/dingtalk", "secret": SECRET},
            "wecom": {"webhook": f"{base}/wecom?key=k"},
        }
    )
    options: dict[str, Any] = {"poll_seconds": 0.1, "backoff_seconds": 0.3}
    relays = [RobotRelay(engine, o, cfg, TZ, utcnow, **options) for o in ("dingtalk", "wecom")]  # type: ignore[arg-type]
    for relay in relays:
        relay.start()
    try:
        _raise(engine, 8)
        wait_until(lambda: relays[0].sent == 8, timeout=10)
        wait_until(lambda: relays[1].sent == 8, timeout=20)
    finally:
        for relay in relays:
            relay.stop()
    assert ding.problems == [] and wecom.problems == []
    assert sorted(ding.ids()) == sorted(wecom.ids()) == list(range(1, 9))
    assert "content" in wecom.bodies[0]["markdown"]
    # Three failures, each retried after a longer wait (0.3 s, 0.6 s, 1.2 s).
    gaps = [b - a for a, b in zip(wecom.times, wecom.times[1:4], strict=False)]
    assert gaps[0] >= 0.25 and gaps[1] >= 0.5 and gaps[2] >= 1.0
    with read_session(engine) as session:
        failed = session.exec(select(AlertDelivery).where(AlertDelivery.outlet == "wecom")).all()
    assert all(r.attempts == 4 and r.last_error == "HTTP 500" for r in failed)
