"""A ZK terminal under supervision: its poller, and the checks that keep it trustworthy.

Checked at every connection and then every ``clock_check_seconds`` while it stays connected:
clock drift (alert, corrected when configured).  Refused with an alert: a terminal reporting
another serial than the configured one.  Alerted: a terminal that may be left disabled (the
poller reconnects and tries again), a log filling up; with ``clear_log = true`` the log is
cleared after a verified download.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from attendance.terminals.sink import Sink, device_key
from devices.zk.adapter import AttendanceLog, ZKClient
from devices.zk.poller import ZKPoller
from devices.zk.settings import LeftDisabled, SerialMismatch, ZKSettings
from hallbase.background import BackgroundLoop
from hallbase.hallconfig import DeviceEntry
from hallbase.words import t

log = logging.getLogger(__name__)


def zk_settings(entry: DeviceEntry, hall_zone: str) -> ZKSettings:
    """How to reach a configured ZK terminal (its poller, offboarding)."""
    host, _, port = entry.address.rpartition(":")
    return ZKSettings(
        host=host,
        port=int(port),
        transport="udp" if entry.protocol == "zk_udp" else "tcp",
        comm_key=entry.comm_key,
        zone=entry.timezone or hall_zone,
        device_sn=entry.serial,
        encoding=entry.name_encoding,
        timeout=min(entry.timeout_seconds, 10.0),
        transfer_timeout=max(entry.timeout_seconds, 60.0),
    )


class ZKTerminal:
    """A ZK terminal pulled over TCP or UDP: log download, live events, clock check."""

    def __init__(self, entry: DeviceEntry, sink: Sink) -> None:
        self.serial = entry.serial
        self.entry = entry
        self.sink = sink
        self.engine = sink.engine
        self.clock = sink.clock
        self.settings = zk_settings(entry, str(sink.settings.zone))
        self.poller = ZKPoller(
            # A stop abandons a download under way.
            lambda: ZKClient(self.settings, cancel=self._background.stopping),
            lambda punches: sink(punches, "zk"),
            on_bad=lambda bad: sink(bad, "zk"),
            on_connect=self.check_clock,
            on_check=self.check_clock,
            on_log=self.after_download,
            on_down=self.on_down,
            reread_interval=entry.log_reread_seconds,
            check_interval=entry.clock_check_seconds,
            backoff_max=max(entry.poll_seconds, 30.0),
        )
        self._disabled_since: datetime | None = None
        self._clock_problem: str | None = None  # clock_drift or clock_reset, left uncorrected
        self._background = BackgroundLoop(f"zk-{self.serial}", self.poller.run)

    @property
    def available(self) -> bool | None:
        return self.poller.available

    @property
    def last_error(self) -> str | None:
        return self.poller.last_error

    @property
    def problem(self) -> str | None:
        """What is known to be wrong beyond the link: ``left_disabled`` (it refused to be
        enabled again), ``clock_reset`` or ``clock_drift`` (its clock, found so at the last
        check and not corrected); None when nothing is."""
        if self._disabled_since is not None:
            return "left_disabled"
        return self._clock_problem

    @property
    def outages(self) -> int:
        return self.poller.outages

    @property
    def last_outage(self) -> str | None:
        return self.poller.last_outage

    def _day(self) -> str:
        return str(self.clock().astimezone(ZoneInfo(self.settings.zone)).date())

    def check_clock(self, client: ZKClient) -> None:
        """Alert on drift beyond the limit or a reset clock; correct it when configured."""
        reading = client.read_clock()
        drift = reading.drift.total_seconds()
        if not reading.looks_reset and abs(drift) <= self.entry.clock_drift_max_seconds:
            self._clock_problem = None
            return
        corrected = self.entry.correct_clock
        if corrected:
            client.sync_clock()
        kind = "clock_reset" if reading.looks_reset else "clock_drift"
        self._clock_problem = None if corrected else kind
        log.warning(
            "zk %s clock %s by %+.0f s (device %s)%s",
            self.serial,
            "was reset" if reading.looks_reset else "drifts",
            drift,
            reading.device_time.isoformat(),
            ", corrected" if corrected else "",
        )
        self.sink.alert(
            kind,
            device_key(self.serial, self._day()),
            {
                "device_sn": self.serial,
                "drift_seconds": round(drift),
                "device_time": reading.device_time.isoformat(),
                "corrected": corrected,
                "text": t("alerts.device_clock_drift", device=self.serial, seconds=round(drift))
                + (t("alerts.device_clock_corrected") if corrected else ""),
            },
        )

    def after_download(self, client: ZKClient, result: AttendanceLog) -> bool:
        """The log is stored: warn as it fills; clear it when allowed; True when cleared."""
        if self._disabled_since is not None and not client.health.left_disabled:
            log.warning("zk %s is enabled again", self.serial)
            self._disabled_since = None
        # Verified: every announced record was decoded and stored (bad ones kept aside), and
        # the terminal still holds exactly those (checked while disabled) when it is cleared.
        allowed = self.entry.clear_log and result.verified and result.declared > 0
        if allowed and client.clear_attendance(expected=result.declared):
            log.info("zk %s: log of %d records stored and cleared", self.serial, result.declared)
            return True
        sizes = client.read_sizes()
        limit = sizes.records_cap * self.entry.log_warn_percent
        if sizes.records_cap and sizes.records * 100 >= limit:
            percent = sizes.records * 100 // sizes.records_cap
            log.warning("zk %s log is %d%% full", self.serial, percent)
            self.sink.alert(
                "device_log_full",
                device_key(self.serial, self._day()),
                {
                    "device_sn": self.serial,
                    "records": sizes.records,
                    "capacity": sizes.records_cap,
                    "text": t(
                        "alerts.device_log_full",
                        device=self.entry.name or self.serial,
                        percent=percent,
                        records=sizes.records,
                        capacity=sizes.records_cap,
                    ),
                },
            )
        return False

    def on_down(self, client: ZKClient, exc: Exception) -> None:
        """Alert on failures nobody else reports: a serial mismatch, a terminal left disabled."""
        name = self.entry.name or self.serial
        if isinstance(exc, SerialMismatch):
            self.sink.alert(
                "device_serial_mismatch",
                device_key(self.serial, exc.reported),
                {
                    "device_sn": self.serial,
                    "reported_sn": exc.reported,
                    "address": self.entry.address,
                    "error": str(exc),
                    "text": t(
                        "alerts.device_serial_mismatch",
                        device=name,
                        address=self.entry.address,
                        reported=exc.reported,
                    ),
                },
                severity="critical",
            )
        elif isinstance(exc, LeftDisabled) and self._disabled_since is None:
            self._disabled_since = self.clock()
            self.sink.alert(
                "device_left_disabled",
                device_key(self.serial, self._disabled_since),
                {
                    "device_sn": self.serial,
                    "error": str(exc),
                    "text": t("alerts.device_left_disabled", device=name),
                },
                severity="critical",
            )

    def start(self) -> None:
        self._background.start()

    def request_stop(self) -> None:
        """Tell the poller to stop (a download under way is abandoned, the terminal enabled)."""
        self._background.request_stop()

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the poller and wait for it, at most ``timeout`` seconds."""
        self._background.stop(timeout)
