"""Window board frames, byte for byte."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.led.protocol import (
    WindowFrameParser,
    encode_window_frame,
    mode_byte,
)


def test_window_frame_golden() -> None:
    frame = encode_window_frame(3, "请A012号到3号窗口")
    assert frame == (
        b"\x01\x03\x20"
        + bytes.fromhex("c7eb")  # 请
        + b"A012"
        + bytes.fromhex("bac5 b5bd")  # 号到
        + b"3"
        + bytes.fromhex("bac5 b4b0 bfda")  # 号窗口
        + b"\x07"
    )


def test_modes() -> None:
    assert mode_byte() == 0x20
    assert mode_byte(blink=True) == 0x21
    assert mode_byte(times=3) == 0x23
    assert encode_window_frame(9, "A", mode_byte(times=2))[2] == 0x22
    with pytest.raises(ValueError, match="blink times must be 2-9"):
        mode_byte(times=1)


@pytest.mark.parametrize("address", [0, 255, -1])
def test_address_range(address: int) -> None:
    with pytest.raises(ValueError, match=f"address must be 1-254, got {address}"):
        encode_window_frame(address, "A")


def test_text_length_is_counted_in_encoded_bytes() -> None:
    assert len(encode_window_frame(1, "窗" * 32)) == 3 + 64 + 1
    with pytest.raises(ValueError, match="66 bytes encoded, at most 64"):
        encode_window_frame(1, "窗" * 33)
    assert encode_window_frame(1, "窗" * 40, max_text_bytes=80)


def test_delimiter_bytes_in_text_are_refused() -> None:
    with pytest.raises(ValueError, match="byte 0x07 at encoded offset 2"):
        encode_window_frame(1, "窗\x07")
    with pytest.raises(ValueError, match="byte 0x01 at encoded offset 0"):
        encode_window_frame(1, "\x01")


def test_gb2312_strict_refuses_gbk_only_characters() -> None:
    assert encode_window_frame(1, "镕")  # GBK has it
    with pytest.raises(ValueError, match=r"'镕'.*position 1 is not in GB2312"):
        encode_window_frame(1, "朱镕", strict_gb2312=True)
    with pytest.raises(ValueError, match="not in GBK"):
        encode_window_frame(1, "😀")


def test_parser_garbage_split_and_restart() -> None:
    parser = WindowFrameParser()
    good = encode_window_frame(1, "暂停服务", mode_byte(blink=True))
    other = encode_window_frame(7, "B001")
    stream = b"\xff\x55" + good[:4] + b"\x01\x02\x99" + other + good
    frames = []
    for i in range(0, len(stream), 3):
        frames += parser.feed(stream[i : i + 3])
    assert [(f.address, f.text, f.blinking) for f in frames] == [
        (7, "B001", False),
        (1, "暂停服务", True),
    ]
    assert parser.dropped == 2 + 4 + 3


@given(st.binary(max_size=300))
def test_parser_never_raises(data: bytes) -> None:
    parser = WindowFrameParser()
    for frame in parser.feed(data):
        assert 0x20 <= frame.mode <= 0x29


@given(st.integers(1, 254), st.text(alphabet="窗口号请到ABC0123456789", max_size=30))
def test_round_trip(address: int, text: str) -> None:
    assert WindowFrameParser().feed(encode_window_frame(address, text))[0].text == text
