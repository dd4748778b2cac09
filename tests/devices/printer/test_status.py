"""DLE EOT answers: every bit, the shape check, and unknown kept apart from offline."""

from __future__ import annotations

import pytest

from devices.printer.status import (
    PrinterState,
    is_status_byte,
    parse_status,
    status_request,
)

OK = 0x12  # 0001 0010: the fixed bits only

# (query, answer byte, field, expected value) for every documented bit.
BIT_TABLE = [
    (1, 0x12, "online", True),
    (1, 0x1A, "online", False),  # bit 3 offline
    (2, 0x16, "cover_open", True),  # bit 2
    (2, 0x52, "error", True),  # bit 6
    (3, 0x1A, "cutter_error", True),  # bit 3
    (3, 0x32, "unrecoverable_error", True),  # bit 5
    (3, 0x52, "recoverable_error", True),  # bit 6
    (4, 0x1E, "paper_near_end", True),  # bits 2-3
    (4, 0x16, "paper_near_end", True),  # one near-end bit only (clones)
    (4, 0x72, "paper_end", True),  # bits 5-6
    (4, 0x32, "paper_end", True),
]


@pytest.mark.parametrize(("n", "byte", "name", "value"), BIT_TABLE)
def test_each_bit(n: int, byte: int, name: str, value: bool) -> None:
    answers = {q: OK for q in (1, 2, 3, 4)}
    answers[n] = byte
    status = parse_status(answers)
    assert getattr(status, name) is value
    # every other flag stays clear
    for other in ("cover_open", "paper_end", "paper_near_end", "cutter_error", "error"):
        if other != name:
            assert getattr(status, other) is False, other


def test_all_clear_is_ready() -> None:
    status = parse_status(dict.fromkeys((1, 2, 3, 4), OK))
    assert status.state is PrinterState.READY
    assert status.known


def test_no_answer_is_unknown_not_offline_or_out_of_paper() -> None:
    status = parse_status({})
    assert status.online is None
    assert status.paper_end is None
    assert status.state is PrinterState.UNKNOWN
    assert not status.known


def test_offline_is_offline_not_unknown() -> None:
    status = parse_status({1: 0x1A, 2: OK, 3: OK, 4: OK})
    assert status.online is False
    assert status.state is PrinterState.OFFLINE


@pytest.mark.parametrize("bad", [0x00, 0xFF, 0x13, 0x92, 0x10, 0x02])
def test_malformed_answer_is_unknown(bad: int) -> None:
    assert not is_status_byte(bad)
    status = parse_status({1: bad, 4: bad})
    assert status.online is None
    assert status.paper_end is None
    assert status.answers[0] == (1, bad)  # the raw byte is kept for the log


def test_shape_check_accepts_every_byte_of_the_form_0xx1xx10() -> None:
    shaped = [b for b in range(256) if is_status_byte(b)]
    assert len(shaped) == 16
    assert all(b & 0x80 == 0 and b & 0x10 and b & 0x02 and not b & 0x01 for b in shaped)


def test_paper_stop_in_query_2_means_out_of_paper_when_query_4_is_silent() -> None:
    status = parse_status({1: 0x1A, 2: 0x32})
    assert status.paper_end is True
    assert status.state is PrinterState.OUT_OF_PAPER


def test_severity_order() -> None:
    both = parse_status({1: 0x1A, 2: 0x36, 3: OK, 4: 0x7E})
    assert both.state is PrinterState.OUT_OF_PAPER
    near = parse_status({1: OK, 2: OK, 3: OK, 4: 0x1E})
    assert near.state is PrinterState.PAPER_NEAR_END


def test_request_bytes() -> None:
    assert [status_request(n) for n in (1, 2, 3, 4)] == [
        b"\x10\x04\x01",
        b"\x10\x04\x02",
        b"\x10\x04\x03",
        b"\x10\x04\x04",
    ]
    with pytest.raises(ValueError, match="1-4"):
        status_request(5)
