"""The ZK terminal client the service uses: connect, download, users, clock, live events.

Every operation runs under an overall deadline (``transfer_timeout``) and every single answer
under ``timeout``; whatever goes wrong on the link surfaces as
:class:`~devices.errors.DeviceUnavailable`.  The log is read with the terminal disabled and the
terminal is re-enabled in a ``finally``, over a fresh connection if the old one died.  No
fingerprint template command is ever sent.
"""

from __future__ import annotations

import logging
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Self
from zoneinfo import ZoneInfo

from devices.errors import DeviceUnavailable, ProtocolError
from devices.events import BadRecord, Punch
from devices.zk import protocol as p
from devices.zk.link import ZKLink
from devices.zk.records import (
    AttendanceLog,
    Sizes,
    User,
    decode_attendance,
    decode_events,
    decode_sizes,
    decode_users,
    encode_user,
    name_width,
    record_size,
    table_payload,
)
from devices.zk.settings import (
    AuthenticationFailed,
    ClockReading,
    CommandRejected,
    DeviceHealth,
    SerialMismatch,
    TransferCancelled,
    ZKSettings,
)

__all__ = [
    "AttendanceLog",
    "AuthenticationFailed",
    "ClockReading",
    "CommandRejected",
    "DeviceHealth",
    "SerialMismatch",
    "TransferCancelled",
    "User",
    "ZKClient",
    "ZKSettings",
]

log = logging.getLogger(__name__)


class ZKClient:
    """A connection to one ZK terminal over TCP or UDP."""

    def __init__(
        self,
        settings: ZKSettings,
        *,
        now: Callable[[ZoneInfo], datetime] | None = None,
        cancel: threading.Event | None = None,
    ) -> None:
        """``cancel``: once set, a buffered transfer stops at its next chunk (the service is
        stopping); a log download still re-enables the terminal."""
        self.settings = settings
        self._cancel = cancel
        self.zone = ZoneInfo(settings.zone)
        self.health = DeviceHealth()
        self._now = now or (lambda tz: datetime.now(tz))
        self._session: ZKLink | None = None
        self._sn = settings.device_sn
        self._user_size = settings.user_record_size

    # ----------------------------------------------------------------- lifecycle
    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def device_sn(self) -> str:
        """Serial number (configured, or read at connect)."""
        return self._sn or f"{self.settings.host}:{self.settings.port}"

    def connect(self) -> None:
        """Open the link, authenticate, learn the serial number or check the configured one.

        A terminal reporting another serial than the configured one is refused
        (:class:`SerialMismatch`): its punches would be filed under the wrong terminal.
        """
        with self._track():
            self.close()
            self._session = ZKLink.open(self.settings, self._deadline())
            reported = self.read_option("~SerialNumber")
            if self._sn is None:
                self._sn = reported or None
            elif reported and reported != self._sn:
                self._drop_link()
                address = f"{self.settings.host}:{self.settings.port}"
                raise SerialMismatch(address, self._sn, reported)

    def close(self) -> None:
        """Say goodbye (best effort) and close the link."""
        link, self._session = self._session, None
        if link is None:
            return
        try:
            link.exchange(p.CMD_EXIT, b"", time.monotonic() + min(1.0, self.settings.timeout))
        except DeviceUnavailable:
            pass
        finally:
            link.close()

    def _request(
        self, command: int, data: bytes = b"", deadline: float | None = None, *, ok: bool = True
    ) -> p.Packet:
        if command in p.TEMPLATE_COMMANDS:
            raise ValueError("fingerprint template commands are not allowed")
        end = deadline if deadline is not None else time.monotonic() + self.settings.timeout
        if self._session is None:  # the link died earlier: open a new one
            self._session = ZKLink.open(self.settings, end)
        reply = self._session.exchange(command, data, end)
        if ok and reply.command not in (p.CMD_ACK_OK, p.CMD_DATA, p.CMD_PREPARE_DATA):
            raise CommandRejected(f"{self.device_sn} answered {reply.command} to command {command}")
        return reply

    @contextmanager
    def _track(self) -> Iterator[None]:
        try:
            yield
        except DeviceUnavailable as exc:
            self.health.available = False
            self.health.last_error = str(exc)
            if not isinstance(exc, CommandRejected | AuthenticationFailed):
                self._drop_link()
            raise
        except ProtocolError as exc:
            self.health.available = False
            self.health.last_error = str(exc)
            self._drop_link()
            raise DeviceUnavailable(f"{self.device_sn} sent bytes off protocol: {exc}") from exc
        self.health.available = True

    def _drop_link(self) -> None:
        link, self._session = self._session, None
        if link is not None:
            link.close()

    def _deadline(self) -> float:
        return time.monotonic() + self.settings.transfer_timeout

    # ------------------------------------------------------------ simple commands
    def read_option(self, name: str) -> str:
        """Read one ``CMD_OPTIONS_RRQ`` value (e.g. ``~SerialNumber``); '' if refused."""
        with self._track():
            reply = self._request(p.CMD_OPTIONS_RRQ, name.encode("ascii") + b"\x00", ok=False)
            return p.parse_option(reply.data) if reply.command == p.CMD_ACK_OK else ""

    def read_sizes(self) -> Sizes:
        """Counts of users, fingers and records."""
        with self._track():
            return decode_sizes(self._request(p.CMD_GET_FREE_SIZES).data)

    def disable(self) -> None:
        """Lock the keypad and reader (staff cannot punch)."""
        with self._track():
            self._request(p.CMD_DISABLEDEVICE)

    def enable(self) -> None:
        """Unlock the terminal."""
        with self._track():
            self._request(p.CMD_ENABLEDEVICE)
            self.health.left_disabled = False

    # ---------------------------------------------------------------- downloads
    def _read_table(self, command: int, fct: int, deadline: float) -> bytes:
        reply = self._request(p.CMD_PREPARE_BUFFER, p.buffered_read_request(command, fct), deadline)
        if reply.command == p.CMD_DATA:
            return reply.data  # small table: sent at once
        size = p.parse_buffer_size(reply.data)
        link = self._link()
        step = 0xFFC0 if link.transport.is_tcp else 16 * 1024
        parts = []
        for start in range(0, size, step):
            if self._cancel is not None and self._cancel.is_set():
                # Abandoned, not lost: the records stay on the terminal for the next start.
                raise TransferCancelled(f"{self.device_sn}: transfer abandoned at {start}/{size}")
            parts.append(link.read_chunk(start, min(step, size - start), deadline))
        self._request(p.CMD_FREE_DATA, b"", deadline)
        return b"".join(parts)

    def read_users(self) -> list[User]:
        """All users (PIN, name decoded in ``settings.encoding``); never templates."""
        with self._track():
            return self._read_users(self._deadline())

    def _read_users(self, deadline: float) -> list[User]:
        count = decode_sizes(self._request(p.CMD_GET_FREE_SIZES, b"", deadline).data).users
        if count == 0:
            return []
        data = self._read_table(p.CMD_USERTEMP_RRQ, p.FCT_USER, deadline)
        self._user_size = record_size(table_payload(data)[0], count)
        return decode_users(data, count, encoding=self.settings.encoding)

    def read_attendance(self) -> AttendanceLog:
        """Download the whole log with the terminal disabled; always re-enable it."""
        with self._track():
            deadline = self._deadline()
            try:
                # Inside the try: a lost answer may still have disabled the terminal.
                self._request(p.CMD_DISABLEDEVICE, b"", deadline)
                return self._read_attendance(deadline)
            finally:
                self._reenable()

    def _read_attendance(self, deadline: float) -> AttendanceLog:
        count = decode_sizes(self._request(p.CMD_GET_FREE_SIZES, b"", deadline).data).records
        if count == 0:
            return AttendanceLog([], [], 0)
        data = self._read_table(p.CMD_ATTLOG_RRQ, 0, deadline)
        uid_to_pin: dict[int, str] | None = None
        if record_size(table_payload(data)[0], count) == 8:
            # 8-byte records carry the internal uid only: one user read, one dict.
            uid_to_pin = {u.uid: u.pin for u in self._read_users(deadline)}
        # 8-byte records of a uid no longer on the terminal come back as bad records.
        result = decode_attendance(
            data, count, device_sn=self.device_sn, tz=self.zone, uid_to_pin=uid_to_pin
        )
        self.health.last_sync = self._now(self.zone)
        return result

    def _reenable(self) -> None:
        """Re-enable the terminal; reconnect if needed; never raises."""
        last: DeviceUnavailable | None = None
        for fresh in (False, True):
            try:
                if fresh or self._session is None:
                    self._drop_link()
                    self._session = ZKLink.open(
                        self.settings, time.monotonic() + 2 * self.settings.timeout
                    )
                self._request(p.CMD_ENABLEDEVICE)
                self.health.left_disabled = False
                return
            except DeviceUnavailable as exc:
                self._drop_link()
                last = exc
        self.health.left_disabled = True
        log.warning("zk %s may be left disabled: re-enable failed: %s", self.device_sn, last)

    def clear_attendance(self, expected: int | None = None) -> bool:
        """Erase the terminal's log (only after the punches are safely stored).

        With ``expected``, the log is erased only if it still holds exactly that many
        records, checked with the terminal disabled: a punch made since the download is
        never erased.  Returns whether the log was erased.
        """
        with self._track():
            deadline = self._deadline()
            try:
                self._request(p.CMD_DISABLEDEVICE, b"", deadline)
                if expected is not None:
                    sizes = decode_sizes(self._request(p.CMD_GET_FREE_SIZES, b"", deadline).data)
                    if sizes.records != expected:
                        return False
                self._request(p.CMD_CLEAR_ATTLOG, b"", deadline)
                self._request(p.CMD_REFRESHDATA, b"", deadline)
                return True
            finally:
                self._reenable()

    # -------------------------------------------------------------------- users
    @property
    def name_width(self) -> int:
        """Bytes a user's name may take on this terminal (known after ``read_users``)."""
        return name_width(self._user_size or (72 if self.settings.transport == "tcp" else 28))

    def set_user(self, user: User) -> None:
        """Create or update a user (name encoded in ``settings.encoding``, GBK by default)."""
        with self._track():
            deadline = self._deadline()
            if self._user_size is None:
                self._read_users(deadline)
            if self._user_size is None:  # no users yet to learn the layout from
                self._user_size = 72 if self.settings.transport == "tcp" else 28
            data = encode_user(user, self._user_size, encoding=self.settings.encoding)
            self._request(p.CMD_USER_WRQ, data, deadline)
            self._request(p.CMD_REFRESHDATA, b"", deadline)

    def delete_user(self, uid: int) -> None:
        """Delete a user by the terminal's internal uid."""
        with self._track():
            deadline = self._deadline()
            self._request(p.CMD_DELETE_USER, struct.pack("<H", uid), deadline)
            self._request(p.CMD_REFRESHDATA, b"", deadline)

    # -------------------------------------------------------------------- clock
    def get_time(self) -> datetime:
        """The device clock as an aware datetime in the device's zone."""
        with self._track():
            data = self._request(p.CMD_GET_TIME).data
            if len(data) < 4:
                raise ProtocolError(f"time answer of {len(data)} bytes, expected 4")
            return p.decode_time(struct.unpack_from("<I", data)[0], self.zone)

    def set_time(self, when: datetime) -> None:
        """Set the device clock (``when`` must be aware; converted to the device's zone)."""
        if when.tzinfo is None:
            raise ValueError("set_time needs an aware datetime")
        local = when.astimezone(self.zone)
        with self._track():
            self._request(p.CMD_SET_TIME, struct.pack("<I", p.encode_time(local)))
            self._request(p.CMD_REFRESHDATA)

    def read_clock(self) -> ClockReading:
        """Compare the device clock with the host clock."""
        device = self.get_time()
        host = self._now(self.zone).replace(microsecond=0)
        looks_reset = device.year < self.settings.min_plausible_year
        return ClockReading(device, host, device - host, looks_reset)

    def sync_clock(self) -> ClockReading:
        """Set the device clock to host time; returns the reading from before."""
        before = self.read_clock()
        self.set_time(self._now(self.zone))
        return before

    # --------------------------------------------------------------- live events
    def start_live(self) -> None:
        """Ask the terminal to push each attendance event (EF_ATTLOG) as it happens."""
        with self._track():
            self._request(p.CMD_ENABLEDEVICE)
            self._request(p.CMD_REG_EVENT, struct.pack("<I", p.EF_ATTLOG))

    def read_events(self, timeout: float) -> list[Punch | BadRecord]:
        """Events pushed within ``timeout`` seconds (all of them in one read); [] if none."""
        with self._track():
            out: list[Punch | BadRecord] = []
            for event in self._link().take_events(timeout):
                if event.session_id & p.EF_ATTLOG:  # the event code rides in session id
                    out.extend(decode_events(event.data, device_sn=self.device_sn, tz=self.zone))
            return out

    def _link(self) -> ZKLink:
        if self._session is None:
            raise DeviceUnavailable(f"not connected to {self.device_sn}")
        return self._session
