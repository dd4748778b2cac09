"""Call keypads (呼叫器) and evaluators (评价器) on RS-485: the frame layer.

Frame (9600 8N1 unless configured otherwise), as hall queue systems use it::

    FF  68  LEN  LEN  68  ADDR  FUNC  DATA...  CS  16

* ``LEN`` counts ADDR, FUNC and DATA: ``LEN = 2 + len(DATA)``; both LEN bytes must match.
  Keypads and evaluators send at most ``LEN = 5`` (:data:`MAX_KEYPAD_LEN`); the host's display
  frames are longer (LEN 8).
* ``CS`` is the 8-bit sum (mod 256) of ADDR, FUNC and DATA; neither 0x68 nor LEN is included.
  Example, the call key of keypad 3: ``ff 68 03 03 68 03 01 0c 10 16`` (0x03 + 0x01 + 0x0c).
* The leading 0xFF is optional on input (a UART can lose it), always sent on output.
* The host acknowledges a frame by sending it back (an echo; see `devices.keypad.keys` for
  the evaluator's variant).

What the bytes of DATA mean (which key, which score) is in `devices.keypad.keys`, as data.

Errors: :class:`FrameParser` never raises (bad bytes are dropped and counted).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

PREAMBLE = 0xFF
START = 0x68
END = 0x16
MIN_LEN = 2  # ADDR and FUNC
MAX_KEYPAD_LEN = 5  # the longest frame a keypad or evaluator sends
MAX_LEN = 0xFF


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

    def __init__(self, max_issues: int = 100, max_len: int = MAX_LEN) -> None:
        self.max_len = max_len  # longer frames are refused (MAX_KEYPAD_LEN on the host side)
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
            if buf[3] != START or buf[2] != size or not MIN_LEN <= size <= self.max_len:
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
