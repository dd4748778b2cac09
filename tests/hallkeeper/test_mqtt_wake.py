"""An alert committed by another instance on PostgreSQL wakes the relay (LISTEN/NOTIFY)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hallbase.db import make_engine
from hallkeeper import migrations
from hallkeeper.mqtt import MqttRelay
from tests.helpers.broker import Listener, machine_broker
from tests.helpers.services import reset_pg
from tests.helpers.waiting import wait_until

pytestmark = pytest.mark.postgres

# Instance B: its own process and engine; prints the moment its transaction committed.
OTHER_INSTANCE = """
import sys, time
from datetime import UTC, datetime
from hallbase.alerts import raise_alert
from hallbase.db import make_engine, write_session
engine = make_engine(sys.argv[1])
with write_session(engine) as session:
    raise_alert(session, kind="late", key=sys.argv[2], payload={}, now=datetime.now(UTC))
print(time.time())
"""


@pytest.fixture
def pg_engine(pg_database: str) -> Iterator[Engine]:
    reset_pg(pg_database)
    engine = make_engine(pg_database)
    migrations.upgrade(engine)
    yield engine
    engine.dispose()


def test_an_alert_committed_by_another_instance_leaves_without_waiting_for_the_poll(
    pg_engine: Engine, pg_database: str, tmp_path: Path
) -> None:
    host, port = machine_broker()
    prefix = f"hk-test/{time.monotonic_ns()}"
    # Instance A polls only every 60 s: only the notification can bring the alert out sooner.
    relay = MqttRelay(pg_engine, f"mqtt://{host}:{port}", topic_prefix=prefix, poll_seconds=60)
    sub = Listener(host, port, f"{prefix}/hall/alerts/#")
    assert relay.pg_wake is not None
    try:
        relay.start()
        wait_until(lambda: relay.status()["ok"] and relay.pg_wake and relay.pg_wake.listening)
        wait_until(lambda: relay.rounds >= 1)  # the round the connection woke
        delays = []
        for n in range(3):
            key = f"SC00{n}:wake"
            done = subprocess.run(
                [sys.executable, "-c", OTHER_INSTANCE, pg_database, key],
                capture_output=True,
                text=True,
                check=True,
                cwd=Path(__file__).resolve().parents[2],
            )
            committed = float(done.stdout.split()[-1])
            sub.until(lambda m, key=key: m[1]["message_id"] == f"late:{key}", timeout=10)
            delays.append(time.time() - committed)
        assert relay.pg_wake.notifications >= 3
        # Far below the 60 s poll; on a quiet machine tens of milliseconds.
        assert max(delays) < 2.0, delays
    finally:
        relay.stop()
        sub.close()
    assert not relay.pg_wake.listening.is_set()
