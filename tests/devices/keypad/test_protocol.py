"""Keypad frames byte for byte, the resynchronising parser, and the key table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.keypad.protocol import (
    KEY_TABLE,
    CallBack,
    CallNext,
    Evaluate,
    FrameParser,
    KeyEvent,
    KeypadFrame,
    NoShow,
    Pause,
    Recall,
    Resume,
    Suspend,
    Transfer,
    decode_event,
    encode_event,
    encode_frame,
)

GOLDEN: list[tuple[KeyEvent, str]] = [
    (CallNext(3), "ff 68 02 02 68 03 01 04 16"),
    (Recall(3), "ff 68 02 02 68 03 02 05 16"),
    (Evaluate(3, 5), "ff 68 03 03 68 03 03 05 0b 16"),
    (Pause(3), "ff 68 02 02 68 03 04 07 16"),
    (Resume(3), "ff 68 02 02 68 03 05 08 16"),
    (Transfer(3, 7), "ff 68 03 03 68 03 06 07 10 16"),
    (NoShow(12, "012"), "ff 68 05 05 68 0c 07 30 31 32 a6 16"),
    (Suspend(12, "5"), "ff 68 03 03 68 0c 08 35 49 16"),
    (CallBack(200, "88"), "ff 68 04 04 68 c8 09 38 38 41 16"),
]


@pytest.mark.parametrize(("event", "wire"), GOLDEN)
def test_golden_frames(event: KeyEvent, wire: str) -> None:
    assert encode_event(event) == bytes.fromhex(wire)
    frames = FrameParser().feed(bytes.fromhex(wire))
    assert [decode_event(f) for f in frames] == [event]


def test_key_table_is_complete_and_unique() -> None:
    assert len({spec.function for spec in KEY_TABLE}) == len(KEY_TABLE)
    assert len({spec.event for spec in KEY_TABLE}) == len(KEY_TABLE)
    assert {event for event, _ in GOLDEN} and {type(e) for e, _ in GOLDEN} == {
        spec.event for spec in KEY_TABLE
    }


def test_garbage_before_a_frame() -> None:
    parser = FrameParser()
    frames = parser.feed(b"\x00\x68\x16\x55\x68\x02" + encode_event(CallNext(1)))
    assert [decode_event(f) for f in frames] == [CallNext(1)]
    assert parser.dropped == 6
    assert parser.buffered == 0


def test_bad_checksum_then_good_frame() -> None:
    good = encode_event(Evaluate(9, 4))
    bad = good[:-2] + bytes([good[-2] ^ 0xFF]) + good[-1:]
    parser = FrameParser()
    assert [decode_event(f) for f in parser.feed(bad + good)] == [Evaluate(9, 4)]
    assert any("checksum" in issue for issue in parser.issues)


def test_mismatched_length_and_missing_terminator_resync() -> None:
    good = encode_event(Recall(2))
    parser = FrameParser()
    stream = b"\x68\x03\x04\x68\x01\x02" + good[:-1] + b"\x17" + good
    assert [decode_event(f) for f in parser.feed(stream)] == [Recall(2)]
    reasons = " ".join(parser.issues)
    assert "bad header" in reasons and "terminator" in reasons


def test_frames_split_across_reads() -> None:
    stream = encode_event(NoShow(4, "1234")) + encode_event(Transfer(4, 11))
    parser = FrameParser()
    events = []
    for byte in stream:
        events += [decode_event(f) for f in parser.feed(bytes([byte]))]
    assert events == [NoShow(4, "1234"), Transfer(4, 11)]


def test_preamble_is_optional_on_input() -> None:
    frame = encode_event(Pause(5))[1:]
    assert [f.address for f in FrameParser().feed(frame)] == [5]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (KeypadFrame(1, 0x42, b""), "unknown function 0x42"),
        (KeypadFrame(1, 0x03, b"\x06"), "rating must be one byte 1-5, got 06"),
        (KeypadFrame(1, 0x03, b""), "rating must be one byte 1-5, got nothing"),
        (KeypadFrame(1, 0x06, b"\x00"), "target window must be one byte 1-255"),
        (KeypadFrame(1, 0x07, b"1a"), "ticket must be 1-8 ASCII digits, got 31 61"),
        (KeypadFrame(1, 0x07, b"123456789"), "ticket must be 1-8 ASCII digits"),
        (KeypadFrame(1, 0x01, b"\x00"), "unexpected data 00"),
    ],
)
def test_bad_content_is_a_protocol_error(frame: KeypadFrame, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        decode_event(frame)


def test_encode_validates() -> None:
    with pytest.raises(ValueError, match="rating must be 1-5"):
        encode_event(Evaluate(1, 0))
    with pytest.raises(ValueError, match="digits only"):
        encode_event(NoShow(1, "A12"))
    with pytest.raises(ValueError, match="at most 253"):
        encode_frame(1, 1, bytes(254))


@given(st.binary(max_size=200))
def test_parser_never_raises_and_only_yields_checked_frames(data: bytes) -> None:
    for frame in FrameParser().feed(data):
        # every frame it yields re-encodes to a frame whose bytes occur in the input
        assert frame.raw[1:] in data


@given(st.binary(max_size=60), st.integers(0, 255), st.integers(0, 255), st.binary(max_size=20))
def test_fuzz_decode_raises_only_protocol_error(
    noise: bytes, address: int, function: int, data: bytes
) -> None:
    for frame in FrameParser().feed(noise + encode_frame(address, function, data)):
        try:
            event = decode_event(frame)
        except ProtocolError:
            continue
        assert event.address == address or frame.raw[1:] in noise


@given(st.binary(max_size=40), st.lists(st.integers(1, 30), max_size=8))
def test_frame_after_noise_is_found_in_any_chunking(noise: bytes, sizes: list[int]) -> None:
    real = encode_event(CallBack(7, "305"))
    # idle-line padding lets a false header that claims a long frame time out of the buffer
    stream = noise + real + bytes(300)
    parser = FrameParser()
    frames: list[KeypadFrame] = []
    position = 0
    for size in [*sizes, len(stream)]:
        frames += parser.feed(stream[position : position + size])
        position += size
    # the real frame (no 0x16 inside it) is found, unless noise forged a frame that runs
    # on to its terminator and swallowed it
    found = any(f.raw == real for f in frames)
    assert found or any(f.raw.endswith(real[-2:]) for f in frames)
