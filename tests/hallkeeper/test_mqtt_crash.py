"""A kill -9 of `hallkeeper serve` in the middle of draining the outbox loses no alert, on
SQLite and on the machine's PostgreSQL.

The broker is a Mosquitto of the test's own that queues without limit for a slow subscriber:
the machine's keeps at most 1,000 messages per subscriber (Mosquitto's default
``max_queued_messages``) and drops the rest when the restarted service drains faster than the
test's subscriber reads, which it logs as "Outgoing messages are being dropped". Those would
be the broker's losses, not the service's, and this test is about the service's."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from hallbase.alerts import Alert, raise_alerts
from hallbase.db import make_engine, read_session, write_session
from hallbase.models import AlertOutbox
from hallkeeper import migrations
from tests.helpers.broker import Listener, PrivateBroker
from tests.helpers.live_server import free_port
from tests.helpers.services import reset_pg
from tests.helpers.waiting import wait_until

NOW = datetime(2026, 11, 23, 0, 46, tzinfo=UTC)
BACKLOG = 20_000  # enough that draining takes seconds, so the kill lands in the middle


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The service's database: SQLite in its data directory, or an emptied PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'data' / 'hallkeeper.db').resolve()}"
    url: str = request.getfixturevalue("pg_database")
    reset_pg(url)
    return url


def _serve(
    data_dir: Path, database_url: str, mqtt_url: str, prefix: str
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLKEEPER_")}
    env |= {
        "HALLKEEPER_DATA_DIR": str(data_dir),
        "HALLKEEPER_DATABASE_URL": database_url,
        "HALLKEEPER_MQTT_URL": mqtt_url,
        "HALLKEEPER_MQTT_TOPIC": prefix,
        "HALLKEEPER_INSTANCE_ID": "crash",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "hallkeeper", "serve", "--port", str(free_port())],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[2],
    )


@pytest.mark.timeout(300)
def test_kill_9_mid_drain_loses_no_alert(tmp_path: Path, database_url: str) -> None:
    broker = PrivateBroker(tmp_path, "allow_anonymous true\nmax_queued_messages 0").start()
    host, port = "127.0.0.1", broker.port
    prefix = f"hk-test/{time.monotonic_ns()}"
    data_dir = tmp_path / "data"
    engine = make_engine(database_url)
    migrations.upgrade(engine)
    # Queued while no relay runs (as during a broker outage): the service finds them at start.
    with write_session(engine) as session:
        alerts = [Alert("test.crash", f"{n}", {"n": n}) for n in range(BACKLOG)]
        assert raise_alerts(session, alerts, NOW) == BACKLOG

    def unpublished() -> int:
        with read_session(engine) as session:
            return session.exec(
                select(func.count())
                .select_from(AlertOutbox)
                .where(col(AlertOutbox.published_at).is_(None), AlertOutbox.kind == "test.crash")
            ).one()

    # Only the test's kind: the service's own scheduler raises the shipped hall's alerts too.
    sub = Listener(host, port, f"{prefix}/+/alerts/test.crash")
    seen: set[str] = set()

    def arrived(at_least: int) -> bool:
        while True:
            try:
                _topic, body, _retained = sub.messages.get_nowait()
            except queue.Empty:
                return len(seen) >= at_least
            seen.add(body["message_id"])

    server = _serve(data_dir, database_url, f"mqtt://{host}:{port}", prefix)
    try:
        # The kill follows the service's own progress (rows it marked sent), not the
        # subscriber's, which may lag behind on a loaded machine until the drain is over.
        wait_until(
            lambda: server.poll() is not None or unpublished() <= BACKLOG - 500,
            timeout=120,
            interval=0.005,
        )
        assert server.poll() is None, "the service ended by itself"
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        arrived(0)
        left = unpublished()
        assert 0 < left < BACKLOG, "the kill did not land in the middle of the drain"
        assert len(seen) < BACKLOG
        server = _serve(data_dir, database_url, f"mqtt://{host}:{port}", prefix)
        wait_until(lambda: arrived(BACKLOG), timeout=180)
        assert seen == {f"test.crash:{n}" for n in range(BACKLOG)}
        wait_until(lambda: unpublished() == 0, timeout=30)
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        sub.close()
        engine.dispose()
        broker.stop()
