"""Packets, checksum, deframing, time encoding and comm key, against byte-level golden vectors.

Vectors marked "doc" are from the public protocol notes (adrobinoga/zk-protocol, captured from
a real F19 terminal); the others were worked out by hand from the documented layout.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from zk.base import make_commkey as pyzk_make_commkey

from devices.errors import ProtocolError
from devices.zk import protocol as p

SH = ZoneInfo("Asia/Shanghai")

# CMD_CONNECT (1000 = e8 03), session 0, reply 0; checksum ~0x03e8 = 0xfc17.
CONNECT_FRAME = bytes.fromhex("5050827d08000000" + "e80317fc00000000")
# ACK_OK (2000 = d0 07) giving session 0x8df3, reply 0; checksum ~(0x07d0 + 0x8df3) = 0x6a3c.
CONNECT_REPLY = bytes.fromhex("5050827d08000000" + "d0073c6af38d0000")


def test_checksum_matches_documented_vectors() -> None:
    # doc vector 1: CMD_OPTIONS_RRQ "ZKFaceVersion", checksum field removed -> 0x175a
    payload = bytes.fromhex("0b00f38d03005a4b4661636556657273696f6e00")
    assert p.checksum(payload) == 0x175A
    # doc vector 2: a terminal's 9-byte ACK_OK packet with checksum 0x6a29
    assert p.checksum(bytes.fromhex("d007f38d0a0009")) == 0x6A29


def test_build_packet_reproduces_captured_request() -> None:
    packet = p.build_packet(p.CMD_OPTIONS_RRQ, 0x8DF3, 3, b"ZKFaceVersion\x00")
    assert packet == bytes.fromhex("0b005a17f38d03005a4b4661636556657273696f6e00")


def test_parse_captured_reply() -> None:
    packet = p.parse_packet(bytes.fromhex("d007296af38d0a0009"), verify_checksum=True)
    assert (packet.command, packet.session_id, packet.reply_id) == (p.CMD_ACK_OK, 0x8DF3, 10)
    assert packet.data == b"\x09"


def test_connect_exchange_golden_frames() -> None:
    assert p.build_tcp_frame(p.CMD_CONNECT, 0, 0) == CONNECT_FRAME
    deframer = p.TcpDeframer()
    deframer.feed(CONNECT_REPLY)
    reply = deframer.next_packet()
    assert reply is not None
    assert (reply.command, reply.session_id, reply.reply_id, reply.data) == (2000, 0x8DF3, 0, b"")


def test_short_packet_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="shorter than the 8-byte header"):
        p.parse_packet(b"\xd0\x07\x00")


def test_bad_checksum_is_reported_with_values() -> None:
    raw = bytearray(p.build_packet(p.CMD_ACK_OK, 1, 2, b"x"))
    raw[2] ^= 0xFF
    with pytest.raises(ProtocolError, match="bad checksum"):
        p.parse_packet(bytes(raw), verify_checksum=True)


# ---------------------------------------------------------------- deframer
def _frames(n: int) -> list[bytes]:
    return [p.build_tcp_frame(p.CMD_DATA, 7, i, bytes([i]) * (i * 3)) for i in range(n)]


def test_deframer_needs_more_bytes_is_none() -> None:
    deframer = p.TcpDeframer()
    deframer.feed(CONNECT_FRAME[:11])
    assert deframer.next_packet() is None
    deframer.feed(CONNECT_FRAME[11:])
    packet = deframer.next_packet()
    assert packet is not None and packet.command == p.CMD_CONNECT


def test_deframer_frames_split_byte_by_byte() -> None:
    stream = b"".join(_frames(5))
    deframer = p.TcpDeframer()
    got = []
    for i in range(len(stream)):
        deframer.feed(stream[i : i + 1])
        while (packet := deframer.next_packet()) is not None:
            got.append(packet.reply_id)
    assert got == [0, 1, 2, 3, 4]
    assert deframer.skipped_bytes == 0


def test_deframer_skips_garbage_and_resyncs() -> None:
    deframer = p.TcpDeframer()
    deframer.feed(b"\x00\xffPP\x82garbage" + CONNECT_FRAME + b"junk" + CONNECT_REPLY)
    first, second = deframer.next_packet(), deframer.next_packet()
    assert first is not None and first.command == p.CMD_CONNECT
    assert second is not None and second.command == p.CMD_ACK_OK
    assert deframer.skipped_bytes == len(b"\x00\xffPP\x82garbage") + len(b"junk")


def test_deframer_drops_bad_checksum_then_takes_good_frame() -> None:
    bad = bytearray(_frames(2)[1])
    bad[-1] ^= 0x55
    deframer = p.TcpDeframer()
    deframer.feed(bytes(bad) + CONNECT_FRAME)
    packet = deframer.next_packet()
    assert packet is not None and packet.command == p.CMD_CONNECT
    assert deframer.bad_frames == 1
    assert deframer.next_packet() is None


def test_deframer_rejects_absurd_length() -> None:
    deframer = p.TcpDeframer(max_payload=1024)
    deframer.feed(p.TCP_MAGIC + (10**6).to_bytes(4, "little") + CONNECT_FRAME)
    packet = deframer.next_packet()
    assert packet is not None and packet.command == p.CMD_CONNECT


def test_magic_split_across_reads_is_kept() -> None:
    deframer = p.TcpDeframer()
    deframer.feed(b"xx" + CONNECT_FRAME[:2])
    assert deframer.next_packet() is None
    deframer.feed(CONNECT_FRAME[2:])
    assert deframer.next_packet() is not None
    assert deframer.skipped_bytes == 2


# -------------------------------------------------------------------- time
def test_time_golden_value() -> None:
    # ((24*372 + 2*31 + 14) * 86400 + 8*3600 + 30*60) for 2024-03-15 08:30:00
    assert p.encode_time(datetime(2024, 3, 15, 8, 30, tzinfo=SH)) == 777976200
    assert p.decode_time(777976200, SH) == datetime(2024, 3, 15, 8, 30, tzinfo=SH)


def test_time_edges() -> None:
    assert p.encode_time(datetime(2000, 1, 1, tzinfo=SH)) == 0
    assert p.decode_time(0, SH) == datetime(2000, 1, 1, tzinfo=SH)
    end = datetime(2099, 12, 31, 23, 59, 59, tzinfo=SH)
    assert p.decode_time(p.encode_time(end), SH) == end


def test_time_outside_range_or_impossible() -> None:
    with pytest.raises(ValueError, match="2000-2099"):
        p.encode_time(datetime(2100, 1, 1, tzinfo=SH))
    feb30 = ((24 * 12 + 1) * 31 + 29) * 86400  # 2024-02-30 in the 31-day month scheme
    with pytest.raises(ProtocolError, match="2024-02-30"):
        p.decode_time(feb30, SH)


def test_time6_roundtrip_and_garbage() -> None:
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=SH)
    assert p.encode_time6(when) == bytes([24, 5, 6, 7, 8, 9])
    assert p.decode_time6(p.encode_time6(when), SH) == when
    with pytest.raises(ProtocolError):
        p.decode_time6(bytes([24, 13, 1, 0, 0, 0]), SH)


# ---------------------------------------------------------------- comm key
@pytest.mark.parametrize(
    ("key", "session"), [(0, 0), (1, 1), (123456, 0x3F01), (999999, 0xFFFF), (65535, 77)]
)
def test_commkey_agrees_with_pyzk(key: int, session: int) -> None:
    assert p.make_commkey(key, session) == pyzk_make_commkey(key, session)


def test_commkey_check() -> None:
    data = p.make_commkey(4321, 0x1234, ticks=99)
    assert p.commkey_matches(data, 4321, 0x1234)
    assert not p.commkey_matches(data, 4322, 0x1234)
    assert not p.commkey_matches(b"\x00", 4321, 0x1234)


def test_buffer_helpers() -> None:
    request = p.buffered_read_request(p.CMD_ATTLOG_RRQ)
    assert request == bytes.fromhex("010d000000000000000000")  # doc: attendance read request
    assert p.parse_buffered_read_request(request) == (p.CMD_ATTLOG_RRQ, 0)
    assert p.parse_buffer_size(b"\x00" + (4004).to_bytes(4, "little") * 2) == 4004
    with pytest.raises(ProtocolError):
        p.parse_buffer_size(b"\x00\x01")
    assert p.parse_option(b"~SerialNumber=ABC123\x00") == "ABC123"
    with pytest.raises(ProtocolError):
        p.parse_option(b"nonsense\x00")


def test_commkey_wraps_where_pyzk_overflows() -> None:
    # pyzk raises struct.error here; the sum simply wraps at 32 bits.
    assert len(p.make_commkey(0x7FFFFFFF, 77)) == 4
    with pytest.raises(ValueError, match="32 bits"):
        p.make_commkey(1 << 32, 0)
