"""ESC/POS real-time status (``DLE EOT n``): requests and the parsing of their one-byte answers.

Every answer byte has the fixed shape ``0xx1xx10`` (bit 7 = 0, bit 4 = 1, bit 1 = 1, bit 0 = 0);
a byte of another shape is not a status answer and is treated like no answer at all.  Each
field of :class:`PrinterStatus` is ``None`` when its query got no usable answer: "unknown" is
never folded into "offline" or "out of paper" (python-escpos does fold them).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

DLE_EOT = b"\x10\x04"
SHAPE_MASK = 0b1001_0011
SHAPE_VALUE = 0b0001_0010
QUERIES = (1, 2, 3, 4)

# (query n, bit mask) for every flag; a flag is set when any bit of its mask is set.  Epson
# sets both near-end bits (0x0C) and both paper-end bits (0x60); clones sometimes set one.
BITS: dict[str, tuple[int, int]] = {
    "offline": (1, 0x08),
    "cover_open": (2, 0x04),
    "paper_stop": (2, 0x20),  # printing stopped because the paper ran out
    "error": (2, 0x40),
    "cutter_error": (3, 0x08),
    "unrecoverable_error": (3, 0x20),
    "recoverable_error": (3, 0x40),
    "paper_near_end": (4, 0x0C),
    "paper_end": (4, 0x60),
}


def status_request(n: int) -> bytes:
    """``DLE EOT n``: ask for real-time status n (1 printer, 2 offline, 3 error, 4 paper)."""
    if n not in QUERIES:
        raise ValueError(f"DLE EOT n must be 1-4, got {n}")
    return DLE_EOT + bytes([n])


def is_status_byte(value: int) -> bool:
    """True when ``value`` has the fixed ``0xx1xx10`` shape of a status answer."""
    return value & SHAPE_MASK == SHAPE_VALUE


class PrinterState(enum.Enum):
    """One summary of a status, most severe first."""

    UNKNOWN = "unknown"
    OUT_OF_PAPER = "out_of_paper"
    COVER_OPEN = "cover_open"
    ERROR = "error"
    OFFLINE = "offline"
    PAPER_NEAR_END = "paper_near_end"
    READY = "ready"


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """Decoded real-time status; ``None`` in a field means that query was not answered.

    ``answers`` keeps the raw byte of each query (or None) for logs, malformed ones included.
    """

    online: bool | None = None
    cover_open: bool | None = None
    paper_end: bool | None = None
    paper_near_end: bool | None = None
    cutter_error: bool | None = None
    unrecoverable_error: bool | None = None
    recoverable_error: bool | None = None
    error: bool | None = None
    answers: tuple[tuple[int, int | None], ...] = ()

    @property
    def known(self) -> bool:
        """True when at least one query got a well-formed answer."""
        return any(value is not None and is_status_byte(value) for _, value in self.answers)

    @property
    def state(self) -> PrinterState:
        """The most severe condition that the answers prove."""
        if self.paper_end:
            return PrinterState.OUT_OF_PAPER
        if self.cover_open:
            return PrinterState.COVER_OPEN
        if self.cutter_error or self.unrecoverable_error or self.recoverable_error or self.error:
            return PrinterState.ERROR
        if self.online is False:
            return PrinterState.OFFLINE
        if self.online is None:
            return PrinterState.UNKNOWN
        if self.paper_near_end:
            return PrinterState.PAPER_NEAR_END
        return PrinterState.READY


def _flag(answers: Mapping[int, int | None], name: str) -> bool | None:
    n, mask = BITS[name]
    value = answers.get(n)
    return None if value is None else bool(value & mask)


def parse_status(answers: Mapping[int, int | None]) -> PrinterStatus:
    """Build a status from the answer byte of each query (None or a malformed byte = unknown)."""
    clean: dict[int, int | None] = {}
    for n in QUERIES:
        value = answers.get(n)
        clean[n] = value if value is not None and is_status_byte(value) else None
    offline = _flag(clean, "offline")
    paper_end = _flag(clean, "paper_end")
    paper_stop = _flag(clean, "paper_stop")
    if paper_end is None and paper_stop:
        # Query 4 unanswered but query 2 says printing stopped for lack of paper.
        paper_end = True
    return PrinterStatus(
        online=None if offline is None else not offline,
        cover_open=_flag(clean, "cover_open"),
        paper_end=paper_end,
        paper_near_end=_flag(clean, "paper_near_end"),
        cutter_error=_flag(clean, "cutter_error"),
        unrecoverable_error=_flag(clean, "unrecoverable_error"),
        recoverable_error=_flag(clean, "recoverable_error"),
        error=_flag(clean, "error"),
        answers=tuple((n, answers.get(n)) for n in QUERIES),
    )


def status_byte(n: int, **flags: bool) -> int:
    """The answer byte a printer would send to query n with the given flags set (simulators)."""
    value = SHAPE_VALUE
    for name, on in flags.items():
        if name not in BITS:
            raise ValueError(f"unknown status flag {name!r}")
        query, mask = BITS[name]
        if on and query == n:
            value |= mask
    return value
