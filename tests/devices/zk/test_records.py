"""Attendance, user and event records: every layout, bad records kept apart, GBK names."""

from __future__ import annotations

import struct
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from devices.errors import ProtocolError
from devices.events import Punch
from devices.zk.protocol import encode_time6
from devices.zk.records import (
    Sizes,
    User,
    decode_attendance,
    decode_events,
    decode_sizes,
    decode_users,
    encode_attendance_record,
    encode_event,
    encode_sizes,
    encode_user,
)

SH = ZoneInfo("Asia/Shanghai")
WHEN = datetime(2024, 3, 15, 8, 30, tzinfo=SH)

# A 40-byte record laid out by hand from the documented table: uid 7, PIN "1001" in a
# 24-byte field, verify 1 at offset 26, time 777976200 (2024-03-15 08:30) at 27, state 0 at
# 31, then the fixed 00 00 00 00 ff 00 00 00.
REC40_GOLDEN = bytes.fromhex(
    "0700" + "31303031" + "00" * 20 + "01" + "88f95e2e" + "00" + "00000000ff000000"
)


def table(*records: bytes) -> bytes:
    body = b"".join(records)
    return struct.pack("<I", len(body)) + body


def test_golden_40_byte_record() -> None:
    assert len(REC40_GOLDEN) == 40
    log = decode_attendance(table(REC40_GOLDEN), 1, device_sn="SN1", tz=SH)
    (punch,) = log.punches
    assert (punch.pin, punch.time, punch.verify, punch.status) == ("1001", WHEN, 1, 0)
    assert punch.raw == REC40_GOLDEN and punch.device_sn == "SN1"
    assert log.record_size == 40
    made = encode_attendance_record(40, uid=7, pin="1001", when=WHEN, verify=1, status=0)
    assert made == REC40_GOLDEN


def test_offsets_26_and_31_in_40_byte_layout() -> None:
    raw = bytearray(REC40_GOLDEN)
    raw[26], raw[31] = 15, 5  # face, overtime out
    (punch,) = decode_attendance(table(bytes(raw)), 1, device_sn="S", tz=SH).punches
    assert (punch.verify, punch.status) == (15, 5)


@pytest.mark.parametrize("size", [8, 16, 40, 49])
def test_each_record_size_decodes(size: int) -> None:
    records = [
        encode_attendance_record(
            size, uid=i + 1, pin=str(1000 + i), when=WHEN, verify=i % 3, status=i % 2
        )
        for i in range(5)
    ]
    uid_to_pin = {i + 1: str(1000 + i) for i in range(5)} if size == 8 else None
    log = decode_attendance(table(*records), 5, device_sn="S", tz=SH, uid_to_pin=uid_to_pin)
    assert log.record_size == size and not log.bad
    assert [x.pin for x in log.punches] == [str(1000 + i) for i in range(5)]
    assert [x.status for x in log.punches] == [0, 1, 0, 1, 0]
    assert all(x.time == WHEN for x in log.punches)


def test_8_byte_record_without_user_map_uses_uid() -> None:
    raw = encode_attendance_record(8, uid=42, pin="", when=WHEN, verify=1, status=0)
    (punch,) = decode_attendance(table(raw), 1, device_sn="S", tz=SH).punches
    assert punch.pin == "42"


def test_bad_records_are_kept_apart_and_good_ones_survive() -> None:
    good = encode_attendance_record(40, uid=1, pin="7", when=WHEN, verify=1, status=0)
    bad_time = bytearray(good)
    bad_time[27:31] = struct.pack("<I", ((24 * 12 + 1) * 31 + 29) * 86400)  # Feb 30
    empty_pin = bytearray(good)
    empty_pin[2:26] = bytes(24)
    log = decode_attendance(
        table(good, bytes(bad_time), bytes(empty_pin), good), 4, device_sn="S", tz=SH
    )
    assert len(log.punches) == 2
    assert [b.raw for b in log.bad] == [bytes(bad_time), bytes(empty_pin)]
    assert "byte 40" in log.bad[0].reason and "not a date" in log.bad[0].reason
    assert "empty PIN" in log.bad[1].reason


def test_truncated_table_keeps_whole_records() -> None:
    good = encode_attendance_record(16, uid=1, pin="9", when=WHEN, verify=1, status=0)
    data = table(good, good)[:-5]
    log = decode_attendance(data, 2, device_sn="S", tz=SH)
    assert len(log.punches) == 1
    assert any("trailing" in b.reason for b in log.bad)
    assert any("declares 32 bytes" in b.reason for b in log.bad)


def test_unknown_record_size_is_one_bad_record_with_all_bytes() -> None:
    log = decode_attendance(table(bytes(24), bytes(24)), 2, device_sn="S", tz=SH)
    assert not log.punches
    assert log.bad[0].raw == bytes(48) and "24" in log.bad[0].reason


def test_zero_records_and_missing_prefix() -> None:
    assert decode_attendance(table(), 0, device_sn="S", tz=SH).punches == []
    with pytest.raises(ProtocolError, match="size prefix"):
        decode_attendance(b"\x01", 1, device_sn="S", tz=SH)


# --------------------------------------------------------------------- users
@pytest.mark.parametrize("size", [28, 72])
def test_chinese_names_roundtrip_in_gbk(size: int) -> None:
    users = [User(1, "1001", "张伟"), User(2, "1002", "欧阳娜娜" if size == 28 else "司马相如之妻")]
    data = table(*(encode_user(u, size) for u in users))
    assert decode_users(data, 2) == users
    assert "张伟".encode("gbk") in data  # GBK, not UTF-8, on the wire


def test_names_in_other_encodings_and_too_long() -> None:
    user = User(5, "5", "Zoë")
    data = table(encode_user(user, 72, encoding="utf-8"))
    assert decode_users(data, 1, encoding="utf-8")[0].name == "Zoë"
    with pytest.raises(ValueError, match="field holds 8"):
        encode_user(User(1, "1", "诸葛孔明先生"), 28)
    with pytest.raises(ValueError, match="numeric PIN"):
        encode_user(User(1, "A1", "x"), 28)


def test_undecodable_name_is_visible_not_dropped() -> None:
    raw = bytearray(encode_user(User(1, "1", "ab"), 72))
    raw[11] = 0xFF  # lone lead byte inside the name
    (user,) = decode_users(table(bytes(raw)), 1)
    assert "\ufffd" in user.name


def test_unknown_user_layout() -> None:
    with pytest.raises(ProtocolError, match="28 and 72"):
        decode_users(table(bytes(30)), 1)


# -------------------------------------------------------------------- events
def test_two_events_in_one_packet() -> None:
    data = encode_event("1001", WHEN, 1, 0) + encode_event("1002", WHEN, 15, 1)
    first, second = decode_events(data, device_sn="S", tz=SH)
    assert (first.pin, second.pin) == ("1001", "1002")  # type: ignore[union-attr]
    assert (second.verify, second.status, second.time) == (15, 1, WHEN)  # type: ignore[union-attr]


@pytest.mark.parametrize("size", [10, 12, 14, 32, 36, 37, 52])
def test_event_layouts(size: int) -> None:
    (event,) = decode_events(encode_event("77", WHEN, 2, 1, size), device_sn="S", tz=SH)
    assert (event.pin, event.verify, event.status, event.time) == ("77", 2, 1, WHEN)  # type: ignore[union-attr]


def test_odd_event_size_is_bad_record() -> None:
    (bad,) = decode_events(b"\x01" * 13, device_sn="S", tz=SH)
    assert bad.raw == b"\x01" * 13 and "13 bytes" in bad.reason  # type: ignore[union-attr]


def test_sizes_roundtrip() -> None:
    sizes = Sizes(users=3, fingers=0, records=100000, users_cap=3000, records_cap=200000)
    data = encode_sizes(sizes)
    assert len(data) == 92
    assert decode_sizes(data) == sizes
    with pytest.raises(ProtocolError):
        decode_sizes(data[:40])


@pytest.mark.parametrize(
    ("size", "head"),
    [(10, struct.pack("<HBB", 77, 2, 1)), (14, struct.pack("<HBB", 77, 2, 1))],
)
def test_newer_firmware_short_events(size: int, head: bytes) -> None:
    # u16 PIN, verify, status, the 6-byte time, padding (pyzk's live_capture sizes 10 and 14).
    raw = (head + encode_time6(WHEN)).ljust(size, b"\x00")
    (event,) = decode_events(raw, device_sn="S", tz=SH)
    assert isinstance(event, Punch)
    assert (event.pin, event.verify, event.status, event.time) == ("77", 2, 1, WHEN)


def test_newer_firmware_37_byte_event() -> None:
    raw = b"3005".ljust(24, b"\x00") + bytes((15, 0)) + encode_time6(WHEN) + b"\x01" * 5
    (event,) = decode_events(raw, device_sn="S", tz=SH)
    assert isinstance(event, Punch)
    assert (event.pin, event.verify, event.status, event.time) == ("3005", 15, 0, WHEN)


def test_8_byte_record_of_a_deleted_uid_is_kept_aside() -> None:
    # uid 5 was deleted on the terminal; "5" is somebody else's PIN: never credit it to them.
    gone = encode_attendance_record(8, uid=5, pin="", when=WHEN, verify=1, status=0)
    kept = encode_attendance_record(8, uid=1, pin="", when=WHEN, verify=1, status=0)
    log = decode_attendance(table(gone, kept), 2, device_sn="S", tz=SH, uid_to_pin={1: "1001"})
    assert [p.pin for p in log.punches] == ["1001"]
    (bad,) = log.bad
    assert bad.raw == gone and "uid 5 is no longer on the terminal" in bad.reason
    assert log.verified  # every record accounted for: one punch, one kept aside


def test_fit_name_cuts_at_a_character_boundary() -> None:
    from devices.zk.records import fit_name

    name = "阿卜杜萨拉木·阿卜杜热合曼"
    assert len(name.encode("gbk")) == 26
    fitted = fit_name(name, "gbk", 24)
    assert fitted == "阿卜杜萨拉木·阿卜杜热合" and len(fitted.encode("gbk")) == 24
    assert fit_name("张伟", "gbk", 24) == "张伟"
    assert fit_name("王小明", "utf-8", 8) == "王小"  # 6 bytes: a third character would not fit
