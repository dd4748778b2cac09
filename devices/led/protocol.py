"""Window LED board frames (RS-485, no answer) and Modbus RTU for cheap numeric displays.

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

from devices.errors import ProtocolError

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


# --- Modbus RTU (9600 8N1, unit 1): register 0 = value, registers 0x80.. = segment bytes ---

WRITE_SINGLE = 0x06
WRITE_MULTIPLE = 0x10
VALUE_REGISTER = 0x0000
SEGMENT_REGISTER = 0x0080
MAX_SEGMENTS = 16


def crc16(data: bytes) -> int:
    """Modbus CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF); sent low byte first."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def with_crc(body: bytes) -> bytes:
    """Append the CRC, low byte first."""
    crc = crc16(body)
    return body + bytes([crc & 0xFF, crc >> 8])


def _check_unit(unit: int) -> None:
    if not 1 <= unit <= 247:
        raise ValueError(f"Modbus unit must be 1-247, got {unit}")


def write_register(unit: int, register: int, value: int) -> bytes:
    """Function 0x06: write one holding register."""
    _check_unit(unit)
    if not (0 <= register <= 0xFFFF and 0 <= value <= 0xFFFF):
        raise ValueError(f"register and value must be 0-65535, got {register}, {value}")
    return with_crc(bytes([unit, WRITE_SINGLE]) + register.to_bytes(2) + value.to_bytes(2))


def write_registers(unit: int, start: int, values: list[int]) -> bytes:
    """Function 0x10: write consecutive holding registers."""
    _check_unit(unit)
    if not 1 <= len(values) <= 123:
        raise ValueError(f"write 1-123 registers at once, got {len(values)}")
    if any(not 0 <= v <= 0xFFFF for v in values):
        raise ValueError("register values must be 0-65535")
    payload = b"".join(v.to_bytes(2) for v in values)
    head = bytes([unit, WRITE_MULTIPLE]) + start.to_bytes(2) + len(values).to_bytes(2)
    return with_crc(head + bytes([len(payload)]) + payload)


def display_value(value: int, unit: int = 1) -> bytes:
    """Show a number (0-65535) on a numeric display: register 0."""
    return write_register(unit, VALUE_REGISTER, value)


def display_segments(segments: bytes, unit: int = 1) -> bytes:
    """Raw segment patterns, one digit per register from 0x80 (low byte; assumption)."""
    if not 1 <= len(segments) <= MAX_SEGMENTS:
        raise ValueError(f"1-{MAX_SEGMENTS} segment bytes, got {len(segments)}")
    return write_registers(unit, SEGMENT_REGISTER, list(segments))


@dataclass(frozen=True, slots=True)
class ModbusAck:
    """A write confirmed: register and value (0x06) or start and quantity (0x10)."""

    unit: int
    function: int
    register: int
    value: int


class ModbusDeviceError(ProtocolError):
    """The display answered with a Modbus exception (it refused the request)."""

    def __init__(self, function: int, code: int) -> None:
        super().__init__(f"Modbus exception {code} to function 0x{function:02X}")
        self.function = function
        self.code = code


def parse_response(request: bytes, data: bytes) -> ModbusAck | None:
    """The answer to ``request`` from bytes read so far; None means "need more bytes"."""
    if len(data) < 2:
        return None
    if data[0] != request[0]:
        raise ProtocolError(f"answer from unit {data[0]}, expected unit {request[0]}")
    function = data[1]
    length = 5 if function & 0x80 else 8
    if len(data) < length:
        return None
    frame = data[:length]
    if crc16(frame[:-2]) != int.from_bytes(frame[-2:], "little"):
        raise ProtocolError(f"bad CRC in Modbus answer {frame.hex(' ')}")
    if function == request[1] | 0x80:
        raise ModbusDeviceError(request[1], frame[2])
    if function != request[1]:
        raise ProtocolError(f"answer function 0x{function:02X} to request 0x{request[1]:02X}")
    if frame[2:6] != request[2:6]:
        raise ProtocolError(f"answer {frame.hex(' ')} does not echo request {request.hex(' ')}")
    return ModbusAck(frame[0], function, int.from_bytes(frame[2:4]), int.from_bytes(frame[4:6]))


@dataclass(frozen=True, slots=True)
class ModbusWrite:
    """A decoded write request (simulators)."""

    unit: int
    function: int
    start: int
    values: tuple[int, ...]


def decode_request(buf: bytes) -> tuple[ModbusWrite | None, int]:
    """Decode a write request at the start of ``buf``: (request, bytes used), (None, 0) = wait.

    Raises ProtocolError for an unsupported function or a bad CRC; the caller drops one byte.
    """
    if len(buf) < 2:
        return None, 0
    function = buf[1]
    if function == WRITE_SINGLE:
        length = 8
    elif function == WRITE_MULTIPLE:
        if len(buf) < 7:
            return None, 0
        length = 9 + buf[6]
    else:
        raise ProtocolError(f"unsupported Modbus function 0x{function:02X}")
    if len(buf) < length:
        return None, 0
    frame = buf[:length]
    if crc16(frame[:-2]) != int.from_bytes(frame[-2:], "little"):
        raise ProtocolError(f"bad CRC in Modbus request {frame.hex(' ')}")
    start = int.from_bytes(frame[2:4])
    if function == WRITE_SINGLE:
        values: tuple[int, ...] = (int.from_bytes(frame[4:6]),)
    else:
        count = int.from_bytes(frame[4:6])
        if frame[6] != 2 * count:
            raise ProtocolError(f"byte count {frame[6]} does not match {count} registers")
        values = tuple(int.from_bytes(frame[7 + 2 * i : 9 + 2 * i]) for i in range(count))
    return ModbusWrite(frame[0], function, start, values), length
