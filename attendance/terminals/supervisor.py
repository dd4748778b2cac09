"""Supervised terminals: ZK pollers and serial readers as background parts, plus ADMS liveness.

Each terminal's records go through the one ingest path (`store_punches`) in a transaction of
their own. A `DeviceWatch` looks at every terminal every few seconds and turns a change of
availability into one log line, one device row update and one supervisor alert.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine, func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select

from attendance.models import Device
from attendance.terminals.binding import Binding
from attendance.terminals.serial_terminal import SerialTerminal
from attendance.terminals.sink import Sink, device_key
from attendance.terminals.zk_terminal import ZKTerminal
from hallbase.alerts import raise_alert
from hallbase.background import BackgroundLoop, repeat
from hallbase.clock import Clock
from hallbase.db import read_session, write_session
from hallbase.words import t

__all__ = ["DeviceWatch", "SerialTerminal", "Sink", "Terminal", "ZKTerminal", "build_terminals"]

log = logging.getLogger(__name__)
ADMS_SILENCE = timedelta(seconds=90)
# How long stopping may take in all, however many terminals: each is told at once and all are
# awaited against one deadline (one by one, 200 terminals outlast systemd's stop timeout).
STOP_SECONDS = 10.0


class Terminal(Protocol):
    """What the watch needs of a supervised terminal."""

    serial: str

    @property
    def available(self) -> bool | None: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def problem(self) -> str | None: ...
    @property
    def outages(self) -> int: ...
    @property
    def last_outage(self) -> str | None: ...
    def start(self) -> None: ...
    def request_stop(self) -> None: ...
    def stop(self, timeout: float = ...) -> None: ...


def build_terminals(sink: Sink) -> list[Terminal]:
    """Supervisors for every pulled or serial terminal (ADMS terminals come to us)."""
    out: list[Terminal] = []
    for entry in sink.settings.hall.devices:
        if entry.protocol in ("zk_tcp", "zk_udp"):
            out.append(ZKTerminal(entry, sink))
        elif entry.protocol == "serial":
            out.append(SerialTerminal(entry, sink))
    return out


@dataclass
class _Seen:
    available: bool | None = None
    since: datetime | None = None
    outages: int = 0


class DeviceWatch:
    """Turns availability changes into a log line, a device row update and an alert."""

    def __init__(
        self,
        engine: Engine,
        terminals: Sequence[Terminal],
        clock: Clock,
        *,
        interval: float = 5.0,
        adms_silence: timedelta = ADMS_SILENCE,
    ) -> None:
        self.engine = engine
        self.terminals = {t.serial: t for t in terminals}
        self.clock = clock
        self.interval = interval
        self.adms_silence = adms_silence
        self.seen: dict[str, _Seen] = {}
        # The watch must outlive a bad round.
        rounds = repeat(self.check, every=interval, logger=log, failed="device watch round failed")
        self._background = BackgroundLoop("device-watch", rounds)

    def statuses(
        self, *, limit: int | None = None, offset: int = 0, approved_only: bool = False
    ) -> list[dict[str, object]]:
        """Known terminals (by serial, a page of them) with availability, last sync and error."""
        now = self.clock()
        query = select(Device).order_by(Device.serial).offset(offset).limit(limit)
        if approved_only:
            query = query.where(col(Device.approved).is_(True))
        try:
            with read_session(self.engine) as session:
                devices = session.exec(query).all()
        except SQLAlchemyError as exc:
            # The database is down: what the supervised terminals know is still worth showing.
            log.debug("device rows unreadable: %s", exc)
            return [self._unstored(terminal) for terminal in self.terminals.values()]
        out: list[dict[str, object]] = []
        for device in devices:
            available, error = self._availability(device, now)
            out.append(
                {
                    "serial": device.serial,
                    "name": device.name,
                    "protocol": device.protocol,
                    "approved": device.approved,
                    "available": available,
                    "last_seen": device.last_seen,
                    "last_sync": device.last_sync,
                    "last_error": error,
                    "problem": self._problem(device.serial),
                    "binding": Binding(device.bind_address, device.push_key_hash).public(),
                }
            )
        return out

    def counts(self) -> dict[str, int]:
        """How many terminals are known, and how many of them wait for approval."""
        try:
            with read_session(self.engine) as session:
                total = session.exec(select(func.count()).select_from(Device)).one()
                pending = session.exec(
                    select(func.count()).select_from(Device).where(col(Device.approved).is_(False))
                ).one()
        except SQLAlchemyError as exc:
            log.debug("device rows unreadable: %s", exc)
            return {"total": len(self.terminals), "pending": 0}  # the supervised ones
        return {"total": total, "pending": pending}

    @staticmethod
    def _unstored(terminal: Terminal) -> dict[str, object]:
        return {
            "serial": terminal.serial,
            "name": None,
            "protocol": None,
            "approved": True,
            "available": terminal.available,
            "last_seen": None,
            "last_sync": None,
            "last_error": terminal.last_error,
            "problem": terminal.problem,
        }

    def _problem(self, serial: str) -> str | None:
        """What a supervised terminal reports wrong (`Terminal.problem`); None for others."""
        terminal = self.terminals.get(serial)
        return terminal.problem if terminal is not None else None

    def _availability(self, device: Device, now: datetime) -> tuple[bool | None, str | None]:
        terminal = self.terminals.get(device.serial)
        if terminal is not None:
            return terminal.available, terminal.last_error
        if device.protocol == "adms" and device.approved:
            if device.last_seen is None:
                return None, "has not called in yet"
            if now - device.last_seen > self.adms_silence:
                return False, f"silent since {device.last_seen.isoformat()}"
            return True, None
        return None, device.last_error

    def check(self) -> None:
        """One look at every terminal; alerts on each change of availability.

        An outage that began and ended between two looks (the database refused writes for a
        few seconds) is reported too, from the terminal's outage count.  What was seen is
        remembered only once its alerts are written, so a round that cannot write (the
        database is down) is repeated by the next one.
        """
        now = self.clock()
        for status in self.statuses(approved_only=True):
            serial = str(status["serial"])
            available = status["available"]
            seen = self.seen.setdefault(serial, _Seen())
            terminal = self.terminals.get(serial)
            outages = terminal.outages if terminal is not None else seen.outages
            if available is None:
                continue
            changes: list[tuple[bool, object]] = []
            if available != seen.available and not (seen.available is None and available):
                changes.append((bool(available), status["last_error"]))
            elif available and outages > seen.outages and seen.available is not None:
                brief = terminal.last_outage if terminal is not None else None
                changes += [(False, brief), (True, None)]  # down and back between two looks
            if changes:
                self._report(serial, status["name"], changes, now)
            seen.available, seen.outages = bool(available), outages
            if changes:
                seen.since = now

    def _report(
        self, serial: str, name: object, changes: list[tuple[bool, object]], now: datetime
    ) -> None:
        with write_session(self.engine) as session:
            row = session.exec(select(Device).where(Device.serial == serial)).one()
            for available, error in changes:
                row.last_error = None if available else str(error)
                raise_alert(
                    session,
                    kind="device_recovered" if available else "device_offline",
                    key=device_key(serial, now),
                    severity="info" if available else "critical",
                    payload={
                        "device_sn": serial,
                        "name": name,
                        "error": error,
                        "text": t(
                            "alerts.device_recovered" if available else "alerts.device_offline",
                            device=name or serial,
                        ),
                    },
                    now=now,
                )
            session.add(row)

    def start(self) -> None:
        for terminal in self.terminals.values():
            terminal.start()
        self._background.start()

    def stop(self) -> None:
        """Stop the watch and every terminal together, within ``STOP_SECONDS`` in all."""
        deadline = time.monotonic() + STOP_SECONDS
        self._background.request_stop()
        for terminal in self.terminals.values():
            terminal.request_stop()
        self._background.stop(deadline - time.monotonic())
        for terminal in self.terminals.values():
            terminal.stop(deadline - time.monotonic())
