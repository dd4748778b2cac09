"""Hypothesis: the stream parser never raises, stays bounded, and never loses a good record."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.events import BadRecord, Punch
from devices.serial_reader.protocol import LineFormat, StreamParser

SH = ZoneInfo("Asia/Shanghai")
FMT = LineFormat(max_line=64)

chunks = st.lists(
    st.binary(max_size=80)
    | st.sampled_from([b"\n", b"\r\n", b",", b"1001", b"2024-03-04 08:00:00", b"\xff", b",7"]),
    max_size=60,
)


@settings(max_examples=300)
@given(chunks)
def test_never_raises_and_stays_bounded(parts: list[bytes]) -> None:
    parser = StreamParser("R1", SH, FMT)
    for part in parts:
        for event in parser.feed(part):
            assert isinstance(event, Punch | BadRecord)
            if isinstance(event, Punch):
                assert event.time.tzinfo is SH
        assert parser.buffered <= FMT.max_line
    assert all(isinstance(e, BadRecord) for e in parser.flush())


@settings(max_examples=200)
@given(st.binary(max_size=400), st.lists(st.integers(1, 400), max_size=10))
def test_chunking_does_not_change_events(data: bytes, cuts: list[int]) -> None:
    whole = StreamParser("R1", SH, FMT).feed(data)
    parser = StreamParser("R1", SH, FMT)
    pieces: list[Punch | BadRecord] = []
    bounds = sorted({c for c in cuts if c < len(data)})
    for start, end in zip([0, *bounds], [*bounds, len(data)], strict=True):
        pieces.extend(parser.feed(data[start:end]))
    assert pieces == whole
    assert [e.raw for e in pieces] == [e.raw for e in whole]


pins = st.text(alphabet="0123456789", min_size=1, max_size=12)
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))
verifies = st.none() | st.integers(0, 255)
# Glued noise: no terminator, no separator, and it ends in a non-PIN byte.
glued = st.binary(max_size=20).map(lambda b: b.replace(b"\n", b"").replace(b",", b"") + b"\xff")
# Noise lines: no terminator and no separator, so they can never look like a record.
noise_lines = st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"").replace(b",", b""))


@settings(max_examples=200)
@given(
    st.lists(st.tuples(pins, times, verifies, st.booleans(), glued, noise_lines), max_size=15),
    st.lists(st.integers(1, 2000), max_size=20),
)
def test_every_good_record_survives_noise(
    items: list[tuple[str, datetime, int | None, bool, bytes, bytes]], cuts: list[int]
) -> None:
    stream = b""
    for pin, moment, verify, with_noise, noise, line in items:
        record = FMT.encode(pin, moment.replace(microsecond=0), verify)
        stream += (noise if with_noise else b"") + record + line + b"\r\n"
    parser = StreamParser("R1", SH, FMT)
    events: list[Punch | BadRecord] = []
    bounds = sorted({c for c in cuts if c < len(stream)})
    for start, end in zip([0, *bounds], [*bounds, len(stream)], strict=True):
        events.extend(parser.feed(stream[start:end]))
    got = [(e.pin, e.time, e.verify) for e in events if isinstance(e, Punch)]
    expected = [(pin, m.replace(microsecond=0, tzinfo=SH), v) for pin, m, v, *_ in items]
    assert got == expected
