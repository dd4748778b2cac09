"""Low-level text helpers shared by the ADMS decoders: line splitting, decoding, device times."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from devices.errors import ProtocolError
from devices.events import PIN_MAX, SERIAL_MAX

DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")
# Terminals sold in China send GBK when their firmware predates Unicode support.
DEFAULT_ENCODINGS: tuple[str, ...] = ("utf-8", "gbk")

_SN_RE = re.compile(rf"[A-Za-z0-9_.\-]{{1,{SERIAL_MAX}}}")
_PIN_RE = re.compile(rf"[0-9A-Za-z]{{1,{PIN_MAX}}}")
_TIME_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")
_BOM = b"\xef\xbb\xbf"


def shorten(value: str | bytes, limit: int = 40) -> str:
    """Render a value for an error message, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def validate_sn(sn: str) -> str:
    """Return ``sn`` if it looks like a terminal serial number, else raise ProtocolError."""
    if not _SN_RE.fullmatch(sn):
        raise ProtocolError(
            f"bad serial number {shorten(sn)}: expected 1-{SERIAL_MAX} letters, digits, '_', '-'"
            " or '.'"
        )
    return sn


def is_valid_pin(pin: str) -> bool:
    """True when ``pin`` is 1-PIN_MAX (24) ASCII letters or digits, the form terminals accept."""
    return _PIN_RE.fullmatch(pin) is not None


def iter_lines(body: bytes) -> Iterator[tuple[int, bytes]]:
    """Yield (1-based line number, line without its CR/LF) for each non-blank line."""
    if body.startswith(_BOM):
        body = body[len(_BOM) :]
    # 0x0A never occurs inside a multi-byte UTF-8 or GBK character, so splitting bytes is safe.
    for number, line in enumerate(body.split(b"\n"), start=1):
        line = line.rstrip(b"\r")
        if line.strip():
            yield number, line


def decode_line(raw: bytes, encodings: tuple[str, ...] = DEFAULT_ENCODINGS) -> str | None:
    """Decode with the first encoding that accepts every byte; None when none does."""
    for encoding in encodings:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def decode_text(raw: bytes, encodings: tuple[str, ...] = DEFAULT_ENCODINGS) -> str:
    """Decode a whole body line by line, falling back per line; undecodable bytes become U+FFFD."""
    out: list[str] = []
    for line in raw.split(b"\n"):
        text = decode_line(line, encodings)
        out.append(text if text is not None else line.decode("utf-8", errors="replace"))
    return "\n".join(out)


def parse_device_time(text: str, zone: tzinfo) -> datetime:
    """Parse a terminal's ``YYYY-MM-DD HH:MM:SS`` local time and attach ``zone``."""
    match = _TIME_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"time {shorten(text)} is not 'YYYY-MM-DD HH:MM:SS'")
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError as exc:
        raise ValueError(f"time {shorten(text)} is not a real date or time: {exc}") from None


def format_device_time(moment: datetime, zone: tzinfo) -> str:
    """Render an aware instant as the terminal's local ``YYYY-MM-DD HH:MM:SS``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"time must be timezone-aware: {moment!r}")
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def parse_small_int(text: str, field: str, low: int = 0, high: int = 65535) -> int | None:
    """Parse an optional integer field; empty means None; out of range raises ValueError."""
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"-?[0-9]{1,9}", text):
        raise ValueError(f"{field} {shorten(text)} is not an integer")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{field} {value} is outside {low}..{high}")
    return value
