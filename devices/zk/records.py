"""ZK table records: attendance log (8/16/40/49+ bytes), users (28/72 bytes), events, sizes.

Pure decoding and encoding.  A table arrives as a u32 total size followed by records; the
record size is total size / record count and the decoder steps by it, so layouts longer than
40 bytes (e.g. 49) decode through their 40-byte prefix.  A record that cannot be decoded
becomes a :class:`~devices.events.BadRecord` with its raw bytes; the good ones are kept.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Final

from devices.errors import ProtocolError
from devices.events import BadRecord, Punch
from devices.zk.protocol import decode_time, decode_time6, encode_time, encode_time6

_U32: Final = struct.Struct("<I")
REC8: Final = struct.Struct("<HBIB")  # uid, verify, time, status
REC16: Final = struct.Struct("<IIBB2sI")  # pin, time, verify, status, reserved, workcode
REC40: Final = struct.Struct("<H24sBIB")  # uid, pin, verify (26), time (27), status (31)
REC40_TAIL: Final = b"\x00\x00\x00\x00\xff\x00\x00\x00"  # bytes 32-39 as devices send them
USER28: Final = struct.Struct("<HB5s8sIxBHI")  # uid, priv, password, name, card, group, tz, pin
USER72: Final = struct.Struct("<HB8s24sIx7sx24s")  # uid, priv, password, name, card, group, pin
# Real-time event layouts by firmware; all start with the PIN (u16 for 10/14, u32 for 12, 24
# ASCII bytes otherwise), then verify, status and the 6-byte time; the rest is padding.
EVENT_SIZES: Final = (52, 37, 36, 32, 14, 12, 10)
_SHORT_EVENTS: Final = {
    10: struct.Struct("<HBB"),
    12: struct.Struct("<IBB"),
    14: struct.Struct("<HBB"),
}
SIZES_FORMAT: Final = struct.Struct("<20i")


@dataclass(frozen=True, slots=True)
class AttendanceLog:
    """A downloaded attendance log: good punches, undecodable records, the record size.

    ``declared`` is the record count the terminal announced; ``intact`` is False when the
    table came short or with bytes that are not whole records.
    """

    punches: list[Punch]
    bad: list[BadRecord]
    record_size: int
    declared: int = 0
    intact: bool = True

    @property
    def verified(self) -> bool:
        """Every announced record is here, as a punch or as a bad record kept aside."""
        return self.intact and len(self.punches) + len(self.bad) == self.declared


@dataclass(frozen=True, slots=True)
class User:
    """A user as the terminal stores it (never any template)."""

    uid: int
    pin: str
    name: str = ""
    privilege: int = 0
    password: str = ""
    card: int = 0
    group: str = ""


@dataclass(frozen=True, slots=True)
class Sizes:
    """Counts and capacities from CMD_GET_FREE_SIZES."""

    users: int
    fingers: int
    records: int
    users_cap: int = 0
    records_cap: int = 0


def table_payload(data: bytes) -> tuple[int, memoryview]:
    """Split a table answer into (declared size, record bytes)."""
    if len(data) < 4:
        raise ProtocolError(f"table answer of {len(data)} bytes has no 4-byte size prefix")
    (total,) = _U32.unpack_from(data)
    return total, memoryview(data)[4:]


def record_size(total: int, count: int) -> int:
    """The record size a table of ``total`` bytes and ``count`` records uses."""
    if count <= 0:
        raise ProtocolError(f"device reports {count} records for {total} bytes")
    size = total // count
    if size < 8:
        raise ProtocolError(f"{total} bytes for {count} records is {size} bytes each")
    return size


def _pin_from(raw: bytes) -> str:
    pin = raw.split(b"\x00", 1)[0].decode("ascii").strip()
    if not pin:
        raise ValueError("empty PIN")
    return pin


class _TimeDecoder:
    """decode_time with the calendar part cached per day: logs repeat days many times."""

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.days: dict[int, tuple[int, int, int]] = {}

    def __call__(self, tvalue: int) -> datetime:
        days, secs = divmod(tvalue, 86400)
        ymd = self.days.get(days)
        if ymd is None:
            date = decode_time(days * 86400, self.tz)
            ymd = self.days[days] = (date.year, date.month, date.day)
        hour, rest = divmod(secs, 3600)
        minute, second = divmod(rest, 60)
        return datetime(ymd[0], ymd[1], ymd[2], hour, minute, second, tzinfo=self.tz)


def _uid_pin(uid: int, uid_to_pin: Mapping[int, str] | None) -> str:
    """The PIN of an 8-byte record whose uid the user list does not hold."""
    if uid_to_pin is None:  # no user list to ask: the uid is all there is
        return str(uid)
    # The user was deleted on the terminal: the uid as PIN would be somebody else's PIN.
    raise LookupError(f"uid {uid} is no longer on the terminal (user deleted?): PIN unknown")


def decode_attendance(
    data: bytes,
    count: int,
    *,
    device_sn: str,
    tz: tzinfo,
    uid_to_pin: Mapping[int, str] | None = None,
) -> AttendanceLog:
    """Decode an attendance table (with its size prefix) in one linear pass."""
    total, body = table_payload(data)
    if total == 0 or count == 0:
        return AttendanceLog([], [], 0, 0, total == 0 and count == 0)
    size = record_size(total, count)
    punches: list[Punch] = []
    bad: list[BadRecord] = []
    usable = min(total, len(body))
    whole = usable - usable % size
    pins = uid_to_pin or {}
    pin_cache: dict[bytes, str] = {}
    to_time = _TimeDecoder(tz)
    raw_all = bytes(body[:whole])
    unpack = REC40.unpack_from
    if size == 8:
        unpack = REC8.unpack_from
    elif size == 16:
        unpack = REC16.unpack_from
    elif size < 40:
        bad.append(BadRecord(device_sn, raw_all, f"unknown attendance record size {size}"))
        whole = 0
    intact = whole == total and len(body) == total
    for off in range(0, whole, size):
        raw = raw_all[off : off + size]
        try:
            fields = unpack(raw)
            if size == 8:
                uid, verify, tvalue, status = fields
                pin = pins.get(uid) or _uid_pin(uid, uid_to_pin)
                workcode: str | None = None
            elif size == 16:
                pin_num, tvalue, verify, status, _, wc = fields
                pin = str(pin_num)
                workcode = str(wc) if wc else None
            else:
                _, pin_raw, verify, tvalue, status = fields
                pin = pin_cache.get(pin_raw) or pin_cache.setdefault(pin_raw, _pin_from(pin_raw))
                workcode = None
            when = to_time(tvalue)
            punches.append(Punch(device_sn, pin, when, verify, status, workcode, raw))
        except (ProtocolError, ValueError, UnicodeDecodeError, LookupError) as exc:
            reason = f"record at byte {off} ({size} bytes): {exc}"
            bad.append(BadRecord(device_sn, raw, reason))
    if usable > whole and whole:
        bad.append(
            BadRecord(
                device_sn,
                bytes(body[whole:usable]),
                f"{usable - whole} trailing bytes are not a whole {size}-byte record",
            )
        )
    if len(body) < total:
        bad.append(
            BadRecord(device_sn, b"", f"table declares {total} bytes but {len(body)} arrived")
        )
    return AttendanceLog(punches, bad, size, count, intact)


def encode_attendance_record(
    size: int, *, uid: int, pin: str, when: datetime, verify: int, status: int, workcode: int = 0
) -> bytes:
    """One attendance record in the given layout (used by the simulator and tests)."""
    tvalue = encode_time(when)
    if size == 8:
        return REC8.pack(uid, verify, tvalue, status)
    if size == 16:
        return REC16.pack(int(pin), tvalue, verify, status, b"\x00\x00", workcode)
    if size >= 40:
        head = REC40.pack(uid, pin.encode("ascii"), verify, tvalue, status) + REC40_TAIL
        return head + _U32.pack(workcode)[: size - 40] + bytes(max(0, size - 44))
    raise ValueError(f"no attendance layout of {size} bytes")


def _text(raw: bytes, encoding: str) -> str:
    # 'replace' keeps a visible mark where pyzk's 'ignore' silently loses characters.
    return raw.split(b"\x00", 1)[0].decode(encoding, errors="replace").strip()


def decode_users(data: bytes, count: int, *, encoding: str = "gbk") -> list[User]:
    """Decode a user table (with its size prefix); names in ``encoding``."""
    total, body = table_payload(data)
    if total == 0 or count == 0:
        return []
    size = record_size(total, count)
    if size not in (28, 72):
        raise ProtocolError(f"user records of {size} bytes; known layouts are 28 and 72")
    users: list[User] = []
    layout = USER28 if size == 28 else USER72
    for fields in layout.iter_unpack(body[: len(body) - len(body) % size]):
        if size == 28:
            uid, priv, pwd, name, card, group, _tz, pin_num = fields
            pin, group_text = str(pin_num), str(group) if group else ""
        else:
            uid, priv, pwd, name, card, group_raw, pin_raw = fields
            pin, group_text = _text(pin_raw, "ascii"), _text(group_raw, "ascii")
        users.append(
            User(uid, pin, _text(name, encoding), priv, _text(pwd, "ascii"), card, group_text)
        )
    return users


def name_width(user_size: int) -> int:
    """Bytes the name field holds in a user layout (8 in the 28-byte one, else 24)."""
    return 8 if user_size == 28 else 24


def fit_name(name: str, encoding: str, width: int) -> str:
    """The longest prefix of ``name`` whose encoding fits ``width`` bytes (whole characters).

    A character the encoding cannot write ends the name there as well.
    """
    size = 0
    for index, char in enumerate(name):
        try:
            size += len(char.encode(encoding))
        except UnicodeEncodeError:
            return name[:index]
        if size > width:
            return name[:index]
    return name


def _fit(value: str, encoding: str, width: int, what: str) -> bytes:
    raw = value.encode(encoding)
    if len(raw) > width:
        raise ValueError(f"{what} {value!r} is {len(raw)} bytes in {encoding}; field holds {width}")
    return raw


def encode_user(user: User, size: int, *, encoding: str = "gbk") -> bytes:
    """Pack a user for CMD_USER_WRQ in the 28- or 72-byte layout."""
    name = _fit(user.name, encoding, 8 if size == 28 else 24, "name")
    if size == 28:
        if not user.pin.isdigit():
            raise ValueError(f"28-byte user records need a numeric PIN, not {user.pin!r}")
        group = int(user.group) if user.group else 0
        pwd = _fit(user.password, "ascii", 5, "password")
        return USER28.pack(user.uid, user.privilege, pwd, name, user.card, group, 0, int(user.pin))
    if size == 72:
        pwd = _fit(user.password, "ascii", 8, "password")
        pin = _fit(user.pin, "ascii", 24, "PIN")
        group_raw = _fit(user.group, "ascii", 7, "group")
        return USER72.pack(user.uid, user.privilege, pwd, name, user.card, group_raw, pin)
    raise ValueError(f"no user layout of {size} bytes")


def _event_size(n: int) -> int:
    if n in EVENT_SIZES:
        return n
    for size in EVENT_SIZES:
        if n % size == 0:
            return size
    raise ProtocolError(f"attendance event data of {n} bytes fits no known event layout")


def decode_events(data: bytes, *, device_sn: str, tz: tzinfo) -> list[Punch | BadRecord]:
    """Decode the data of an EF_ATTLOG real-time packet (one or several events)."""
    if not data:
        return []
    try:
        size = _event_size(len(data))
    except ProtocolError as exc:
        return [BadRecord(device_sn, bytes(data), str(exc))]
    out: list[Punch | BadRecord] = []
    short = _SHORT_EVENTS.get(size)
    for off in range(0, len(data), size):
        raw = bytes(data[off : off + size])
        try:
            if short is not None:
                pin_num, verify, status = short.unpack_from(raw)
                pin, tbytes = str(pin_num), raw[short.size : short.size + 6]
            else:
                pin, (verify, status) = _pin_from(raw[:24]), raw[24:26]
                tbytes = raw[26:32]
            out.append(Punch(device_sn, pin, decode_time6(tbytes, tz), verify, status, raw=raw))
        except (ProtocolError, ValueError, UnicodeDecodeError) as exc:
            out.append(BadRecord(device_sn, raw, f"event at byte {off} ({size} bytes): {exc}"))
    return out


def encode_event(pin: str, when: datetime, verify: int, status: int, size: int = 32) -> bytes:
    """One EF_ATTLOG event record (PIN, verify, status, 6-byte time, padding)."""
    short = _SHORT_EVENTS.get(size)
    if short is not None:
        return (short.pack(int(pin), verify, status) + encode_time6(when)).ljust(size, b"\x00")
    if size not in EVENT_SIZES:
        raise ValueError(f"no event layout of {size} bytes")
    body = pin.encode("ascii").ljust(24, b"\x00")[:24] + bytes((verify, status))
    return (body + encode_time6(when)).ljust(size, b"\x00")


def decode_sizes(data: bytes) -> Sizes:
    """Decode the CMD_GET_FREE_SIZES answer (at least 80 bytes of u32 fields)."""
    if len(data) < SIZES_FORMAT.size:
        raise ProtocolError(f"sizes answer of {len(data)} bytes, expected at least 80")
    f = SIZES_FORMAT.unpack_from(data)
    return Sizes(users=f[4], fingers=f[6], records=f[8], users_cap=f[15], records_cap=f[16])


def encode_sizes(sizes: Sizes) -> bytes:
    """The 92-byte CMD_GET_FREE_SIZES answer (used by the simulator)."""
    f = [0] * 20
    f[4], f[6], f[8] = sizes.users, sizes.fingers, sizes.records
    f[15], f[16] = sizes.users_cap, sizes.records_cap
    f[18], f[19] = sizes.users_cap - sizes.users, sizes.records_cap - sizes.records
    return SIZES_FORMAT.pack(*f) + bytes(12)
