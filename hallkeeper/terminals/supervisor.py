"""Supervised terminals: ZK pollers and serial readers as background parts, plus ADMS liveness.

Each terminal's records go through the one ingest path (`store_punches`) in a transaction of
their own. A `DeviceWatch` looks at every terminal every few seconds and turns a change of
availability into one log line, one device row update and one supervisor alert.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func
from sqlmodel import col, select

from devices.events import BadRecord, Punch
from devices.serial_reader.adapter import SerialReaderAdapter
from devices.zk.adapter import ZKClient
from devices.zk.poller import ZKPoller
from devices.zk.settings import ZKSettings
from hallkeeper.alerts import raise_alert
from hallkeeper.attendance.ingest import store_punches
from hallkeeper.db import read_session, write_session
from hallkeeper.hallconfig import DeviceEntry
from hallkeeper.models import Device
from hallkeeper.settings import Settings

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
ADMS_SILENCE = timedelta(seconds=90)


@dataclass(frozen=True)
class Sink:
    """Where a terminal's records go: the database and the hall's settings."""

    engine: Engine
    settings: Settings
    clock: Clock

    def __call__(self, records: Sequence[Punch | BadRecord], source: str) -> None:
        """Store records through the one ingest path; the terminal is synced up to now."""
        if not records:
            return
        with write_session(self.engine) as session:
            store_punches(
                session,
                list(records),
                source=source,
                now=self.clock(),
                settings=self.settings,
                synced_device=records[0].device_sn,
            )


class Terminal(Protocol):
    """What the watch needs of a supervised terminal."""

    serial: str

    @property
    def available(self) -> bool | None: ...
    @property
    def last_error(self) -> str | None: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...


class ZKTerminal:
    """A ZK terminal pulled over TCP or UDP: log download, live events, clock check."""

    def __init__(self, entry: DeviceEntry, sink: Sink) -> None:
        host, _, port = entry.address.rpartition(":")
        zone = str(sink.settings.zone)
        self.serial = entry.serial
        self.entry = entry
        self.engine = sink.engine
        self.clock = sink.clock
        self.settings = ZKSettings(
            host=host,
            port=int(port),
            transport="udp" if entry.protocol == "zk_udp" else "tcp",
            comm_key=entry.comm_key,
            zone=entry.timezone or zone,
            device_sn=entry.serial,
            encoding=entry.name_encoding,
            timeout=min(entry.timeout_seconds, 10.0),
            transfer_timeout=max(entry.timeout_seconds, 60.0),
        )
        self.poller = ZKPoller(
            lambda: ZKClient(self.settings),
            lambda punches: sink(punches, "zk"),
            on_bad=lambda bad: sink(bad, "zk"),
            on_connect=self.check_clock,
            backoff_max=max(entry.poll_seconds, 30.0),
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def available(self) -> bool | None:
        return self.poller.available

    @property
    def last_error(self) -> str | None:
        return self.poller.last_error

    def check_clock(self, client: ZKClient) -> None:
        """Alert on drift beyond the limit or a reset clock; correct it when configured."""
        reading = client.read_clock()
        drift = reading.drift.total_seconds()
        if not reading.looks_reset and abs(drift) <= self.entry.clock_drift_max_seconds:
            return
        corrected = self.entry.correct_clock
        if corrected:
            client.sync_clock()
        now = self.clock()
        kind = "clock_reset" if reading.looks_reset else "clock_drift"
        log.warning(
            "zk %s clock %s by %+.0f s (device %s)%s",
            self.serial,
            "was reset" if reading.looks_reset else "drifts",
            drift,
            reading.device_time.isoformat(),
            ", corrected" if corrected else "",
        )
        with write_session(self.engine) as session:
            raise_alert(
                session,
                kind=kind,
                key=f"{self.serial}:{now.astimezone(ZoneInfo(self.settings.zone)).date()}",
                payload={
                    "device_sn": self.serial,
                    "drift_seconds": round(drift),
                    "device_time": reading.device_time.isoformat(),
                    "corrected": corrected,
                    "text": f"考勤机 {self.serial} 时钟偏差 {round(drift)} 秒"
                    + ("，已自动校正" if corrected else ""),
                },
                now=now,
            )

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.poller.run, args=(self._stop,), name=f"zk-{self.serial}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)


class SerialTerminal:
    """A punch reader on a serial line."""

    def __init__(self, entry: DeviceEntry, sink: Sink) -> None:
        self.serial = entry.serial
        self.adapter = SerialReaderAdapter(
            entry.address,
            device_sn=entry.serial,
            on_punch=lambda punch: sink([punch], "serial"),
            on_bad=lambda bad: sink([bad], "serial"),
            zone=ZoneInfo(entry.timezone or str(sink.settings.zone)),
            baudrate=entry.baudrate,
        )
        self._last_error: str | None = None

    @property
    def available(self) -> bool | None:
        return self.adapter.available

    @property
    def last_error(self) -> str | None:
        return None if self.adapter.available else "serial reader not reachable"

    def start(self) -> None:
        self.adapter.start()

    def stop(self) -> None:
        self.adapter.stop()


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
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def statuses(
        self, *, limit: int | None = None, offset: int = 0, approved_only: bool = False
    ) -> list[dict[str, object]]:
        """Known terminals (by serial, a page of them) with availability, last sync and error."""
        now = self.clock()
        query = select(Device).order_by(Device.serial).offset(offset).limit(limit)
        if approved_only:
            query = query.where(col(Device.approved).is_(True))
        with read_session(self.engine) as session:
            devices = session.exec(query).all()
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
                }
            )
        return out

    def counts(self) -> dict[str, int]:
        """How many terminals are known, and how many of them wait for approval."""
        with read_session(self.engine) as session:
            total = session.exec(select(func.count()).select_from(Device)).one()
            pending = session.exec(
                select(func.count()).select_from(Device).where(col(Device.approved).is_(False))
            ).one()
        return {"total": total, "pending": pending}

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
        """One look at every terminal; alerts on each change of availability."""
        now = self.clock()
        for status in self.statuses(approved_only=True):
            serial = str(status["serial"])
            available = status["available"]
            seen = self.seen.setdefault(serial, _Seen())
            if available is None or available == seen.available:
                continue
            first = seen.available is None
            seen.available, seen.since = bool(available), now
            if first and available:
                continue
            with write_session(self.engine) as session:
                row = session.exec(select(Device).where(Device.serial == serial)).one()
                row.last_error = None if available else str(status["last_error"])
                session.add(row)
                raise_alert(
                    session,
                    kind="device_recovered" if available else "device_offline",
                    key=f"{serial}:{now.isoformat()}",
                    severity="info" if available else "critical",
                    payload={
                        "device_sn": serial,
                        "name": status["name"],
                        "error": status["last_error"],
                        "text": f"考勤机 {status['name'] or serial} "
                        + ("已恢复" if available else "离线"),
                    },
                    now=now,
                )

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception:  # the watch must outlive a bad round
                log.exception("device watch round failed")

    def start(self) -> None:
        for terminal in self.terminals.values():
            terminal.start()
        self._thread = threading.Thread(target=self._run, name="device-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for terminal in self.terminals.values():
            terminal.stop()
