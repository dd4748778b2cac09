"""The simulated terminal's state and command handling (no sockets; see simulator.py).

``SimDevice.handle`` takes one request packet and returns the packets to send back, so the
same logic serves TCP and UDP.  Fingerprint template requests are refused and counted.
"""

from __future__ import annotations

import struct
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from devices.errors import ProtocolError
from devices.zk import protocol as p
from devices.zk.records import (
    Sizes,
    User,
    decode_users,
    encode_attendance_record,
    encode_sizes,
    encode_user,
)

DIRECT_MAX = 1016  # larger tables go through the buffer (pyzk's UDP reads take 1024 bytes)
UDP_DATA_PIECE = 1024


@dataclass(slots=True)
class SimSession:
    """One client's session (a TCP connection or a UDP peer)."""

    session_id: int
    authed: bool = False
    events: int = 0
    buffer: bytes | None = None


@dataclass(frozen=True, slots=True)
class SimRecord:
    """One stored punch."""

    pin: str
    when: datetime
    verify: int = 1
    status: int = 0
    workcode: int = 0
    uid: int | None = None  # the user's uid when punched (8-byte logs keep only this)


@dataclass(slots=True)
class SimDevice:
    """A ZK terminal's memory: users, log, clock, options."""

    serial: str = "SIM0000001"
    comm_key: int = 0
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    record_size: int = 40
    user_size: int = 72
    encoding: str = "gbk"
    enabled: bool = True
    users: dict[int, User] = field(default_factory=dict)
    records: list[SimRecord] = field(default_factory=list)
    clock_offset: timedelta = timedelta(0)
    records_cap: int = 100000
    refuse_enable: bool = False  # answer CMD_ENABLEDEVICE with an error (stays disabled)
    template_requests: int = 0
    commands_seen: list[int] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)
    _sessions: count[int] = field(default_factory=lambda: count(0x3F01))
    _log_cache: bytes | None = None

    # ------------------------------------------------------------------- state
    def now(self) -> datetime:
        """Device wall-clock time (aware, device zone, whole seconds)."""
        return (datetime.now(self.zone) + self.clock_offset).replace(microsecond=0)

    def set_clock(self, when: datetime) -> None:
        """Set the device clock to ``when`` (aware)."""
        with self.lock:
            self.clock_offset = when.astimezone(self.zone) - datetime.now(self.zone)

    def new_session(self) -> SimSession:
        """Allocate a session id (like a terminal's seconds counter)."""
        with self.lock:
            return SimSession(next(self._sessions) & 0xFFFF)

    def add_record(self, record: SimRecord) -> None:
        """Append one punch to the log (with the punching user's uid)."""
        with self.lock:
            if record.uid is None:
                uid = next((u.uid for u in self.users.values() if u.pin == record.pin), None)
                record = replace(record, uid=uid)
            self.records.append(record)
            self._log_cache = None

    def set_records(self, records: list[SimRecord]) -> None:
        """Replace the whole log."""
        with self.lock:
            self.records = list(records)
            self._log_cache = None

    def attendance_table(self) -> bytes:
        """The log as the device sends it: u32 size, then records."""
        with self.lock:
            if self._log_cache is None:
                uids = {u.pin: u.uid for u in self.users.values()}
                body = b"".join(
                    encode_attendance_record(
                        self.record_size,
                        uid=r.uid
                        if r.uid is not None
                        else uids.get(r.pin, int(r.pin) if r.pin.isdigit() else 0),
                        pin=r.pin,
                        when=r.when,
                        verify=r.verify,
                        status=r.status,
                        workcode=r.workcode,
                    )
                    for r in self.records
                )
                self._log_cache = struct.pack("<I", len(body)) + body
            return self._log_cache

    def user_table(self) -> bytes:
        """The users as the device sends them."""
        with self.lock:
            body = b"".join(
                encode_user(u, self.user_size, encoding=self.encoding)
                for u in sorted(self.users.values(), key=lambda u: u.uid)
            )
            return struct.pack("<I", len(body)) + body

    def options(self) -> dict[str, str]:
        """Values answered to CMD_OPTIONS_RRQ."""
        return {
            "~SerialNumber": self.serial,
            "~DeviceName": "HK-SIM",
            "~Platform": "ZMM220_TFT",
            "~ZKFPVersion": "10",
            "~OS": "1",
            "~ExtendFmt": "0",
            "~UserExtFmt": "0",
            "FaceFunOn": "0",
            "ZKFaceVersion": "0",
            "CompatOldFirmware": "0",
            "MAC": "00:17:61:00:00:01",
            "~PIN2Width": "9",
        }

    # ---------------------------------------------------------------- commands
    def handle(self, session: SimSession, req: p.Packet, *, tcp: bool = True) -> list[bytes]:
        """Answer one request: a list of packets (header + data) to send."""
        with self.lock:
            self.commands_seen.append(req.command)
            if req.command == p.CMD_READ_BUFFER and session.authed:
                return self._read_buffer(session, req, tcp=tcp)
            return self._handle(session, req)

    def _reply(self, session: SimSession, req: p.Packet, code: int, data: bytes = b"") -> bytes:
        return p.build_packet(code, session.session_id, req.reply_id, data)

    def _handle(self, s: SimSession, req: p.Packet) -> list[bytes]:
        cmd, data = req.command, req.data
        ok = [self._reply(s, req, p.CMD_ACK_OK)]
        if cmd == p.CMD_CONNECT:
            s.authed = self.comm_key == 0
            return [self._reply(s, req, p.CMD_ACK_OK if s.authed else p.CMD_ACK_UNAUTH)]
        if cmd == p.CMD_AUTH:
            s.authed = p.commkey_matches(data, self.comm_key, s.session_id)
            return [self._reply(s, req, p.CMD_ACK_OK if s.authed else p.CMD_ACK_UNAUTH)]
        if cmd == p.CMD_ACK_OK:
            return []  # the client acknowledging an event
        if not s.authed:
            return [self._reply(s, req, p.CMD_ACK_UNAUTH)]
        if cmd in p.TEMPLATE_COMMANDS or (
            cmd == p.CMD_PREPARE_BUFFER
            and p.parse_buffered_read_request(data) == (p.CMD_DB_RRQ, p.FCT_FINGERTMP)
        ):
            self.template_requests += 1
            return [self._reply(s, req, p.CMD_ACK_ERROR)]
        if cmd in (p.CMD_EXIT, p.CMD_REFRESHDATA, p.CMD_OPTIONS_WRQ, p.CMD_CANCELCAPTURE,
                   p.CMD_STARTVERIFY):  # fmt: skip
            return ok
        if cmd == p.CMD_ENABLEDEVICE and self.refuse_enable:
            return [self._reply(s, req, p.CMD_ACK_ERROR)]
        if cmd in (p.CMD_ENABLEDEVICE, p.CMD_DISABLEDEVICE):
            self.enabled = cmd == p.CMD_ENABLEDEVICE
            return ok
        if cmd == p.CMD_GET_FREE_SIZES:
            sizes = Sizes(len(self.users), 0, len(self.records), 3000, self.records_cap)
            return [self._reply(s, req, p.CMD_ACK_OK, encode_sizes(sizes))]
        if cmd == p.CMD_OPTIONS_RRQ:
            name = data.split(b"\x00", 1)[0].decode("ascii", errors="replace")
            value = self.options().get(name)
            if value is None:
                return [self._reply(s, req, p.CMD_ACK_ERROR)]
            return [self._reply(s, req, p.CMD_ACK_OK, f"{name}={value}\x00".encode())]
        if cmd == p.CMD_GET_VERSION:
            return [self._reply(s, req, p.CMD_ACK_OK, b"Ver 6.60 Sim\x00")]
        if cmd == p.CMD_GET_TIME:
            return [self._reply(s, req, p.CMD_ACK_OK, struct.pack("<I", p.encode_time(self.now())))]
        if cmd == p.CMD_SET_TIME and len(data) >= 4:
            self.set_clock(p.decode_time(struct.unpack_from("<I", data)[0], self.zone))
            return ok
        if cmd == p.CMD_REG_EVENT and len(data) >= 4:
            s.events = struct.unpack_from("<I", data)[0]
            return ok
        if cmd == p.CMD_PREPARE_BUFFER:
            return self._prepare_buffer(s, req)
        if cmd == p.CMD_FREE_DATA:
            s.buffer = None
            return ok
        if cmd == p.CMD_USER_WRQ:
            return self._write_user(s, req)
        if cmd == p.CMD_DELETE_USER and len(data) >= 2:
            uid = struct.unpack_from("<H", data)[0]
            found = self.users.pop(uid, None) is not None
            return ok if found else [self._reply(s, req, p.CMD_ACK_ERROR)]
        if cmd == p.CMD_CLEAR_ATTLOG:
            self.set_records([])
            return ok
        return [self._reply(s, req, p.CMD_ACK_UNKNOWN)]

    def _prepare_buffer(self, s: SimSession, req: p.Packet) -> list[bytes]:
        try:
            command, fct = p.parse_buffered_read_request(req.data)
        except ProtocolError:
            return [self._reply(s, req, p.CMD_ACK_ERROR)]
        if command == p.CMD_ATTLOG_RRQ:
            table = self.attendance_table()
        elif command == p.CMD_USERTEMP_RRQ and fct == p.FCT_USER:
            table = self.user_table()
        else:
            return [self._reply(s, req, p.CMD_ACK_ERROR)]
        if len(table) <= DIRECT_MAX:
            return [self._reply(s, req, p.CMD_DATA, table)]
        s.buffer = table
        stat = b"\x00" + struct.pack("<III", len(table), len(table), 0)
        return [self._reply(s, req, p.CMD_ACK_OK, stat)]

    def _read_buffer(self, s: SimSession, req: p.Packet, *, tcp: bool) -> list[bytes]:
        """PREPARE_DATA, the bytes (one DATA on TCP, 1 KiB DATAs on UDP), ACK_OK."""
        if s.buffer is None or len(req.data) < 8:
            return [self._reply(s, req, p.CMD_ACK_ERROR)]
        start, size = struct.unpack_from("<ii", req.data)
        chunk = s.buffer[start : start + size]
        out = [self._reply(s, req, p.CMD_PREPARE_DATA, struct.pack("<II", len(chunk), 0))]
        piece = max(1, len(chunk)) if tcp else UDP_DATA_PIECE
        out += [
            self._reply(s, req, p.CMD_DATA, chunk[i : i + piece])
            for i in range(0, len(chunk), piece)
        ]
        out.append(self._reply(s, req, p.CMD_ACK_OK))
        return out

    def _write_user(self, s: SimSession, req: p.Packet) -> list[bytes]:
        size = len(req.data)
        if size not in (28, 72):
            return [self._reply(s, req, p.CMD_ACK_ERROR)]
        table = struct.pack("<I", size) + req.data
        user = decode_users(table, 1, encoding=self.encoding)[0]
        self.users[user.uid] = user
        return [self._reply(s, req, p.CMD_ACK_OK)]
