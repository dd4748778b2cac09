"""Leases on device sets (`hallbase.lease`) on SQLite and PostgreSQL, on a clock the test moves."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from hallbase.db import make_engine
from hallbase.lease import Lease, current, hold, release
from hallkeeper import migrations
from tests.helpers.queue import MONDAY_9AM, Clock
from tests.helpers.waiting import wait_until

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def test_one_owner_until_the_lease_expires(any_engine: Engine) -> None:
    migrations.upgrade(any_engine)
    assert hold(any_engine, "printer", "a", NOW, 30)
    assert not hold(any_engine, "printer", "b", NOW + timedelta(seconds=29), 30)
    assert hold(any_engine, "other-set", "b", NOW, 30)  # another device set, its own lease
    # The owner renews: the lease now ends 30 s after the renewal, not after the first take.
    assert hold(any_engine, "printer", "a", NOW + timedelta(seconds=20), 30)
    assert not hold(any_engine, "printer", "b", NOW + timedelta(seconds=45), 30)
    row = current(any_engine, "printer")
    assert row is not None and (row.owner, row.taken_at) == ("a", NOW)
    assert row.expires_at == NOW + timedelta(seconds=50)
    # Not renewed: another takes it over once it has expired, and a's next try is refused.
    later = NOW + timedelta(seconds=51)
    assert hold(any_engine, "printer", "b", later, 30)
    assert not hold(any_engine, "printer", "a", later + timedelta(seconds=1), 30)
    row = current(any_engine, "printer")
    assert row is not None and (row.owner, row.taken_at) == ("b", later)
    # Given back: anyone may take it at once; only the owner can give it back.
    assert not release(any_engine, "printer", "a")
    assert release(any_engine, "printer", "b")
    assert current(any_engine, "printer") is None
    assert hold(any_engine, "printer", "a", later, 30)


@pytest.mark.postgres
def test_of_many_instances_asking_at_once_exactly_one_gets_it(pg_database: str) -> None:
    from tests.helpers.services import reset_pg

    reset_pg(pg_database)
    engine = make_engine(pg_database)
    try:
        migrations.upgrade(engine)
        for round_, at in enumerate((NOW, NOW + timedelta(seconds=31))):
            # Round 0: no row yet (the INSERT race); round 1: an expired row (the UPDATE race).
            barrier = threading.Barrier(8)
            won: list[str] = []

            def ask(
                owner: str,
                at: datetime = at,
                barrier: threading.Barrier = barrier,
                won: list[str] = won,
            ) -> None:
                barrier.wait()
                if hold(engine, "queue-devices", owner, at, 30):
                    won.append(owner)

            threads = [threading.Thread(target=ask, args=(f"i{round_}-{n}",)) for n in range(8)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert len(won) == 1, won
            row = current(engine, "queue-devices")
            assert row is not None and row.owner == won[0]
    finally:
        engine.dispose()


class Hooks:
    """What a lease asked of its devices, in order."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def gain(self) -> None:
        self.calls.append("open")

    def loss(self) -> None:
        self.calls.append("close")


def test_lease_part_opens_renews_hands_over_and_gives_back(any_engine: Engine) -> None:
    migrations.upgrade(any_engine)
    clock = Clock(MONDAY_9AM)
    hooks = [Hooks(), Hooks()]
    leases = [
        Lease(
            any_engine,
            "queue-devices",
            owner,
            clock,
            seconds=30,
            renew_seconds=0.05,
            on_gain=h.gain,
            on_loss=h.loss,
        )
        for owner, h in zip(("one", "two"), hooks, strict=True)
    ]
    one, two = leases
    try:
        one.start()
        two.start()
        assert one.held and one.holds() and hooks[0].calls == ["open"]
        assert not two.held and not two.confirm() and hooks[1].calls == []
        # The clock runs ahead of the renewals: the owner renews before it acts.
        clock.advance(minutes=5)
        assert not one.holds() and one.confirm() and one.holds()
        assert not two.held
        # The owner hangs (its renewals stop): the other takes over once the lease has ended,
        # and the hung owner may no longer act on the devices.
        one.halt()
        seen = two.steps
        clock.advance(seconds=20)
        wait_until(lambda: two.steps >= seen + 2)
        assert not two.held  # 20 s: the lease runs on
        clock.advance(seconds=11)
        wait_until(lambda: two.held)
        assert hooks[1].calls == ["open"] and not one.confirm()
        row = current(any_engine, "queue-devices")
        assert row is not None and row.owner == "two"
        # A clean stop closes the devices and gives the lease back at once.
        two.stop()
        assert hooks[1].calls == ["open", "close"] and current(any_engine, "queue-devices") is None
        one.stop()  # its lease was taken over: it only closes its own devices
        assert hooks[0].calls == ["open", "close"]
    finally:
        for lease in leases:
            lease.halt()


def test_renewing_faster_than_the_lease_runs_out_is_required(any_engine: Engine) -> None:
    with pytest.raises(ValueError, match="renew every 30 s: must be less than 30 s"):
        Lease(
            any_engine,
            "queue-devices",
            "one",
            Clock(MONDAY_9AM),
            seconds=30,
            renew_seconds=30,
            on_gain=lambda: None,
            on_loss=lambda: None,
        )
