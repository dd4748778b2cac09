"""The poller and client over real sockets against the simulator: what broke in the field."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from devices.events import BadRecord, Punch
from devices.zk import protocol as p
from devices.zk.adapter import ZKClient
from devices.zk.poller import ZKPoller
from devices.zk.simulator import ZKSimulator
from tests.helpers.waiting import wait_until
from tests.helpers.zk import zk_client


@dataclass
class Store:
    """What the poller handed on; ``fail`` makes the next hand-overs raise like a database."""

    punches: list[Punch] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)
    fail: int = 0
    checks: int = 0
    downs: list[Exception] = field(default_factory=list)

    def on_punches(self, punches: Sequence[Punch]) -> None:
        if self.fail:
            self.fail -= 1
            raise sqlite3.OperationalError("database is locked")
        self.punches.extend(punches)

    def stored(self) -> set[tuple[str, str]]:
        return {(p.pin, p.time.isoformat()) for p in self.punches}


@contextmanager
def running(
    sim: ZKSimulator, store: Store, transport: str, **options: object
) -> Iterator[ZKPoller]:
    def make_client() -> ZKClient:
        return zk_client(
            sim, transport, timeout=0.5, transfer_timeout=3.0, device_sn=sim.device.serial
        )

    def on_check(client: ZKClient) -> None:
        store.checks += 1

    # Only what a test asks for: the others run the poller as it always was.
    hooks: dict[str, object] = {
        "on_check": on_check,
        "on_down": lambda client, exc: store.downs.append(exc),
    }
    extra = {name: hooks[name] for name in hooks if options.pop(name, False)}
    poller = ZKPoller(
        make_client,
        store.on_punches,
        on_bad=store.bad.extend,
        keepalive=0.5,
        backoff_initial=0.05,
        backoff_max=0.2,
        **extra,  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,))
    thread.start()
    try:
        yield poller
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


@pytest.mark.parametrize("size", [10, 14, 37])
def test_live_events_of_newer_firmware_are_punches(
    sim: ZKSimulator, transport: str, size: int
) -> None:
    store = Store()
    with running(sim, store, transport):
        wait_until(lambda: sim.subscribers() == 1)
        sim.inject_punches([("1001", 1, 0), ("1002", 15, 1)], event_size=size)
        wait_until(lambda: len(store.punches) == 2)
        assert not store.bad
        assert [(p.pin, p.verify, p.status) for p in store.punches] == [
            ("1001", 1, 0),
            ("1002", 15, 1),
        ]


def test_an_unreadable_live_event_is_picked_up_from_the_log_without_duplicates(
    sim: ZKSimulator, transport: str
) -> None:
    store = Store()
    with running(sim, store, transport, reread_interval=0.5):
        wait_until(lambda: sim.subscribers() == 1)
        sim.inject_punches([("1001", 1, 0)])
        wait_until(lambda: len(store.punches) == 1)
        sim.inject_punches([("1002", 1, 0)], garbled=True)
        wait_until(lambda: len(store.bad) == 1)  # the event itself could not be read...
        wait_until(lambda: ("1002", sim.device.records[-1].when.isoformat()) in store.stored())
        # ...the log re-read found it; the punch that came live is handed again only as
        # part of that log (storing is idempotent on terminal, PIN and time).
        assert len(store.stored()) == 2


def test_a_storage_error_is_an_outage_and_loses_nothing(sim: ZKSimulator, transport: str) -> None:
    sim.generate_records(3)
    store = Store()
    with running(sim, store, transport) as poller:
        wait_until(lambda: len(store.punches) == 3 and sim.subscribers() == 1)
        store.fail = 3  # the database refuses the live punch three times
        sim.inject_punches([("1003", 2, 1)])
        wait_until(lambda: poller.available is False)
        assert "database is locked" in (poller.last_error or "")
        wait_until(lambda: ("1003", sim.device.records[-1].when.isoformat()) in store.stored())
        wait_until(lambda: poller.available is True)
        assert poller.outages == 1 and poller.pending == 0
        sim.inject_punches([("1001", 1, 0)])  # and it still listens
        wait_until(lambda: len(store.stored()) == 5)


def test_a_terminal_left_disabled_is_reported_and_enabled_again(
    sim: ZKSimulator, transport: str
) -> None:
    sim.generate_records(2)
    sim.device.refuse_enable = True
    store = Store()
    with running(sim, store, transport, on_down=True) as poller:
        wait_until(lambda: any("left disabled" in str(e) for e in store.downs))
        assert not sim.enabled and poller.available is False
        sim.device.refuse_enable = False  # e.g. the terminal's firmware answers again
        wait_until(lambda: sim.enabled and poller.available is True)


def test_a_terminal_with_another_serial_is_refused(sim: ZKSimulator, transport: str) -> None:
    client = zk_client(sim, transport, timeout=0.5, device_sn="EAST-01")
    with pytest.raises(Exception, match="reports serial 'SIM0000001', configured 'EAST-01'"):
        client.connect()
    assert p.CMD_PREPARE_BUFFER not in sim.device.commands_seen  # nothing read from it


def test_the_clock_is_checked_while_connected(sim: ZKSimulator, transport: str) -> None:
    store = Store()
    with running(sim, store, transport, check_interval=0.3, on_check=True):
        wait_until(lambda: sim.subscribers() == 1)
        wait_until(lambda: store.checks >= 2)


def test_clearing_the_log_spares_a_punch_made_since_the_download(
    make_client: Callable[..., ZKClient], sim: ZKSimulator
) -> None:
    sim.generate_records(4)
    client = make_client()
    log = client.read_attendance()
    assert log.verified and log.declared == 4
    sim.inject_punches([("1001", 1, 0)])  # punched after the download
    assert client.clear_attendance(expected=log.declared) is False
    assert len(sim.device.records) == 5 and sim.enabled
    assert client.clear_attendance(expected=5) is True
    assert sim.device.records == [] and sim.enabled


def test_punches_of_a_deleted_uid_are_not_credited_to_the_pin_equal_to_it(
    transport: str,
) -> None:
    with ZKSimulator(record_size=8) as old:
        old.add_user(5, "3005", "赵磊")
        old.add_punch("3005", datetime(2024, 3, 1, 8, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
        del old.device.users[5]  # deleted on the terminal; its records keep uid 5
        old.add_user(6, "5", "钱敏")  # whose PIN is "5"
        old.add_punch("5", datetime(2024, 3, 1, 8, 2, tzinfo=ZoneInfo("Asia/Shanghai")))
        with zk_client(old, transport, timeout=1.0) as client:
            log = client.read_attendance()
    assert [(p.pin, p.time.minute) for p in log.punches] == [("5", 2)]
    (bad,) = log.bad
    assert "uid 5 is no longer on the terminal" in bad.reason and len(bad.raw) == 8
