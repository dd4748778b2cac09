"""Line framing for serial punch readers: a streaming parser from bytes to punches.

Theory of operation. A reader sends one ASCII line per punch, by default
``PIN,YYYY-MM-DD HH:MM:SS[,verify]`` ended by LF (a CR before it is ignored). The serial line
is not reliable: pyserial silently drops bytes with parity or framing errors, cables pick up
noise, a reader reset cuts a line short. So frame boundaries come from the protocol only,
and the parser:

- buffers bytes until a terminator arrives ("need more bytes" is the normal answer: ``feed``
  returns an empty list);
- decodes each complete line; a line that does not parse is searched for the leftmost
  position after a non-PIN byte where a valid record starts (noise glued in front of a
  record), and the skipped prefix is reported as a ``BadRecord``;
- bounds memory: a line longer than ``max_line`` keeps only its last ``max_line`` bytes and
  the dropped count is reported once the line ends.

A reader that can mark record starts (e.g. STX, ``start=b"\\x02"``) makes resynchronisation
exact; without a marker, noise ending in PIN characters cannot be told from the PIN itself.
Bad input never raises: it comes out as ``BadRecord`` events, and good records are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from devices.events import BadRecord, Punch

DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")
DEFAULT_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_DEFAULT_TIME_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")
_VERIFY_RE = re.compile(r"[0-9]{1,3}")

Event = Punch | BadRecord


@dataclass(frozen=True, slots=True)
class LineFormat:
    """How a reader frames a punch; the defaults read ``1001,2024-03-04 08:00:00,1\\n``."""

    separator: str = ","
    time_format: str = DEFAULT_TIME_FORMAT
    terminator: bytes = b"\n"
    start: bytes = b""
    pin_alphabet: str = "0123456789"
    pin_max: int = 24
    max_line: int = 128

    def __post_init__(self) -> None:
        if not self.separator or not self.separator.isascii():
            raise ValueError("separator must be a non-empty ASCII string")
        if not self.terminator:
            raise ValueError("terminator must not be empty")
        if self.separator.encode() in self.terminator or self.terminator in self.start:
            raise ValueError("separator and start marker must differ from the terminator")
        if set(self.separator) & set(self.pin_alphabet):
            raise ValueError("separator characters must not be PIN characters")
        if not self.pin_alphabet or not self.pin_alphabet.isascii() or self.pin_max < 1:
            raise ValueError("PIN alphabet must be non-empty ASCII and pin_max >= 1")
        if self.max_line < 32:
            raise ValueError(f"max_line must be at least 32 bytes, got {self.max_line}")

    def encode(self, pin: str, local_time: datetime, verify: int | None = None) -> bytes:
        """One record as a reader sends it (``local_time`` is the reader's wall clock)."""
        fields = [pin, local_time.strftime(self.time_format)]
        if verify is not None:
            fields.append(str(verify))
        return self.start + self.separator.join(fields).encode("ascii") + self.terminator


class StreamParser:
    """Feed bytes from a serial port; get Punches and BadRecords out, in stream order."""

    def __init__(
        self, device_sn: str, zone: tzinfo = DEFAULT_ZONE, fmt: LineFormat | None = None
    ) -> None:
        self.device_sn = device_sn
        self.zone = zone
        self.fmt = fmt if fmt is not None else LineFormat()
        self._pin_bytes = frozenset(self.fmt.pin_alphabet.encode("ascii"))
        self._buf = bytearray()
        self._dropped = 0
        self._dropped_sample = b""
        self.lines = 0

    @property
    def buffered(self) -> int:
        """Bytes held while waiting for a terminator (never more than ``max_line``)."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Event]:
        """Add bytes from the port; return the events of every line they complete."""
        self._buf += data
        events: list[Event] = []
        term, limit = self.fmt.terminator, self.fmt.max_line
        while (end := self._buf.find(term)) >= 0:
            if end > limit:
                self._drop(bytes(self._buf[: end - limit]))
                del self._buf[: end - limit]
                end = limit
            line = bytes(self._buf[:end])
            del self._buf[: end + len(term)]
            self.lines += 1
            events.extend(self._line(line))
        if len(self._buf) > limit:
            # A record may still start in the tail: keep it, drop the head.
            cut = len(self._buf) - limit
            self._drop(bytes(self._buf[:cut]))
            del self._buf[:cut]
        return events

    def flush(self) -> list[BadRecord]:
        """Give up on a partial line (e.g. the port closed): report and forget it."""
        partial = bytes(self._buf)
        self._buf.clear()
        events: list[BadRecord] = []
        if partial.strip() or self._dropped:
            self.lines += 1
            events.append(self._noise(partial, "line cut off when the port closed"))
        return events

    def _drop(self, chunk: bytes) -> None:
        if not self._dropped_sample:
            self._dropped_sample = chunk[: self.fmt.max_line]
        self._dropped += len(chunk)

    def _noise(self, raw: bytes, what: str) -> BadRecord:
        """A BadRecord for skipped bytes, folding in bytes dropped from an overlong line."""
        count = len(raw) + self._dropped
        if self._dropped:
            raw = self._dropped_sample + raw[: self.fmt.max_line]
            what += " (overlong line)"
        self._dropped, self._dropped_sample = 0, b""
        return BadRecord(self.device_sn, raw, f"line {self.lines}: {what}: {count} bytes")

    def _line(self, line: bytes) -> list[Event]:
        line = line.rstrip(b"\r")
        start = self.fmt.start
        if start:
            pos = line.rfind(start)
            if pos < 0:
                if line.strip() or self._dropped:
                    return [self._noise(line, "no start marker, skipped")]
                return []
            return self._with_prefix(line[:pos], line[pos + len(start) :])
        if not line.strip():
            return [self._noise(line, "noise skipped")] if self._dropped else []
        try:
            return self._with_prefix(b"", line)
        except ValueError as first_error:
            for index in range(1, len(line)):
                if line[index] in self._pin_bytes and line[index - 1] not in self._pin_bytes:
                    try:
                        return self._with_prefix(line[:index], line[index:])
                    except ValueError:
                        continue
            if self._dropped:
                return [self._noise(line, f"{first_error}, line skipped")]
            return [BadRecord(self.device_sn, line, f"line {self.lines}: {first_error}")]

    def _with_prefix(self, prefix: bytes, record: bytes) -> list[Event]:
        """Decode ``record`` (raising ValueError); report ``prefix`` as skipped noise."""
        punch = self._record(record)
        events: list[Event] = []
        if prefix.strip() or self._dropped:
            events.append(self._noise(prefix, "noise before a record skipped"))
        events.append(punch)
        return events

    def _record(self, raw: bytes) -> Punch:
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            raise ValueError("record has non-ASCII bytes") from None
        if not text.isprintable():
            raise ValueError("record has control characters")
        sep = self.fmt.separator
        pin, found, rest = text.partition(sep)
        pin = pin.strip()
        if not found:
            raise ValueError(f"no {sep!r} separator between PIN and time")
        if not pin or len(pin) > self.fmt.pin_max or not set(pin) <= set(self.fmt.pin_alphabet):
            raise ValueError(f"PIN {pin[:30]!r} is not 1-{self.fmt.pin_max} PIN characters")
        verify: int | None = None
        try:
            time = self._time(rest)
        except ValueError:
            head, found, tail = rest.rpartition(sep)
            if not found or not _VERIFY_RE.fullmatch(tail.strip()):
                message = f"time {rest[:40]!r} does not match {self.fmt.time_format!r}"
                raise ValueError(message) from None
            time = self._time(head)
            verify = int(tail)
        return Punch(self.device_sn, pin, time, verify=verify, raw=raw)

    def _time(self, text: str) -> datetime:
        text = text.strip()
        if self.fmt.time_format == DEFAULT_TIME_FORMAT:
            match = _DEFAULT_TIME_RE.fullmatch(text)
            if match is None:
                raise ValueError(f"time {text[:40]!r} is not 'YYYY-MM-DD HH:MM:SS'")
            y, mo, d, h, mi, sec = (int(group) for group in match.groups())
            return datetime(y, mo, d, h, mi, sec, tzinfo=self.zone)  # ValueError for 02-30
        return datetime.strptime(text, self.fmt.time_format).replace(tzinfo=self.zone)
