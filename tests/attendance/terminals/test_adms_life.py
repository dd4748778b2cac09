"""A terminal's whole life against the real service over HTTP: handshakes after reboots and
service restarts, and the newer PUSH firmware's registry / push / ping and `.aspx` paths."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import select

from attendance.models import Punch
from devices.adms.simulator import AdmsTerminal
from hallbase.db import read_session
from hallbase.settings import Settings
from hallkeeper.app import create_app
from tests.helpers.auth import admin_headers
from tests.helpers.live_server import free_port, live_server
from tests.helpers.waiting import wait_until

TZ = ZoneInfo("Asia/Shanghai")


def stored(engine: Engine, serial: str) -> set[str]:
    with read_session(engine) as session:
        rows = session.exec(select(Punch).where(Punch.device_sn == serial)).all()
    return {f"{p.pin}@{p.device_time.astimezone(TZ):%H:%M:%S}" for p in rows}


def punch(terminal: AdmsTerminal, pin: str, minutes_ago: int) -> str:
    at = (datetime.now(TZ) - timedelta(minutes=minutes_ago)).replace(microsecond=0)
    terminal.add_punch(pin, at)
    return f"{pin}@{at:%H:%M:%S}"


def approve(app: Any, url: str, serial: str) -> None:
    assert httpx.get(f"{url}/iclock/cdata", params={"SN": serial}).status_code == 403
    admin = admin_headers(app)
    assert httpx.post(f"{url}/api/v1/devices/{serial}/approve", headers=admin).status_code == 200


@pytest.fixture
def terminals() -> Iterator[list[AdmsTerminal]]:
    made: list[AdmsTerminal] = []
    yield made
    for terminal in made:
        terminal.stop()


@pytest.mark.parametrize(
    ("push_version", "aspx"), [("2.4.1", False), ("3.1.2", False), ("3.1.2", True)]
)
def test_terminal_handshakes_again_after_reboots_and_service_restarts(
    settings: Settings,
    any_engine: Engine,
    terminals: list[AdmsTerminal],
    push_version: str,
    aspx: bool,
) -> None:
    port = free_port()
    with ExitStack() as first:
        app = create_app(settings, engine=any_engine)
        url = first.enter_context(live_server(app, port))
        approve(app, url, "LIFE1")
        terminal = AdmsTerminal(
            url, "LIFE1", zone=TZ, poll_interval=0.05, error_delay=0.1,
            push_version=push_version, aspx=aspx,
        )  # fmt: skip
        terminals.append(terminal)
        want = {punch(terminal, "2001", 30), punch(terminal, "2002", 29)}
        terminal.start()
        wait_until(lambda: stored(any_engine, "LIFE1") == want)
        # A power cut: the terminal comes back and handshakes with the service that has its
        # uploads (this answered 500 once a terminal had uploaded).
        terminal.reboot()
        wait_until(lambda: terminal.handshakes >= 2)
        want |= {punch(terminal, "2003", 20)}
        wait_until(lambda: stored(any_engine, "LIFE1") == want)
        terminal.reboot()
        wait_until(lambda: terminal.handshakes >= 3)
    # The service restarts on the same address; the terminal finds it again.
    with live_server(create_app(settings, engine=any_engine), port):
        before = terminal.handshakes
        want |= {punch(terminal, "2004", 10)}
        wait_until(lambda: terminal.handshakes > before and stored(any_engine, "LIFE1") == want)
        terminal.reboot()
        wait_until(lambda: terminal.handshakes > before + 1)
        want |= {punch(terminal, "2001", 5)}
        wait_until(lambda: stored(any_engine, "LIFE1") == want and terminal.undelivered == 0)
    assert not [r for r in terminal.refused if "HTTP 5" in r], terminal.refused
    if push_version.startswith("3"):
        assert terminal.registry_code and terminal.pings > 0
