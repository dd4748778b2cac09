"""ZK binary protocol (port 4370): packets, checksum, TCP deframing, time and comm key.

Theory of operation: a *packet* is an 8-byte header ``<HHHH`` (command, checksum, session
id, reply id) followed by data.  Over UDP one datagram carries one packet.  Over TCP each
packet is wrapped in a *frame*: the magic ``50 50 82 7d``, a u32 little-endian payload
length, then the packet.  A TCP stream is cut into frames by :class:`TcpDeframer`, which
never blocks and never raises on bad input: it skips bytes until the next magic, drops frames
whose checksum is wrong, and answers ``None`` when it needs more bytes.

Everything here is pure: bytes in, values out, no sockets and no clock.  Errors in bytes from
the device raise :class:`~devices.errors.ProtocolError`; bad arguments from our own code raise
``ValueError``.
"""

from __future__ import annotations

import struct
import sys
from array import array
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Final

from devices.errors import ProtocolError

# Command and reply codes (names as in ZKTeco's SDK; PREPARE_BUFFER/READ_BUFFER are the
# undocumented "buffered read" pair, also known as CMD_DATA_WRRQ / CMD_DATA_RDY).
CMD_DB_RRQ: Final = 7
CMD_USER_WRQ: Final = 8
CMD_USERTEMP_RRQ: Final = 9
CMD_USERTEMP_WRQ: Final = 10
CMD_OPTIONS_RRQ: Final = 11
CMD_OPTIONS_WRQ: Final = 12
CMD_ATTLOG_RRQ: Final = 13
CMD_CLEAR_DATA: Final = 14
CMD_CLEAR_ATTLOG: Final = 15
CMD_DELETE_USER: Final = 18
CMD_DELETE_USERTEMP: Final = 19
CMD_GET_FREE_SIZES: Final = 50
CMD_STARTVERIFY: Final = 60
CMD_STARTENROLL: Final = 61
CMD_CANCELCAPTURE: Final = 62
CMD_GET_USERTEMP: Final = 88
CMD_GET_TIME: Final = 201
CMD_SET_TIME: Final = 202
CMD_REG_EVENT: Final = 500
CMD_CONNECT: Final = 1000
CMD_EXIT: Final = 1001
CMD_ENABLEDEVICE: Final = 1002
CMD_DISABLEDEVICE: Final = 1003
CMD_REFRESHDATA: Final = 1013
CMD_GET_VERSION: Final = 1100
CMD_AUTH: Final = 1102
CMD_PREPARE_DATA: Final = 1500
CMD_DATA: Final = 1501
CMD_FREE_DATA: Final = 1502
CMD_PREPARE_BUFFER: Final = 1503
CMD_READ_BUFFER: Final = 1504
CMD_ACK_OK: Final = 2000
CMD_ACK_ERROR: Final = 2001
CMD_ACK_DATA: Final = 2002
CMD_ACK_UNAUTH: Final = 2005
CMD_ACK_UNKNOWN: Final = 0xFFFF

# Commands that move fingerprint templates: the service must never send them.
TEMPLATE_COMMANDS: Final = frozenset(
    {CMD_USERTEMP_WRQ, CMD_DELETE_USERTEMP, CMD_STARTENROLL, CMD_GET_USERTEMP}
)

FCT_ATTLOG: Final = 1
FCT_FINGERTMP: Final = 2
FCT_USER: Final = 5
EF_ATTLOG: Final = 1

TCP_MAGIC: Final = b"\x50\x50\x82\x7d"
HEADER: Final = struct.Struct("<HHHH")
TCP_TOP: Final = struct.Struct("<4sI")
_U32: Final = struct.Struct("<I")
REPLY_ID_MODULO: Final = 0xFFFF
DEFAULT_MAX_PAYLOAD: Final = 1 << 20


def checksum(data: bytes | bytearray | memoryview) -> int:
    """Return the documented ZK checksum: ones' complement of the folded u16 LE sum."""
    view = memoryview(data).cast("B")
    even = len(view) & ~1
    words = array("H")
    words.frombytes(view[:even])
    if sys.byteorder == "big":
        words.byteswap()
    total = sum(words)
    if len(view) & 1:
        total += view[-1]
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


@dataclass(frozen=True, slots=True)
class Packet:
    """One decoded packet: header fields and data."""

    command: int
    checksum: int
    session_id: int
    reply_id: int
    data: bytes

    def checksum_ok(self) -> bool:
        """Whether the stored checksum matches the documented formula."""
        return self.checksum == packet_checksum(
            self.command, self.session_id, self.reply_id, self.data
        )


def packet_checksum(command: int, session_id: int, reply_id: int, data: bytes) -> int:
    """Checksum of a packet with the given header fields and data."""
    return checksum(HEADER.pack(command, 0, session_id, reply_id) + data)


def build_packet(command: int, session_id: int, reply_id: int, data: bytes = b"") -> bytes:
    """Header and data with a correct checksum (a UDP datagram)."""
    for name, value in (("command", command), ("session_id", session_id), ("reply", reply_id)):
        if not 0 <= value <= 0xFFFF:
            raise ValueError(f"{name} {value} does not fit in 16 bits")
    cks = packet_checksum(command, session_id, reply_id, data)
    return HEADER.pack(command, cks, session_id, reply_id) + data


def wrap_tcp(packet: bytes) -> bytes:
    """Prefix a packet with the TCP magic and length."""
    return TCP_TOP.pack(TCP_MAGIC, len(packet)) + packet


def build_tcp_frame(command: int, session_id: int, reply_id: int, data: bytes = b"") -> bytes:
    """A complete TCP frame (magic, length, header, data)."""
    return wrap_tcp(build_packet(command, session_id, reply_id, data))


def parse_packet(raw: bytes, *, verify_checksum: bool = False) -> Packet:
    """Decode one packet (a UDP datagram, or a TCP frame's payload)."""
    if len(raw) < HEADER.size:
        raise ProtocolError(f"packet of {len(raw)} bytes is shorter than the 8-byte header")
    command, cks, session_id, reply_id = HEADER.unpack_from(raw)
    packet = Packet(command, cks, session_id, reply_id, bytes(raw[HEADER.size :]))
    if verify_checksum and not packet.checksum_ok():
        expected = packet_checksum(command, session_id, reply_id, packet.data)
        raise ProtocolError(
            f"bad checksum {cks:#06x} (expected {expected:#06x}) in packet "
            f"command={command} reply_id={reply_id} with {len(packet.data)} data bytes"
        )
    return packet


class TcpDeframer:
    """Cuts a TCP byte stream into packets; ``None`` from :meth:`next_packet` means "feed me"."""

    def __init__(
        self, *, verify_checksum: bool = True, max_payload: int = DEFAULT_MAX_PAYLOAD
    ) -> None:
        self._buf = bytearray()
        self._pos = 0
        self._verify = verify_checksum
        self._max_payload = max_payload
        self.skipped_bytes = 0
        self.bad_frames = 0

    @property
    def buffered(self) -> int:
        """Bytes held and not yet returned as a packet."""
        return len(self._buf) - self._pos

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        """Append bytes read from the stream."""
        if self._pos and self._pos >= len(self._buf) // 2:
            del self._buf[: self._pos]
            self._pos = 0
        self._buf += data

    def next_packet(self) -> Packet | None:
        """Return the next complete packet, or ``None`` if more bytes are needed."""
        buf = self._buf
        while True:
            start = buf.find(TCP_MAGIC, self._pos)
            if start < 0:
                # Keep a tail that may be the beginning of a magic split across reads.
                keep = 0
                for n in (3, 2, 1):
                    if len(buf) - self._pos >= n and buf.endswith(TCP_MAGIC[:n]):
                        keep = n
                        break
                self._skip(len(buf) - keep - self._pos)
                return None
            self._skip(start - self._pos)
            if len(buf) - start < TCP_TOP.size:
                return None
            (length,) = _U32.unpack_from(buf, start + 4)
            if length < HEADER.size or length > self._max_payload:
                self._skip(1)  # not a real frame: resynchronise on the next magic
                continue
            end = start + TCP_TOP.size + length
            if len(buf) < end:
                return None
            packet = parse_packet(bytes(buf[start + TCP_TOP.size : end]))
            if self._verify and not packet.checksum_ok():
                self.bad_frames += 1
                self._skip(1)
                continue
            self._pos = end
            return packet

    def _skip(self, n: int) -> None:
        if n > 0:
            self._pos += n
            self.skipped_bytes += n


def encode_time(when: datetime) -> int:
    """Encode a wall-clock time (its own fields, zone ignored) in the 372-day-year format."""
    if not 2000 <= when.year <= 2099:
        raise ValueError(f"ZK terminals keep years 2000-2099, not {when.year}")
    days = (when.year - 2000) * 372 + (when.month - 1) * 31 + (when.day - 1)
    return days * 86400 + when.hour * 3600 + when.minute * 60 + when.second


def decode_time(value: int, tz: tzinfo) -> datetime:
    """Decode a 372-day-year time value into an aware datetime in the device's zone."""
    rest, second = divmod(value, 60)
    rest, minute = divmod(rest, 60)
    rest, hour = divmod(rest, 24)
    rest, day = divmod(rest, 31)
    year, month = divmod(rest, 12)
    if year > 99:
        raise ProtocolError(f"time value {value:#010x} is past 2099, beyond the encoding")
    try:
        return datetime(year + 2000, month + 1, day + 1, hour, minute, second, tzinfo=tz)
    except ValueError as exc:
        raise ProtocolError(
            f"time value {value:#010x} is not a date: {year + 2000}-{month + 1:02d}-{day + 1:02d}"
        ) from exc


def encode_time6(when: datetime) -> bytes:
    """Six bytes year-2000, month, day, hour, minute, second (real-time events)."""
    if not 2000 <= when.year <= 2255:
        raise ValueError(f"year {when.year} does not fit the 6-byte event time")
    return bytes((when.year - 2000, when.month, when.day, when.hour, when.minute, when.second))


def decode_time6(raw: bytes, tz: tzinfo) -> datetime:
    """Decode the 6-byte event time into an aware datetime."""
    if len(raw) != 6:
        raise ProtocolError(f"event time must be 6 bytes, got {len(raw)}")
    y, mo, d, h, mi, s = raw
    try:
        return datetime(2000 + y, mo, d, h, mi, s, tzinfo=tz)
    except ValueError as exc:
        raise ProtocolError(f"event time bytes {raw.hex()} are not a date") from exc


def make_commkey(key: int, session_id: int, ticks: int = 50) -> bytes:
    """Scramble the comm key (password) with the session id for CMD_AUTH (obfuscation only)."""
    if not 0 <= key <= 0xFFFFFFFF:
        raise ValueError(f"comm key {key} does not fit in 32 bits")
    # The key's 32 bits are reversed, then the session id is added.
    reversed_key = int(f"{key:032b}"[::-1], 2)
    mixed = (reversed_key + session_id) & 0xFFFFFFFF
    b = bytes(x ^ y for x, y in zip(_U32.pack(mixed), b"ZKSO", strict=True))
    swapped = b[2:4] + b[0:2]  # the two 16-bit halves trade places
    t = ticks & 0xFF
    return bytes((swapped[0] ^ t, swapped[1] ^ t, t, swapped[3] ^ t))


def commkey_matches(data: bytes, key: int, session_id: int) -> bool:
    """Whether CMD_AUTH data carries the right key for this session (ticks read from byte 2)."""
    if len(data) < 4:
        return False
    return data[:4] == make_commkey(key, session_id, data[2])


def buffered_read_request(command: int, fct: int = 0, ext: int = 0) -> bytes:
    """Data of _CMD_PREPARE_BUFFER (1503) asking for a whole table."""
    return struct.pack("<bhii", 1, command, fct, ext)


def parse_buffered_read_request(data: bytes) -> tuple[int, int]:
    """(command, fct) of a 1503 request."""
    if len(data) < 11:
        raise ProtocolError(f"buffered read request of {len(data)} bytes, expected 11")
    _, command, fct, _ = struct.unpack_from("<bhii", data)
    return command, fct


def parse_buffer_size(data: bytes) -> int:
    """Total size announced by the ACK_OK answer to 1503 (byte 0 fixed, then u32)."""
    if len(data) < 5:
        raise ProtocolError(f"buffer announcement of {len(data)} bytes, expected at least 5")
    return int(_U32.unpack_from(data, 1)[0])


def parse_option(data: bytes) -> str:
    """Value of a ``name=value\\0`` answer to CMD_OPTIONS_RRQ."""
    text = data.split(b"\x00", 1)[0]
    if b"=" not in text:
        raise ProtocolError(f"option answer without '=': {text[:40]!r}")
    return text.split(b"=", 1)[1].decode("ascii", errors="replace")
