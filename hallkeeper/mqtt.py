"""The MQTT relay: publishes the alert outbox with QoS 1 and stable message ids.

The outbox is the only queue that counts: a row is marked published only after the broker
acknowledged it (PUBACK), so a broker outage or a restart of this service loses nothing; at
worst a message is delivered twice, with the same ``message_id`` for the client to drop.
Paho's callbacks only flip flags: no database work happens on paho's thread.

A session of this process that queued an alert wakes the relay when it commits
(`hallbase.alerts.on_commit`), so an alert leaves within milliseconds; on PostgreSQL an alert
committed by another instance wakes it through LISTEN/NOTIFY (`hallkeeper.mqtt_wake`). The
poll every ``poll_seconds`` remains for retries, and for whatever a lost notification missed.

Each instance has its own client id (``hallkeeper-<hall code>-<instance>``: a broker drops
the older of two connections with one id, so a shared id made two instances knock each other
off every second) and its own retained status, ``<prefix>/<hall>/status/<instance>``. Every
topic of the hall lies under ``<prefix>/<hall>/`` (`MqttRelay.base`), so several halls share
one broker: alerts at ``<base>/alerts/<kind>``, commands at ``<base>/cmd/...``. The status
says ``online`` with ``since``, the moment of the current connection, republished on every
connect. The last will (``offline``) is fixed when the connection is made and published by
the broker whenever that connection is lost, so it carries no time: the moment the broker
publishes it is the moment it applies. A clean stop publishes ``offline`` with ``since``.
"""

from __future__ import annotations

import json
import logging
import queue
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine
from sqlmodel import col, func, or_, select, update

from hallbase.alert_ack import message, subject
from hallbase.alerts import on_commit
from hallbase.background import BackgroundLoop
from hallbase.clock import Clock, utcnow
from hallbase.db import read_session, write_session
from hallbase.hallconfig.alerts import AlertsSection
from hallbase.models import AlertOutbox
from hallbase.settings import Settings
from hallkeeper.mqtt_commands import handle_ack
from hallkeeper.mqtt_state import RetainedTopics
from hallkeeper.mqtt_tls import TlsFiles, explain, tls_context
from hallkeeper.mqtt_wake import PgWake

log = logging.getLogger(__name__)
# Paho doubles its reconnect delay after each failure up to this: a broker on the hall's
# network that comes back is found again within a few seconds, not half a minute.
RECONNECT_MAX_SECONDS = 5
PROTOCOLS = {"3.1.1": mqtt.MQTTv311, "5": mqtt.MQTTv5}
COMMAND_QUEUE = 100  # commands waiting for the relay's thread; more are dropped


class MqttRelay:
    """Background part that drains the alert outbox to the broker."""

    def __init__(
        self,
        engine: Engine,
        url: str,
        *,
        topic_prefix: str = "hallkeeper",
        instance: str = "relay",
        hall_code: str = "hall",
        batch: int = 100,
        poll_seconds: float = 1.0,
        publish_timeout: float = 5.0,
        clock: Clock = utcnow,
        auth_secret: str | None = None,
        alerts: AlertsSection | None = None,
        tls: TlsFiles | None = None,
        protocol: str = "3.1.1",
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise ValueError(f"MQTT URL must look like mqtt://host:1883, not {url!r}")
        self.host = parts.hostname
        self.port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
        self.engine = engine
        self.prefix = topic_prefix.rstrip("/")
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.publish_timeout = publish_timeout
        self.clock = clock
        self.instance, self.hall_code = instance, hall_code
        self.client_id = f"hallkeeper-{hall_code}-{instance}"
        self.base = f"{self.prefix}/{hall_code}"  # every topic of this hall lies under it
        self.status_topic = f"{self.base}/status/{instance}"
        # Acknowledgements by command (only with ``auth_secret``, which API tokens need).
        self.ack_topic = f"{self.base}/cmd/ack"
        self.auth_secret = auth_secret
        self.alerts = alerts or AlertsSection()  # which kinds go to MQTT
        self._commands: queue.Queue[tuple[bytes, bool]] = queue.Queue(maxsize=COMMAND_QUEUE)
        self.connects = 0  # successful connections so far (one unless the link was lost)
        self.rounds = 0  # relay rounds started so far (a round after a change has seen it)
        self._connected = threading.Event()
        self._wake = threading.Event()
        self._background = BackgroundLoop("mqtt-relay", self._run)
        self._last_error: str | None = None
        self._published = 0
        self._was_up: bool | None = None
        self._unhook: Callable[[], None] | None = None
        # On PostgreSQL the alerts other instances commit wake the relay too (LISTEN/NOTIFY).
        self.pg_wake = PgWake(engine, self.notify) if engine.dialect.name == "postgresql" else None
        # The retained state topics (windows, devices, discovery), published by this thread.
        self.retained = RetainedTopics(self.notify)
        # Called on paho's thread once each connection is made (after the status is published).
        self.on_connected: list[Callable[[], None]] = []

        if protocol not in PROTOCOLS:
            raise ValueError(f"MQTT protocol must be one of {sorted(PROTOCOLS)}, not {protocol!r}")
        self.protocol = protocol
        # MQTT 5 has no clean session flag: a clean start on the first connection, and a
        # session that ends with the connection (paho's defaults), come to the same.
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            clean_session=None if protocol == "5" else True,
            protocol=PROTOCOLS[protocol],
        )
        if parts.username:
            client.username_pw_set(parts.username, parts.password)
        self.tls = tls or TlsFiles()
        if parts.scheme == "mqtts":
            client.tls_set_context(tls_context(self.tls))
        will = self._status_payload("offline", None)
        client.will_set(self.status_topic, will, qos=1, retain=True)
        client.max_queued_messages_set(batch * 2)
        client.reconnect_delay_set(min_delay=1, max_delay=RECONNECT_MAX_SECONDS)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_connect_fail = self._on_connect_fail
        client.message_callback_add(self.ack_topic, self._on_command)
        self.client = client

    @classmethod
    def for_settings(cls, engine: Engine, settings: Settings) -> MqttRelay:
        """The relay of this instance, as the app builds it (needs ``settings.mqtt_url``)."""
        assert settings.mqtt_url is not None
        return cls(
            engine,
            settings.mqtt_url,
            topic_prefix=settings.mqtt_topic,
            instance=settings.instance,
            hall_code=settings.hall.hall.code,
            auth_secret=settings.auth_secret,
            alerts=settings.hall.alerts,
            tls=TlsFiles(settings.mqtt_ca_file, settings.mqtt_cert_file, settings.mqtt_key_file),
            protocol=settings.mqtt_protocol,
        )

    def _status_payload(self, state: str, since: datetime | None) -> str:
        """The status message; ``since`` None (the last will) when the time is not known."""
        body: dict[str, Any] = {"state": state, "instance": self.instance, "hall": self.hall_code}
        if since is not None:
            body["since"] = since.isoformat()
        return json.dumps(body)

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            self._last_error = f"broker refused the connection: {reason}"
            return
        client.publish(
            self.status_topic, self._status_payload("online", self.clock()), qos=1, retain=True
        )
        if self.auth_secret is not None:
            client.subscribe(self.ack_topic, qos=1)
        self.connects += 1
        self._connected.set()
        self.retained.again()  # wakes the relay
        for hook in self.on_connected:
            try:
                hook()
            except Exception:
                log.exception("MQTT relay: a hook on connect failed")

    def _on_connect_fail(self, _c: mqtt.Client, _u: Any) -> None:
        """A connection attempt failed (paho calls this while handling the error): say why,
        once per distinct reason (paho retries every few seconds)."""
        error = f"broker {self.host}:{self.port}: {explain(sys.exc_info()[1], self.tls)}"
        if error != self._last_error:
            log.error("MQTT %s", error)
        self._last_error = error

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self._connected.clear()
        if not self._background.stopping.is_set():
            self._last_error = f"disconnected from the broker: {reason}"

    def _on_command(self, _c: mqtt.Client, _u: Any, msg: mqtt.MQTTMessage) -> None:
        """Hand a command to the relay's thread (no database work on paho's thread)."""
        try:
            self._commands.put_nowait((bytes(msg.payload), bool(msg.retain)))
        except queue.Full:
            log.warning("MQTT commands: queue full, a command on %s was dropped", msg.topic)
        self._wake.set()

    def handle_commands(self) -> int:
        """Carry out the commands received so far and publish their answers."""
        done = 0
        while True:
            try:
                raw, retained = self._commands.get_nowait()
            except queue.Empty:
                return done
            if not raw:
                continue  # the empty retained message that clears a retained command
            # A command published with retain stays on the broker, token and all; a broker
            # flags it as retained only to a new subscription, so every command clears it.
            self.client.publish(self.ack_topic, b"", qos=1, retain=True)
            assert self.auth_secret is not None
            answer = handle_ack(
                self.engine, self.auth_secret, raw, retained=retained, now=self.clock()
            )
            self.client.publish(f"{self.ack_topic}/result", json.dumps(answer), qos=1)
            done += 1

    def _log_transition(self, up: bool) -> None:
        if self._was_up is not up:
            if up:
                log.info("MQTT broker %s:%d is reachable", self.host, self.port)
            else:
                log.warning("MQTT broker %s:%d is down: %s", self.host, self.port, self._last_error)
            self._was_up = up

    def notify(self) -> None:
        """Wake the relay now (call after committing new alerts)."""
        self._wake.set()

    def status(self) -> dict[str, Any]:
        """For /healthz: connected or not, the backlog and the last error."""
        with read_session(self.engine) as session:
            backlog = session.exec(
                select(func.count())
                .select_from(AlertOutbox)
                .where(col(AlertOutbox.published_at).is_(None))
            ).one()
        return {
            "configured": True,
            "ok": self._connected.is_set(),
            "broker": f"{self.host}:{self.port}",
            "client_id": self.client_id,
            "backlog": backlog,
            "published": self._published,
            "error": None if self._connected.is_set() else self._last_error,
        }

    def start(self) -> None:
        """Connect in the background and start draining the outbox."""
        try:
            self.client.connect_async(self.host, self.port, keepalive=30)
        except (OSError, ValueError) as exc:
            self._last_error = str(exc)
        self.client.loop_start()
        self._unhook = on_commit(self.notify)  # a committed alert wakes the relay at once
        if self.pg_wake is not None:
            self.pg_wake.start()
        self._background.start()

    def stop(self) -> None:
        """Publish `offline`, stop the thread and disconnect."""
        if self._unhook is not None:
            self._unhook()
            self._unhook = None
        if self.pg_wake is not None:
            self.pg_wake.stop()
        self._background.request_stop()
        self._wake.set()
        self._background.stop()
        if self._connected.is_set():
            info = self.client.publish(
                self.status_topic, self._status_payload("offline", self.clock()), qos=1, retain=True
            )
            info.wait_for_publish(timeout=2)
        self.client.disconnect()
        self.client.loop_stop()

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._wake.wait(self.poll_seconds)
            self._wake.clear()
            self.rounds += 1
            if not self._connected.wait(timeout=0):
                self._log_transition(False)
                continue
            self._log_transition(True)
            try:
                self.retained.flush(self.client)
                self.handle_commands()
                while not stop.is_set() and self.drain_once() == self.batch:
                    self.retained.flush(self.client)  # a long backlog holds no state back
                    self.handle_commands()
            except Exception as exc:  # keep relaying: a failed round is retried next time
                self._last_error = f"relay round failed: {exc}"
                log.exception("MQTT relay round failed")

    def alert_topic(self, kind: str) -> str:
        """Where alerts of ``kind`` are published."""
        return f"{self.base}/alerts/{kind}"

    @staticmethod
    def _body(row: AlertOutbox) -> dict[str, Any]:
        """The message: the payload as raised, with the fields every alert has."""
        return {
            **row.payload,
            "id": row.id,  # for acknowledgements (API, command topic)
            "severity": row.severity,
            "time": row.created_at.isoformat(),
            "subject": subject(row.payload),
            "message": message(row.payload),
        }

    def drain_once(self) -> int:
        """Publish one batch of unpublished alerts; return how many were acknowledged."""
        now = self.clock()
        held = col(AlertOutbox.hold_until)
        with read_session(self.engine) as session:
            rows = session.exec(
                select(AlertOutbox)
                .where(col(AlertOutbox.published_at).is_(None), or_(held.is_(None), held <= now))
                .order_by(col(AlertOutbox.id))
                .limit(self.batch)
            ).all()
        if not rows:
            return 0
        sent: list[tuple[int, mqtt.MQTTMessageInfo]] = []
        acked: list[int] = []  # kinds that do not go to MQTT are passed over as done
        for row in rows:
            assert row.id is not None
            if "mqtt" not in self.alerts.outlets_of(row.kind):
                acked.append(row.id)
                continue
            topic = self.alert_topic(row.kind)
            body = json.dumps(self._body(row), ensure_ascii=False)
            sent.append((row.id, self.client.publish(topic, body, qos=1)))
        failed: list[int] = []
        for row_id, info in sent:
            try:
                info.wait_for_publish(timeout=self.publish_timeout)
            except (RuntimeError, ValueError) as exc:
                self._last_error = f"publish failed: {exc}"
            (acked if info.is_published() else failed).append(row_id)
        now = self.clock()
        with write_session(self.engine) as session:
            if acked:
                session.exec(
                    update(AlertOutbox)
                    .where(col(AlertOutbox.id).in_(acked))
                    .values(published_at=now, attempts=AlertOutbox.attempts + 1)
                )
            if failed:
                session.exec(
                    update(AlertOutbox)
                    .where(col(AlertOutbox.id).in_(failed))
                    .values(attempts=AlertOutbox.attempts + 1, last_error=self._last_error)
                )
        self._published += len(acked)
        return len(acked)
