"""DingTalk and WeCom group robots (钉钉 / 企业微信 群机器人) as alert outlets beside MQTT.

Each configured robot runs its own relay on its own thread, from the same outbox:

1. plan: every alert whose kind goes to this outlet (`AlertsSection.outlets_of`) gets an
   `AlertDelivery` row, due when the alert is (or when its quiet-hours hold ends). The
   outlet's cursor remembers the last alert id planned; each round looks back `LOOKBACK` ids
   before it for alerts committed out of id order (PostgreSQL), which the unique
   (alert, outlet) pair keeps from being planned twice.
2. send: due deliveries are batched into one markdown message (Chinese by default) of at most
   ``max_batch`` alerts and `MAX_TEXT_BYTES`; a delivery is marked sent only when the platform
   answered ``errcode`` 0, else retried with exponential backoff. At most ``per_minute``
   requests go out in any minute (both platforms allow 20 a minute per robot; DingTalk blocks a
   robot for 10 minutes over that), failed ones included.

DingTalk requests are signed when the robot has a secret (加签): ``timestamp`` (ms) and
``sign`` = URL-encoded base64 of HMAC-SHA256 over ``"<timestamp>\\n<secret>"`` keyed with the
secret. WeCom's webhook carries its ``key``. A robot that fails holds back only its own
deliveries: MQTT and the other robot go on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import threading
import time as monotonic_time
from collections import deque
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import quote_plus
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine, exists
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, func, select, update

from hallbase.alert_ack import message
from hallbase.alerts import on_commit
from hallbase.background import BackgroundLoop
from hallbase.clock import Clock
from hallbase.db import read_session, write_session
from hallbase.hallconfig.alerts import AlertsSection, RobotSection
from hallbase.models import AlertDelivery, AlertOutbox, AlertOutletCursor
from hallbase.words import t

log = logging.getLogger(__name__)
RobotOutlet = Literal["dingtalk", "wecom"]
LOOKBACK = 1000  # alert ids looked at again before the cursor (out-of-order commits)
MAX_TEXT_BYTES = 3800  # WeCom takes 4,096 bytes of markdown; DingTalk more
RATE_LIMITED = {"dingtalk": 130101, "wecom": 45009}  # "sending too fast"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` parameter, URL-encoded."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest).decode())


def robot_url(outlet: RobotOutlet, robot: RobotSection, now_ms: int) -> str:
    """The webhook to post to, signed for DingTalk when the robot has a secret."""
    secret = robot.signing_secret
    if outlet != "dingtalk" or not secret:
        return robot.webhook
    joiner = "&" if "?" in robot.webhook else "?"
    return f"{robot.webhook}{joiner}timestamp={now_ms}&sign={dingtalk_sign(secret, now_ms)}"


def robot_body(outlet: RobotOutlet, title: str, text: str) -> dict[str, Any]:
    """A markdown message as each platform takes it."""
    if outlet == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": title, "text": f"### {title}\n{text}"}}
    return {"msgtype": "markdown", "markdown": {"content": f"### {title}\n{text}"}}


class RobotRelay:
    """Delivers alerts to one group robot (a Component of the app)."""

    def __init__(
        self,
        engine: Engine,
        outlet: RobotOutlet,
        alerts: AlertsSection,
        zone: ZoneInfo,
        clock: Clock,
        *,
        window_seconds: float = 60.0,
        max_batch: int = 10,
        backoff_seconds: float = 5.0,
        backoff_max_seconds: float = 600.0,
        poll_seconds: float = 2.0,
        timeout_seconds: float = 10.0,
    ) -> None:
        robot = getattr(alerts, outlet)
        if robot is None:
            raise ValueError(f"no [alerts.{outlet}] section")
        self.engine, self.outlet, self.alerts, self.robot = engine, outlet, alerts, robot
        self.zone, self.clock = zone, clock
        self.window, self.max_batch = window_seconds, max_batch
        self.backoff, self.backoff_max = backoff_seconds, backoff_max_seconds
        self.poll_seconds = poll_seconds
        self.sent = 0  # deliveries accepted by the platform so far
        self.started_at = clock()
        self._requests: deque[float] = deque()  # monotonic times of the last requests
        self._http = httpx.Client(timeout=timeout_seconds)
        self._wake = threading.Event()
        self._unhook: Any = None
        self._background = BackgroundLoop(f"alerts-{outlet}", self._run)

    def start(self) -> None:
        self._unhook = on_commit(self._wake.set)
        self._background.start()

    def stop(self) -> None:
        if self._unhook is not None:
            self._unhook()
        self._background.request_stop()
        self._wake.set()
        self._background.stop()
        self._http.close()

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            try:
                self.plan()
                while not stop.is_set():
                    pause = self._budget_wait()
                    if pause > 0:
                        stop.wait(pause)
                        continue
                    if not self.send_once():
                        break
            except Exception:  # a failed round is tried again at the next one
                log.exception("alerts to %s: a round failed", self.outlet)

    def _kind_filter(self) -> Any:
        """SQL condition on ``AlertOutbox.kind``: the kinds that go to this outlet."""
        known = set(self.alerts.kinds) | {"alert.escalation"}
        if self.outlet in self.alerts.outlets:
            others = [k for k in known if self.outlet not in self.alerts.outlets_of(k)]
            return col(AlertOutbox.kind).not_in(others)
        return col(AlertOutbox.kind).in_(
            [k for k in known if self.outlet in self.alerts.outlets_of(k)]
        )

    def plan(self) -> int:
        """Add the deliveries of alerts not planned yet; returns how many were added."""
        table = AlertDelivery.__table__  # type: ignore[attr-defined]
        with write_session(self.engine) as session:
            cursor = session.get(AlertOutletCursor, self.outlet)
            if cursor is None:  # a new outlet: from the alerts of this start on
                before = col(AlertOutbox.created_at) < self.started_at
                last = session.exec(select(func.max(AlertOutbox.id)).where(before)).one()
                cursor = AlertOutletCursor(outlet=self.outlet, last_id=last or 0)
                session.add(cursor)
            planned = exists().where(
                col(AlertDelivery.alert_id) == col(AlertOutbox.id),
                col(AlertDelivery.outlet) == self.outlet,
            )
            rows = session.exec(
                select(AlertOutbox.id, AlertOutbox.created_at, AlertOutbox.hold_until)
                .where(col(AlertOutbox.id) > cursor.last_id - LOOKBACK, ~planned)
                .where(self._kind_filter())
                .order_by(col(AlertOutbox.id))
                .limit(500)
            ).all()
            if not rows:
                return 0
            values = [
                {"alert_id": i, "outlet": self.outlet, "next_at": hold or at, "attempts": 0}
                for i, at, hold in rows
            ]
            dialect = session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert(table).on_conflict_do_nothing(
                index_elements=[table.c.alert_id, table.c.outlet]
            )
            session.execute(statement, values)
            cursor.last_id = max(cursor.last_id, *(i or 0 for i, _a, _h in rows))
            session.add(cursor)
        return len(rows)

    def _budget_wait(self) -> float:
        """Seconds until another request fits the rate limit (0: now)."""
        now = monotonic_time.monotonic()
        while self._requests and now - self._requests[0] >= self.window:
            self._requests.popleft()
        if len(self._requests) < self.robot.per_minute:
            return 0.0
        return self.window - (now - self._requests[0]) + 0.01

    def _compose(self, rows: list[tuple[AlertDelivery, AlertOutbox]]) -> tuple[str, list[int]]:
        lines: list[str] = []
        ids: list[int] = []
        size = 0
        for delivery, alert in rows:
            line = t(
                "alerts.robot.line",
                severity=t(f"alerts.robot.severity.{alert.severity}"),
                time=alert.created_at.astimezone(self.zone).strftime("%H:%M"),
                message=message(alert.payload) or alert.kind,
                id=alert.id,
            )
            grown = size + len(line.encode()) + 1
            if lines and grown > MAX_TEXT_BYTES:
                break
            lines.append(line)
            assert delivery.id is not None
            ids.append(delivery.id)
            size = grown
        return "\n".join(lines), ids

    def send_once(self) -> int:
        """Send one message of due deliveries; returns how many the platform accepted."""
        now = self.clock()
        with read_session(self.engine) as session:
            rows = session.exec(
                select(AlertDelivery, AlertOutbox)
                .join(AlertOutbox, col(AlertOutbox.id) == col(AlertDelivery.alert_id))
                .where(
                    col(AlertDelivery.outlet) == self.outlet,
                    col(AlertDelivery.sent_at).is_(None),
                    col(AlertDelivery.next_at) <= now,
                )
                .order_by(col(AlertDelivery.alert_id))
                .limit(self.max_batch)
            ).all()
        if not rows:
            return 0
        text, ids = self._compose(list(rows))
        title = t("alerts.robot.title", count=len(ids))
        url = robot_url(self.outlet, self.robot, int(now.timestamp() * 1000))
        error, limited = self._post(url, robot_body(self.outlet, title, text))
        # Counted from the answer (the platform counts arrivals, which come before it).
        self._requests.append(monotonic_time.monotonic())
        with write_session(self.engine) as session:
            if error is None:
                session.execute(
                    update(AlertDelivery)
                    .where(col(AlertDelivery.id).in_(ids))
                    .values(sent_at=now, attempts=AlertDelivery.attempts + 1)
                )
                self.sent += len(ids)
                return len(ids)
            attempts = max(d.attempts for d, _a in rows) + 1
            wait = self.window if limited else self.backoff * 2 ** (attempts - 1)
            session.execute(
                update(AlertDelivery)
                .where(col(AlertDelivery.id).in_(ids))
                .values(
                    attempts=AlertDelivery.attempts + 1,
                    next_at=now + timedelta(seconds=min(wait, self.backoff_max)),
                    last_error=error[:500],
                )
            )
        log.warning("alerts to %s: not accepted (%s); retried later", self.outlet, error)
        return 0

    def _post(self, url: str, body: dict[str, Any]) -> tuple[str | None, bool]:
        """Post a message; (None, False) when accepted, else the error and whether it was
        the platform's rate limit."""
        try:
            answer = self._http.post(url, json=body)
        except httpx.HTTPError as exc:
            return f"request failed: {exc}", False
        if answer.status_code != 200:
            return f"HTTP {answer.status_code}", False
        try:
            code = int(answer.json().get("errcode", -1))
        except (ValueError, AttributeError, TypeError):
            return "the answer is not the platform's JSON", False
        if code == 0:
            return None, False
        return f"errcode {code}: {answer.text[:200]}", code == RATE_LIMITED[self.outlet]

    def backlog(self) -> int:
        """Deliveries not sent yet."""
        with read_session(self.engine) as session:
            waiting = col(AlertDelivery.sent_at).is_(None)
            mine = col(AlertDelivery.outlet) == self.outlet
            return int(
                session.exec(
                    select(func.count()).select_from(AlertDelivery).where(mine, waiting)
                ).one()
            )


def robot_relays(
    engine: Engine, alerts: AlertsSection, zone: ZoneInfo, clock: Clock
) -> list[RobotRelay]:
    """A relay for each robot the hall file configures."""
    outlets: tuple[RobotOutlet, ...] = ("dingtalk", "wecom")
    return [
        RobotRelay(engine, o, alerts, zone, clock)
        for o in outlets
        if getattr(alerts, o) is not None
    ]
