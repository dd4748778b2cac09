"""Keypad frames byte for byte for every key table, the resynchronising parser, the key
tables, acknowledgements and the numbers shown on a keypad's display."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.keypad.keys import (
    DEFAULT_TABLE,
    KeyEvent,
    KeyPress,
    KeyTable,
    Score,
    acknowledgement,
    decode_display,
    decode_event,
    display_frame,
    encode_event,
)
from devices.keypad.protocol import MAX_KEYPAD_LEN, FrameParser, KeypadFrame, encode_frame

# The layout hall queue systems use: FUNC 0x01, the key code in the last DATA byte, digits
# before it; evaluators under FUNC 0x11. The first row is the reference call frame.
GOLDEN: list[tuple[KeyEvent, str]] = [
    (KeyPress(3, "call"), "ff 68 03 03 68 03 01 0c 10 16"),
    (KeyPress(3, "recall"), "ff 68 03 03 68 03 01 0d 11 16"),
    (KeyPress(3, "evaluate"), "ff 68 03 03 68 03 01 0b 0f 16"),
    (KeyPress(3, "pause"), "ff 68 03 03 68 03 01 12 16 16"),
    (KeyPress(3, "transfer"), "ff 68 03 03 68 03 01 13 17 16"),
    (KeyPress(3, "transfer", (5,)), "ff 68 04 04 68 03 01 05 13 1c 16"),
    (KeyPress(3, "transfer", (1, 2)), "ff 68 05 05 68 03 01 01 02 13 1a 16"),
    (KeyPress(3, "no_show"), "ff 68 04 04 68 03 01 06 0f 19 16"),
    (KeyPress(3, "suspend"), "ff 68 04 04 68 03 01 00 0f 13 16"),
    (KeyPress(3, "call_back"), "ff 68 04 04 68 03 01 03 0f 16 16"),
    (Score(103, 0x00, 5), "ff 68 03 03 68 67 11 00 78 16"),
    (Score(103, 0x03, 1), "ff 68 03 03 68 67 11 03 7b 16"),
]

# Another vendor's codes, as a hall file's [queue_devices.keypad_codes] gives them: key
# presses under FUNC 0x05, no OK key (its three functions have keys of their own), scores
# 1-5 under FUNC 0x30, acknowledged by a plain echo; display under FUNC 0x06, blank 0x0F.
VENDOR = KeyTable(
    key_function=0x05,
    keys={
        0x21: "call",
        0x22: "recall",
        0x23: "evaluate",
        0x24: "pause",
        0x25: "transfer",
        0x26: "no_show",
        0x27: "suspend",
        0x28: "call_back",
    },
    ok_key=None,
    ok_digits={},
    score_function=0x30,
    score_ack_function=0x30,
    scores={1: 1, 2: 2, 3: 3, 4: 4, 5: 5},
    display_function=0x06,
    display_blank=0x0F,
)
VENDOR_GOLDEN: list[tuple[KeyEvent, str]] = [
    (KeyPress(7, "call"), "ff 68 03 03 68 07 05 21 2d 16"),
    (KeyPress(7, "recall"), "ff 68 03 03 68 07 05 22 2e 16"),
    (KeyPress(7, "evaluate"), "ff 68 03 03 68 07 05 23 2f 16"),
    (KeyPress(7, "pause"), "ff 68 03 03 68 07 05 24 30 16"),
    (KeyPress(7, "transfer", (9,)), "ff 68 04 04 68 07 05 09 25 3a 16"),
    (KeyPress(7, "no_show"), "ff 68 03 03 68 07 05 26 32 16"),
    (KeyPress(7, "suspend"), "ff 68 03 03 68 07 05 27 33 16"),
    (KeyPress(7, "call_back"), "ff 68 03 03 68 07 05 28 34 16"),
    (Score(8, 4, 4), "ff 68 03 03 68 08 30 04 3c 16"),
]
TABLES = [(DEFAULT_TABLE, e, w) for e, w in GOLDEN] + [(VENDOR, e, w) for e, w in VENDOR_GOLDEN]


@pytest.mark.parametrize(("table", "event", "wire"), TABLES)
def test_golden_frames(table: KeyTable, event: KeyEvent, wire: str) -> None:
    assert encode_event(event, table) == bytes.fromhex(wire)
    frames = FrameParser(max_len=MAX_KEYPAD_LEN).feed(bytes.fromhex(wire))
    assert [decode_event(f, table) for f in frames] == [event]


def test_every_action_of_each_table_has_a_golden_frame() -> None:
    for table, golden in ((DEFAULT_TABLE, GOLDEN), (VENDOR, VENDOR_GOLDEN)):
        pressed = {e.action for e, _ in golden if isinstance(e, KeyPress)}
        assert pressed == {*table.keys.values(), *table.ok_digits.values()}
        assert any(isinstance(e, Score) for e, _ in golden)


@pytest.mark.parametrize(
    ("table", "wire", "ack"),
    [
        # a key is acknowledged by its echo; a score under FUNC 0x01, as hall hosts answer
        (DEFAULT_TABLE, "ff 68 03 03 68 03 01 0c 10 16", "ff 68 03 03 68 03 01 0c 10 16"),
        (DEFAULT_TABLE, "ff 68 03 03 68 67 11 00 78 16", "ff 68 03 03 68 67 01 00 68 16"),
        (VENDOR, "ff 68 03 03 68 08 30 04 3c 16", "ff 68 03 03 68 08 30 04 3c 16"),
    ],
)
def test_acknowledgements(table: KeyTable, wire: str, ack: str) -> None:
    [frame] = FrameParser().feed(bytes.fromhex(wire))
    assert acknowledgement(frame, table) == bytes.fromhex(ack)


@pytest.mark.parametrize(
    ("table", "address", "number", "waiting", "wire", "shown"),
    [
        # the called number in the last three digits, the first three blank (0x0A)
        (DEFAULT_TABLE, 3, 12, None, "ff 68 08 08 68 03 02 0a 0a 0a 00 01 02 26 16", (None, "012")),
        # after a citizen leaves: the waiting count in the first three digits
        (DEFAULT_TABLE, 3, None, 5, "ff 68 08 08 68 03 02 00 00 05 0a 0a 0a 28 16", ("005", None)),
        (
            DEFAULT_TABLE,
            3,
            1234,
            1500,
            "ff 68 08 08 68 03 02 09 09 09 02 03 04 29 16",
            ("999", "234"),
        ),
        (VENDOR, 7, 7, None, "ff 68 08 08 68 07 06 0f 0f 0f 00 00 07 41 16", (None, "007")),
    ],
)
def test_display_frames(
    table: KeyTable,
    address: int,
    number: int | None,
    waiting: int | None,
    wire: str,
    shown: tuple[str | None, str | None],
) -> None:
    frame = display_frame(address, number=number, waiting=waiting, table=table)
    assert frame == bytes.fromhex(wire)
    [parsed] = FrameParser().feed(frame)
    assert decode_display(parsed, table) == shown


def test_table_refuses_what_would_be_ambiguous() -> None:
    with pytest.raises(ValueError, match="actions with two keys: call"):
        KeyTable(keys={0x0C: "call", 0x0E: "call"})
    with pytest.raises(ValueError, match="is a digit"):
        KeyTable(keys={0x05: "call"})
    with pytest.raises(ValueError, match="rating must be 1-5, got 7"):
        KeyTable(scores={0: 7})
    with pytest.raises(ValueError, match="ok_key 0x0C is also the call key"):
        KeyTable(ok_key=0x0C)
    with pytest.raises(ValueError, match="display_blank 0x05 would show as a digit"):
        KeyTable(display_blank=0x05)


def test_garbage_before_a_frame() -> None:
    parser = FrameParser()
    frames = parser.feed(b"\x00\x68\x16\x55\x68\x02" + encode_event(KeyPress(1, "call")))
    assert [decode_event(f) for f in frames] == [KeyPress(1, "call")]
    assert parser.dropped == 6
    assert parser.buffered == 0


def test_bad_checksum_then_good_frame() -> None:
    good = encode_event(Score(9, 1, 4))
    bad = good[:-2] + bytes([good[-2] ^ 0xFF]) + good[-1:]
    parser = FrameParser()
    assert [decode_event(f) for f in parser.feed(bad + good)] == [Score(9, 1, 4)]
    assert any("checksum" in issue for issue in parser.issues)


def test_mismatched_length_and_missing_terminator_resync() -> None:
    good = encode_event(KeyPress(2, "recall"))
    parser = FrameParser()
    stream = b"\x68\x03\x04\x68\x01\x02" + good[:-1] + b"\x17" + good
    assert [decode_event(f) for f in parser.feed(stream)] == [KeyPress(2, "recall")]
    reasons = " ".join(parser.issues)
    assert "bad header" in reasons and "terminator" in reasons


def test_keypad_side_refuses_frames_longer_than_five() -> None:
    long = encode_frame(1, 0x01, bytes([1, 2, 3, 0x0C]))  # LEN 6
    parser = FrameParser(max_len=MAX_KEYPAD_LEN)
    assert parser.feed(long) == []
    assert any("bad header" in issue for issue in parser.issues)


def test_frames_split_across_reads() -> None:
    stream = encode_event(KeyPress(4, "no_show")) + encode_event(KeyPress(4, "transfer", (1, 1)))
    parser = FrameParser()
    events = []
    for byte in stream:
        events += [decode_event(f) for f in parser.feed(bytes([byte]))]
    assert events == [KeyPress(4, "no_show"), KeyPress(4, "transfer", (1, 1))]
    assert events[1].number == 11  # type: ignore[union-attr]


def test_preamble_is_optional_on_input() -> None:
    frame = encode_event(KeyPress(5, "pause"))[1:]
    assert [f.address for f in FrameParser().feed(frame)] == [5]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (KeypadFrame(1, 0x42, b"\x0c"), "unknown function"),
        (KeypadFrame(1, 0x01, b""), "no DATA byte"),
        (KeypadFrame(1, 0x01, b"\x42"), "unknown key 0x42"),
        (KeypadFrame(1, 0x01, b"\x0f"), "OK needs exactly one digit"),
        (KeypadFrame(1, 0x01, b"\x09\x0f"), "no function for digit 9"),
        (KeypadFrame(1, 0x01, b"\x31\x0c"), "must be digits 0-9"),
        (KeypadFrame(1, 0x11, b"\x09"), "unknown score 0x09"),
    ],
)
def test_bad_content_is_a_protocol_error(frame: KeypadFrame, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        decode_event(frame)


def test_encode_validates() -> None:
    with pytest.raises(ValueError, match="no key for 'pause'"):
        encode_event(KeyPress(1, "pause"), KeyTable(keys={0x0C: "call"}))
    with pytest.raises(ValueError, match="digits 0-9 before a key"):
        encode_event(KeyPress(1, "transfer", (1, 2, 3, 4)))
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
    real = encode_event(KeyPress(7, "call_back"))
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
