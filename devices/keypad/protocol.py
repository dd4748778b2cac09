"""Call keypads (呼叫器) and evaluators (评价器) on RS-485: frames and typed key events.

Frame (9600 8N1)::

    FF  68  LEN  LEN  68  ADDR  FUNC  DATA...  CS  16

Assumptions, stated because vendors publish no specification: the layout is the IEC
60870-5-1 FT1.2 variable-length frame (also M-Bus's) behind one 0xFF wake-up byte, and it is
read the FT1.2 way:

* ``LEN`` counts ADDR, FUNC and DATA: ``LEN = 2 + len(DATA)``.
* ``CS`` is the 8-bit sum (mod 256) of ADDR, FUNC and DATA: the bytes after the second 0x68 up
  to the last DATA byte; neither 0x68 nor LEN is included.  (DL/T 645 sums from its first
  0x68; a keypad built that way would differ by a constant, 0x68 or 0xD0 plus LEN: change
  :func:`checksum` alone.)
* The leading 0xFF is optional on input (a UART can lose it), always sent on output.
* The host acknowledges a frame by sending the same frame back (an echo).

The key codes live in :data:`KEY_TABLE` and nowhere else.  Keypads buffer the digits that a
clerk types and send them with the function key when OK is pressed, so "digits + OK"
arrives as one frame whose DATA holds the digits as ASCII.

Errors: :class:`FrameParser` never raises (bad bytes are dropped and counted);
:func:`decode_event` raises :class:`~devices.errors.ProtocolError` only.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal, cast

from devices.errors import ProtocolError

PREAMBLE = 0xFF
START = 0x68
END = 0x16
MIN_LEN = 2  # ADDR and FUNC
MAX_TICKET_DIGITS = 8


def checksum(body: bytes) -> int:
    """CS of a frame whose ADDR, FUNC and DATA are ``body``: their sum mod 256."""
    return sum(body) & 0xFF


def encode_frame(address: int, function: int, data: bytes = b"") -> bytes:
    """A whole frame, preamble included."""
    if not (0 <= address <= 0xFF and 0 <= function <= 0xFF):
        raise ValueError(f"address and function must be 0-255, got {address}, {function}")
    body = bytes([address, function]) + data
    if len(body) > 0xFF:
        raise ValueError(f"frame data is {len(data)} bytes, at most {0xFF - MIN_LEN}")
    size = len(body)
    return bytes([PREAMBLE, START, size, size, START]) + body + bytes([checksum(body), END])


@dataclass(frozen=True, slots=True)
class KeypadFrame:
    """One well-formed frame; ``raw`` is its canonical bytes (what the host echoes)."""

    address: int
    function: int
    data: bytes

    @property
    def raw(self) -> bytes:
        """The frame as sent on the wire, with the 0xFF preamble."""
        return encode_frame(self.address, self.function, self.data)


class FrameParser:
    """Streaming frame parser: resynchronises by dropping one byte and scanning again."""

    def __init__(self, max_issues: int = 100) -> None:
        self._buf = bytearray()
        self.dropped = 0  # bytes discarded (preamble bytes not counted)
        self.issues: deque[str] = deque(maxlen=max_issues)  # why bytes were dropped

    @property
    def buffered(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[KeypadFrame]:
        """Consume bytes; return every well-formed frame found, in order."""
        self._buf += data
        frames: list[KeypadFrame] = []
        buf = self._buf
        while buf:
            start = buf.find(START)
            if start < 0:
                self._skip(len(buf))
                break
            if start:
                self._skip(start)
            if len(buf) < 4:
                break
            size = buf[1]
            if buf[3] != START or buf[2] != size or size < MIN_LEN:
                self._reject(f"bad header {bytes(buf[:4]).hex(' ')}")
                continue
            total = 4 + size + 2
            if len(buf) < total:
                break
            body = bytes(buf[4 : 4 + size])
            if buf[total - 1] != END:
                self._reject(f"no 0x16 terminator after {size} bytes (0x{buf[total - 1]:02X})")
                continue
            if buf[total - 2] != checksum(body):
                self._reject(f"checksum 0x{buf[total - 2]:02X}, expected 0x{checksum(body):02X}")
                continue
            frames.append(KeypadFrame(body[0], body[1], body[2:]))
            del buf[:total]
        return frames

    def _skip(self, count: int) -> None:
        self.dropped += sum(1 for b in self._buf[:count] if b != PREAMBLE)
        del self._buf[:count]

    def _reject(self, reason: str) -> None:
        self.issues.append(reason)
        self.dropped += 1
        del self._buf[:1]


# --- key events ---


@dataclass(frozen=True, slots=True)
class CallNext:
    """呼叫: call the next ticket to this window."""

    address: int


@dataclass(frozen=True, slots=True)
class Recall:
    """重呼: call the current ticket again."""

    address: int


@dataclass(frozen=True, slots=True)
class Pause:
    """暂停: the window stops calling (staff away or busy)."""

    address: int


@dataclass(frozen=True, slots=True)
class Resume:
    """恢复: the window calls again."""

    address: int


@dataclass(frozen=True, slots=True)
class Evaluate:
    """评价: the citizen's rating, 1 (very dissatisfied) to 5 (very satisfied)."""

    address: int
    rating: int


@dataclass(frozen=True, slots=True)
class Transfer:
    """转移: send the current citizen on to another window without queuing again."""

    address: int
    target_window: int


@dataclass(frozen=True, slots=True)
class NoShow:
    """过号 (digits + OK): the ticket did not come when called."""

    address: int
    ticket: str


@dataclass(frozen=True, slots=True)
class Suspend:
    """挂起 (digits + OK): set the ticket aside (e.g. to fetch a document)."""

    address: int
    ticket: str


@dataclass(frozen=True, slots=True)
class CallBack:
    """回呼 (digits + OK): call a suspended or passed ticket by its number."""

    address: int
    ticket: str


KeyEvent = CallNext | Recall | Pause | Resume | Evaluate | Transfer | NoShow | Suspend | CallBack
DataKind = Literal["none", "rating", "window", "ticket"]


@dataclass(frozen=True, slots=True)
class KeySpec:
    """One row of the key-code table."""

    function: int
    event: type[KeyEvent]
    data: DataKind


# The key-code table: FUNC byte, event, and what DATA holds.
#   none   - no DATA
#   rating - one byte 1-5
#   window - one byte, target window 1-255
#   ticket - 1-8 ASCII digits typed before OK
KEY_TABLE: tuple[KeySpec, ...] = (
    KeySpec(0x01, CallNext, "none"),
    KeySpec(0x02, Recall, "none"),
    KeySpec(0x03, Evaluate, "rating"),
    KeySpec(0x04, Pause, "none"),
    KeySpec(0x05, Resume, "none"),
    KeySpec(0x06, Transfer, "window"),
    KeySpec(0x07, NoShow, "ticket"),
    KeySpec(0x08, Suspend, "ticket"),
    KeySpec(0x09, CallBack, "ticket"),
)
BY_FUNCTION = {spec.function: spec for spec in KEY_TABLE}
BY_EVENT = {spec.event: spec for spec in KEY_TABLE}


def _one_byte(frame: KeypadFrame, what: str, low: int, high: int) -> int:
    if len(frame.data) != 1 or not low <= frame.data[0] <= high:
        raise ProtocolError(
            f"keypad {frame.address} function 0x{frame.function:02X}: {what} must be one byte "
            f"{low}-{high}, got {frame.data.hex(' ') or 'nothing'}"
        )
    return frame.data[0]


def _ticket(frame: KeypadFrame) -> str:
    data = frame.data
    if not 1 <= len(data) <= MAX_TICKET_DIGITS or not all(0x30 <= b <= 0x39 for b in data):
        raise ProtocolError(
            f"keypad {frame.address} function 0x{frame.function:02X}: ticket must be "
            f"1-{MAX_TICKET_DIGITS} ASCII digits, got {data.hex(' ') or 'nothing'}"
        )
    return data.decode("ascii")


def decode_event(frame: KeypadFrame) -> KeyEvent:
    """The key event a frame carries; ProtocolError for an unknown key or malformed DATA."""
    spec = BY_FUNCTION.get(frame.function)
    if spec is None:
        raise ProtocolError(f"keypad {frame.address}: unknown function 0x{frame.function:02X}")
    if spec.data == "none":
        if frame.data:
            raise ProtocolError(
                f"keypad {frame.address} function 0x{frame.function:02X}: "
                f"unexpected data {frame.data.hex(' ')}"
            )
        return cast("type[CallNext | Recall | Pause | Resume]", spec.event)(frame.address)
    if spec.data == "rating":
        return Evaluate(frame.address, _one_byte(frame, "rating", 1, 5))
    if spec.data == "window":
        return Transfer(frame.address, _one_byte(frame, "target window", 1, 255))
    return cast("type[NoShow | Suspend | CallBack]", spec.event)(frame.address, _ticket(frame))


def encode_event(event: KeyEvent) -> bytes:
    """The frame a keypad sends for ``event`` (simulators and tests)."""
    spec = BY_EVENT[type(event)]
    if isinstance(event, Evaluate):
        if not 1 <= event.rating <= 5:
            raise ValueError(f"rating must be 1-5, got {event.rating}")
        data = bytes([event.rating])
    elif isinstance(event, Transfer):
        if not 1 <= event.target_window <= 255:
            raise ValueError(f"target window must be 1-255, got {event.target_window}")
        data = bytes([event.target_window])
    elif isinstance(event, NoShow | Suspend | CallBack):
        if not (1 <= len(event.ticket) <= MAX_TICKET_DIGITS and event.ticket.isascii()):
            raise ValueError(f"ticket must be 1-{MAX_TICKET_DIGITS} digits, got {event.ticket!r}")
        if not event.ticket.isdigit():
            raise ValueError(f"ticket must be digits only, got {event.ticket!r}")
        data = event.ticket.encode("ascii")
    else:
        data = b""
    return encode_frame(event.address, spec.function, data)
