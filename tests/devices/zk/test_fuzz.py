"""Hypothesis fuzzing: nothing but ProtocolError ever escapes the decoders."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.zk import protocol as p
from devices.zk.records import decode_attendance, decode_events, decode_sizes, decode_users

SH = ZoneInfo("Asia/Shanghai")
FRAME = p.build_tcp_frame(p.CMD_ACK_OK, 5, 9, b"payload")


@given(st.lists(st.binary(max_size=64), max_size=12))
def test_deframer_never_raises_and_finds_embedded_frame(chunks: list[bytes]) -> None:
    deframer = p.TcpDeframer(max_payload=4096)
    stream = b"".join(chunks) + FRAME
    found = []
    for i in range(0, len(stream), 7):
        deframer.feed(stream[i : i + 7])
        while (packet := deframer.next_packet()) is not None:
            found.append(packet)
    # garbage may swallow bytes into a bogus frame, but a clean tail frame after pure garbage
    # without any magic must be found
    if p.TCP_MAGIC[:1] not in b"".join(chunks):
        assert found and found[-1].data == b"payload"


@given(st.binary(max_size=300), st.integers(min_value=0, max_value=20))
def test_attendance_decoder_only_protocol_errors(data: bytes, count: int) -> None:
    try:
        log = decode_attendance(data, count, device_sn="S", tz=SH, uid_to_pin={1: "1"})
    except ProtocolError:
        return
    for punch in log.punches:
        assert punch.time.tzinfo is SH


@given(st.binary(max_size=300), st.integers(min_value=0, max_value=10))
def test_user_decoder_only_protocol_errors(data: bytes, count: int) -> None:
    try:
        users = decode_users(data, count)
    except ProtocolError:
        return
    assert all(isinstance(u.name, str) for u in users)


@given(st.binary(max_size=200))
def test_event_and_sizes_decoders_only_protocol_errors(data: bytes) -> None:
    out = decode_events(data, device_sn="S", tz=SH)
    assert all(x.device_sn == "S" for x in out)
    if len(data) >= 80:
        assert decode_sizes(data).records >= -(2**31)
    else:
        with pytest.raises(ProtocolError):
            decode_sizes(data)


@given(st.binary(max_size=64))
def test_parse_packet_only_protocol_errors(data: bytes) -> None:
    try:
        packet = p.parse_packet(data, verify_checksum=True)
    except ProtocolError:
        return
    assert packet.checksum_ok()


@settings(max_examples=300)
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59)))
def test_time_roundtrip(when: datetime) -> None:
    aware = when.replace(microsecond=0, tzinfo=SH)
    assert p.decode_time(p.encode_time(aware), SH) == aware


@given(st.integers(min_value=0, max_value=0xFFFFFFFF))
def test_decode_time_any_u32(value: int) -> None:
    try:
        when = p.decode_time(value, SH)
    except ProtocolError:
        return
    assert p.encode_time(when) == value
