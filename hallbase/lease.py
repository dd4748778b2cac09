"""Leases on device sets: exactly one service instance drives a set of devices at a time.

Several instances of the service may run on one PostgreSQL database (and hear each other's
events); a printer, an RS-485 bus of boards or of keypads must still be driven by one of them,
or every ticket prints twice. The owner holds a row of ``device_lease`` (`DeviceLease`): the
device set's name, the owner's id and the moment the lease ends. It renews the row every
``renew_seconds``; the others try to take it as often, and get it once it has expired, that
is ``seconds`` after the owner's last renewal (an owner that died) or at once when the owner
gave it back on a clean stop.

Taking and renewing is one conditional UPDATE, ``... WHERE name = :name AND (expires_at < :now
OR owner = :me)``: PostgreSQL re-checks the condition on the newest row version after a
concurrent update, and SQLite runs one writer at a time, so of two instances asking at once
exactly one gets the lease. The time is the app's clock (`hallbase.clock`), passed in; the
instances' clocks should agree to within a small part of ``seconds`` (NTP).

`Lease` is the background part around it: it calls ``on_gain`` when this instance becomes the
owner and ``on_loss`` when it stops being one (a renewal that failed past the lease's end, or
a stop). `Lease.holds` tells the device threads whether they may act right now: an owner
whose renewals stopped (a stuck database connection) stops acting when its lease ends by its
own clock, even before its renewal thread notices.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, case, delete, literal, or_, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import col

from hallbase.background import BackgroundLoop
from hallbase.clock import Clock
from hallbase.db import read_session, write_session
from hallbase.models.lease import DeviceLease
from hallbase.models.types import UTCDateTime

log = logging.getLogger(__name__)


def hold(engine: Engine, name: str, owner: str, now: datetime, seconds: float) -> bool:
    """Take or renew the lease on ``name`` for ``owner`` until ``now + seconds``.

    True when ``owner`` holds it now: it held it already, or the lease had expired, or there
    was none. False when another owner's lease runs on.
    """
    until = now + timedelta(seconds=seconds)
    with write_session(engine) as session:
        renewed = session.connection().execute(
            update(DeviceLease)
            .where(
                col(DeviceLease.name) == name,
                or_(col(DeviceLease.expires_at) < now, col(DeviceLease.owner) == owner),
            )
            .values(
                owner=owner,
                expires_at=until,
                # A lease taken over (not renewed) starts now: `taken_at` says since when.
                taken_at=case(
                    (col(DeviceLease.owner) == owner, col(DeviceLease.taken_at)),
                    else_=literal(now, UTCDateTime()),
                ),
            )
        )
        if renewed.rowcount == 1:
            return True
        if session.get(DeviceLease, name) is not None:
            return False
    try:
        with write_session(engine) as session:
            session.add(DeviceLease(name=name, owner=owner, expires_at=until, taken_at=now))
    except IntegrityError:  # another instance made the row first: its lease
        return False
    return True


def release(engine: Engine, name: str, owner: str) -> bool:
    """Give the lease on ``name`` back, if ``owner`` holds it; True when it did."""
    with write_session(engine) as session:
        gone = session.connection().execute(
            delete(DeviceLease).where(
                col(DeviceLease.name) == name, col(DeviceLease.owner) == owner
            )
        )
        return gone.rowcount == 1


def current(engine: Engine, name: str) -> DeviceLease | None:
    """The lease row of ``name``, if there is one (expired or not)."""
    with read_session(engine) as session:
        return session.get(DeviceLease, name)


class Lease:
    """Holds the lease on one device set while started: renews it, takes it over, gives it back.

    ``on_gain`` and ``on_loss`` run on the lease's thread (and in `start` and `stop`), never two
    at once; they open and close the devices.
    """

    def __init__(
        self,
        engine: Engine,
        name: str,
        owner: str,
        clock: Clock,
        *,
        seconds: float = 30.0,
        renew_seconds: float = 10.0,
        on_gain: Callable[[], None],
        on_loss: Callable[[], None],
    ) -> None:
        if not 0 < renew_seconds < seconds:
            raise ValueError(f"renew every {renew_seconds} s: must be less than {seconds} s")
        self.engine = engine
        self.name = name
        self.owner = owner
        self.clock = clock
        self.seconds = seconds
        self.renew_seconds = renew_seconds
        self._on_gain = on_gain
        self._on_loss = on_loss
        self._held = False
        self._until: datetime | None = None  # the end of our lease as we last wrote it
        self._wake = threading.Event()
        self._steps = 0  # steps done so far, under _stepped
        self._stepped = threading.Condition()
        self._loop = BackgroundLoop(f"lease-{name}", self._run)

    @property
    def held(self) -> bool:
        """True while this instance owns the devices (between on_gain and on_loss)."""
        return self._held

    @property
    def steps(self) -> int:
        """Renewals or tries done so far (a test waits for the next one)."""
        return self._steps

    def holds(self, now: datetime | None = None) -> bool:
        """True when this instance owns the devices and its lease has not ended at ``now``."""
        until = self._until
        return self._held and until is not None and (now or self.clock()) < until

    def confirm(self, timeout: float = 2.0) -> bool:
        """True when this instance may drive the devices now.

        When its lease has ended by the clock (the clock moved on faster than the renewals),
        the lease's thread renews it at once and this waits for that, ``timeout`` at most; an
        instance whose renewals stopped gets False.
        """
        if self.holds():
            return True
        if not self._held or not self._loop.running or self._loop.stopping.is_set():
            return False
        with self._stepped:
            seen = self._steps
            self._wake.set()
            self._stepped.wait_for(
                lambda: self._steps > seen or self._loop.stopping.is_set(), timeout
            )
        return self.holds()

    def start(self) -> None:
        """Try to take the lease at once, then keep renewing or trying in the background."""
        self.step()
        self._loop.start()

    def stop(self) -> None:
        """Stop renewing; close the devices and give the lease back if this instance owns it."""
        self.halt()
        if not self._held:
            return
        self._lose("stopped", logging.INFO)
        try:
            release(self.engine, self.name, self.owner)
        except SQLAlchemyError as exc:
            log.warning("lease %s: could not give it back (it ends by itself): %s", self.name, exc)

    def halt(self) -> None:
        """Stop renewing without giving the lease back or closing anything, as a process that
        hangs or dies does: `holds` turns False when the lease ends (tests of the take-over)."""
        self._loop.request_stop()
        self._wake.set()
        with self._stepped:
            self._stepped.notify_all()
        self._loop.stop()

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._wake.wait(self.renew_seconds)
            self._wake.clear()
            if stop.is_set():
                return
            try:
                self.step()
            except Exception:  # keep trying: the next step may work
                log.exception("lease %s: step failed", self.name)

    def step(self) -> None:
        """Renew or try to take the lease once, and open or close the devices accordingly."""
        now = self.clock()
        try:
            got = hold(self.engine, self.name, self.owner, now, self.seconds)
        except SQLAlchemyError as exc:
            got = self.holds(now)  # keep driving the devices until our lease ends
            log.warning("lease %s: could not renew or take it: %s", self.name, exc)
        else:
            if got:
                self._until = now + timedelta(seconds=self.seconds)
        gained, lost = got and not self._held, self._held and not got
        if gained:
            self._held = True
        with self._stepped:  # waiters see the outcome before the devices open or close
            self._steps += 1
            self._stepped.notify_all()
        if gained:
            log.info("lease %s: this instance (%s) drives the devices", self.name, self.owner)
            self._call(self._on_gain, "opening")
        elif lost:
            self._lose("lost (another instance holds it, or the database did not answer)")

    def _lose(self, why: str, level: int = logging.WARNING) -> None:
        self._held = False
        self._until = None
        log.log(level, "lease %s: %s; this instance stops driving the devices", self.name, why)
        self._call(self._on_loss, "closing")

    def _call(self, hook: Callable[[], None], what: str) -> None:
        try:
            hook()
        except Exception:
            log.exception("lease %s: %s the devices failed", self.name, what)

    def status(self) -> dict[str, Any]:
        """Whether this instance drives the devices (from what it knows, without a query)."""
        until = self._until if self._held else None
        return {
            "name": self.name,
            "owner": self.holds(),
            "instance": self.owner,
            "until": None if until is None else until.isoformat(),
        }
