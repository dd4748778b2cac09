"""Window LED board frames (RS-485, no answer).

Window board frame: ``0x01, address, mode, text, 0x07``; no checksum and no reply.  Boundaries
come from the two delimiters only, so the text must not contain 0x01 or 0x07 once encoded.

Text encoding: GBK.  GBK encodes every GB2312 character with the same two bytes, so a board
whose font holds only GB2312 shows the same thing; ``strict_gb2312=True`` refuses the GBK-only
characters such a board cannot show.  GBK lead bytes are 0x81-0xFE and trail bytes 0x40-0xFE,
so only an ASCII control character in the text can produce a delimiter byte.

Mode byte (assumption, board firmware varies): 0x20 steady, 0x21 blinking until replaced,
0x20 + n for "blink n times then stay steady" with n = 2..9 (0x22..0x29).
"""

from __future__ import annotations

from dataclasses import dataclass

FRAME_START = 0x01
FRAME_END = 0x07
MODE_STEADY = 0x20
MODE_BLINK = 0x21
BLINK_TIMES_MIN, BLINK_TIMES_MAX = 2, 9
ADDRESS_MIN, ADDRESS_MAX = 1, 254  # 0 and 255 are broadcast / reserved on most boards
DEFAULT_MAX_TEXT_BYTES = 64
PARSER_MAX_TEXT_BYTES = 1024  # the simulator gives up on a frame longer than this


def mode_byte(*, blink: bool = False, times: int | None = None) -> int:
    """The mode byte: steady, blinking, or blinking ``times`` times (2-9)."""
    if times is None:
        return MODE_BLINK if blink else MODE_STEADY
    if not BLINK_TIMES_MIN <= times <= BLINK_TIMES_MAX:
        raise ValueError(f"blink times must be {BLINK_TIMES_MIN}-{BLINK_TIMES_MAX}, got {times}")
    return MODE_STEADY + times


def is_mode(value: int) -> bool:
    """True for a mode byte this module can produce."""
    return MODE_STEADY <= value <= MODE_STEADY + BLINK_TIMES_MAX


@dataclass(frozen=True, slots=True)
class WindowFrame:
    """One frame for a window board (what it shows)."""

    address: int
    mode: int
    text: str

    @property
    def blinking(self) -> bool:
        """True when the board blinks (for ever or n times)."""
        return self.mode != MODE_STEADY

    @property
    def blink_times(self) -> int | None:
        """How many times to blink, None for steady or blinking for ever."""
        return self.mode - MODE_STEADY if self.mode > MODE_BLINK else None


def encode_board_text(text: str, *, strict_gb2312: bool = False) -> bytes:
    """GBK bytes of ``text``; raises ValueError naming the first character that cannot go."""
    codec = "gb2312" if strict_gb2312 else "gbk"
    for pos, char in enumerate(text):
        try:
            char.encode(codec)
        except UnicodeEncodeError:
            raise ValueError(
                f"board text: character {char!r} (U+{ord(char):04X}) at position {pos} "
                f"is not in {codec.upper()}"
            ) from None
    data = text.encode(codec)
    for pos, byte in enumerate(data):
        if byte in (FRAME_START, FRAME_END):
            raise ValueError(
                f"board text: byte 0x{byte:02X} at encoded offset {pos} would end the frame"
            )
    return data


def encode_window_frame(
    address: int,
    text: str,
    mode: int = MODE_STEADY,
    *,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    strict_gb2312: bool = False,
) -> bytes:
    """``01 address mode text 07`` for one window board."""
    if not ADDRESS_MIN <= address <= ADDRESS_MAX:
        raise ValueError(f"board address must be {ADDRESS_MIN}-{ADDRESS_MAX}, got {address}")
    if not is_mode(mode):
        raise ValueError(f"unknown board mode byte 0x{mode:02X}")
    data = encode_board_text(text, strict_gb2312=strict_gb2312)
    if len(data) > max_text_bytes:
        raise ValueError(
            f"board text for address {address} is {len(data)} bytes encoded, "
            f"at most {max_text_bytes} allowed: {text!r}"
        )
    return bytes([FRAME_START, address, mode]) + data + bytes([FRAME_END])


class WindowFrameParser:
    """Streaming parser for board frames (simulators): resynchronises on the next 0x01."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self.dropped = 0  # bytes thrown away while resynchronising

    @property
    def buffered(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[WindowFrame]:
        """Consume bytes; return every complete, well-formed frame."""
        self._buf += data
        frames: list[WindowFrame] = []
        while self._buf:
            start = self._buf.find(FRAME_START)
            if start < 0:
                self.dropped += len(self._buf)
                self._buf.clear()
                break
            if start:
                self.dropped += start
                del self._buf[:start]
            if len(self._buf) < 3:
                break
            if not is_mode(self._buf[2]):
                self._drop(1)
                continue
            end = self._buf.find(FRAME_END, 3)
            restart = self._buf.find(FRAME_START, 3)
            if 0 <= restart < end or (end < 0 and restart >= 0):
                self._drop(restart)  # a new frame began before this one ended
                continue
            if end < 0:
                if len(self._buf) > PARSER_MAX_TEXT_BYTES + 3:
                    self._drop(1)
                    continue
                break
            text = bytes(self._buf[3:end]).decode("gbk", errors="replace")
            frames.append(WindowFrame(self._buf[1], self._buf[2], text))
            del self._buf[: end + 1]
        return frames

    def _drop(self, count: int) -> None:
        self.dropped += count
        del self._buf[:count]
