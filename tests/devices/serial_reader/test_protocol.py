"""The serial stream parser on real byte shapes: split reads, noise, overlong lines."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from devices.events import BadRecord, Punch
from devices.serial_reader.protocol import LineFormat, StreamParser

SH = ZoneInfo("Asia/Shanghai")


def feed_bytewise(parser: StreamParser, data: bytes) -> list[Punch | BadRecord]:
    events: list[Punch | BadRecord] = []
    for index in range(len(data)):
        events.extend(parser.feed(data[index : index + 1]))
    return events


def test_default_lines_with_and_without_verify() -> None:
    parser = StreamParser("R1", SH)
    events = parser.feed(b"1001,2024-03-04 08:00:01\r\n1002,2024-03-04 08:00:02,15\n")
    assert events == [
        Punch("R1", "1001", datetime(2024, 3, 4, 8, 0, 1, tzinfo=SH)),
        Punch("R1", "1002", datetime(2024, 3, 4, 8, 0, 2, tzinfo=SH), verify=15),
    ]
    assert isinstance(events[0], Punch) and events[0].raw == b"1001,2024-03-04 08:00:01"


def test_need_more_bytes_is_normal_and_split_reads_join() -> None:
    parser = StreamParser("R1", SH)
    assert parser.feed(b"1001,2024-03-") == []
    assert parser.buffered == 13
    assert feed_bytewise(parser, b"04 08:00:00\r\n") == [
        Punch("R1", "1001", datetime(2024, 3, 4, 8, tzinfo=SH))
    ]
    assert parser.buffered == 0


def test_noise_before_record_is_reported_and_record_kept() -> None:
    parser = StreamParser("R1", SH)
    events = parser.feed(b"\xff\x00\x1bAT1001,2024-03-04 08:00:00\n")
    assert len(events) == 2
    noise, punch = events
    assert isinstance(noise, BadRecord) and noise.raw == b"\xff\x00\x1bAT"
    assert noise.reason == "line 1: noise before a record skipped: 5 bytes"
    assert isinstance(punch, Punch) and punch.pin == "1001"


def test_bad_lines_have_line_numbers_and_do_not_spoil_good_ones() -> None:
    parser = StreamParser("R1", SH)
    data = (
        b"1001,2024-03-04 08:00:00\n"
        b"1002,2024-02-30 08:00:00\n"  # no such day
        b"1003,2024-03-04 08:0\n"  # cut short
        b"\n"
        b"1004,2024-03-04 08:00:04,999x\n"
        b"1005,2024-03-04 08:00:05\n"
    )
    events = parser.feed(data)
    assert [e.pin for e in events if isinstance(e, Punch)] == ["1001", "1005"]
    bad = [e for e in events if isinstance(e, BadRecord)]
    assert [b.reason.split(":")[0] for b in bad] == ["line 2", "line 3", "line 5"]
    assert bad[1].raw == b"1003,2024-03-04 08:0"


def test_overlong_line_is_bounded_then_resynchronised() -> None:
    fmt = LineFormat(max_line=64)
    parser = StreamParser("R1", SH, fmt)
    for _ in range(100):
        assert parser.feed(b"\xaa" * 100) == []
        assert parser.buffered <= 64
    events = parser.feed(b"\xfe1001,2024-03-04 08:00:00\n1002,2024-03-04 08:00:01\n")
    assert [type(e) for e in events] == [BadRecord, Punch, Punch]
    noise = events[0]
    assert isinstance(noise, BadRecord)
    assert noise.reason == "line 1: noise before a record skipped (overlong line): 10001 bytes"
    assert len(noise.raw) <= 2 * 64


def test_huge_single_chunk_line_is_bounded() -> None:
    parser = StreamParser("R1", SH, LineFormat(max_line=64))
    events = parser.feed(b"x" * 5000 + b"\n")
    assert len(events) == 1 and isinstance(events[0], BadRecord)
    assert "5000 bytes" in events[0].reason
    assert len(events[0].raw) <= 128


def test_start_marker_resynchronises_exactly() -> None:
    parser = StreamParser("R1", SH, LineFormat(start=b"\x02", terminator=b"\x03"))
    events = parser.feed(
        b"\x0212\x0234,2024-03-04 08:00:00\x03junk\x03\x0256,2024-03-04 09:00:00\x03"
    )
    punches = [e for e in events if isinstance(e, Punch)]
    assert [p.pin for p in punches] == ["34", "56"]
    bad = [e for e in events if isinstance(e, BadRecord)]
    assert [b.raw for b in bad] == [b"\x0212", b"junk"]


def test_custom_separator_time_format_and_terminator() -> None:
    fmt = LineFormat(separator=" ", time_format="%d/%m/%Y %H:%M", terminator=b"\r")
    parser = StreamParser("R9", ZoneInfo("UTC"), fmt)
    events = parser.feed(b"0042 04/03/2024 08:15 1\r0043 04/03/2024 08:16\r")
    assert events == [
        Punch("R9", "0042", datetime(2024, 3, 4, 8, 15, tzinfo=ZoneInfo("UTC")), verify=1),
        Punch("R9", "0043", datetime(2024, 3, 4, 8, 16, tzinfo=ZoneInfo("UTC"))),
    ]
    line = fmt.encode("0042", datetime(2024, 3, 4, 8, 15), 1)
    assert line == b"0042 04/03/2024 08:15 1\r"


def test_flush_reports_partial_line() -> None:
    parser = StreamParser("R1", SH)
    parser.feed(b"1001,2024-03-04 08:00:00\n1002,2024")
    bad = parser.flush()
    assert len(bad) == 1 and bad[0].raw == b"1002,2024"
    assert "cut off" in bad[0].reason
    assert parser.flush() == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"separator": ""}, "separator"),
        ({"terminator": b""}, "terminator"),
        ({"separator": "\n"}, "differ"),
        ({"separator": "1"}, "PIN characters"),
        ({"max_line": 8}, "max_line"),
    ],
)
def test_line_format_validation(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LineFormat(**kwargs)  # type: ignore[arg-type]
