"""Hypothesis: the ADMS decoders never raise on any body, and never lose a good line."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from devices.adms import protocol as p

SH = ZoneInfo("Asia/Shanghai")
SN = "FUZZ0001"

bodies = st.one_of(
    st.binary(max_size=600),
    st.lists(
        st.sampled_from(
            [
                b"1\t2024-01-01 08:00:00",
                b"\t",
                b"\r\n",
                b"\n",
                b"OPLOG ",
                b"USER PIN=",
                b"ID=",
                b"&Return=",
                b"=",
                b"\xff",
                b"\xd5\xc5",
                b"\x00",
                b"2024-13-40 25:61:61",
                b"-1002",
            ]
        )
        | st.binary(max_size=8),
        max_size=40,
    ).map(b"".join),
)


@settings(max_examples=300)
@given(bodies)
def test_decoders_never_raise(body: bytes) -> None:
    punches, bad = p.parse_attlog(SN, body, SH)
    assert all(x.time.tzinfo is SH for x in punches)
    assert all(b.reason.startswith("ATTLOG line ") for b in bad)
    log = p.parse_operlog(SN, body, SH)
    assert all(b.reason.startswith("OPERLOG line ") for b in log.bad)
    results, bad_results = p.parse_devicecmd(SN, body)
    assert all(b.reason.startswith("devicecmd line ") for b in bad_results)
    assert len(results) <= body.count(b"=") + 1


@given(st.text(max_size=200))
def test_query_parsers_raise_only_query_error(query: str) -> None:
    for parse in (p.parse_handshake_query, p.parse_upload_query, p.parse_poll_query):
        try:
            parsed = parse(query)
        except p.QueryError as exc:
            assert str(exc)  # the error says what is wrong
        else:
            assert parsed.sn and parsed.sn == parsed.sn.strip()


pins = st.text(alphabet="0123456789ABCDEFabcdef", min_size=1, max_size=24)
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31))
records = st.tuples(pins, times, st.integers(0, 255), st.integers(0, 255))
noise = st.binary(max_size=30).filter(lambda b: b"\n" not in b and b"\t" not in b)


@settings(max_examples=200)
@given(st.lists(st.tuples(records, noise), max_size=20), st.sampled_from([b"\n", b"\r\n"]))
def test_every_good_line_survives_noise_lines(
    items: list[tuple[tuple[str, datetime, int, int], bytes]], eol: bytes
) -> None:
    lines: list[bytes] = []
    for (pin, moment, status, verify), garbage in items:
        lines.append(f"{pin}\t{moment:%Y-%m-%d %H:%M:%S}\t{status}\t{verify}\t0".encode())
        lines.append(garbage)  # a line with no tab is never a punch
    punches, bad = p.parse_attlog(SN, eol.join(lines), SH)
    expected = [
        (pin, moment.replace(microsecond=0, tzinfo=SH), status, verify)
        for (pin, moment, status, verify), _ in items
    ]
    assert [(x.pin, x.time, x.status, x.verify) for x in punches] == expected
    assert len(bad) == sum(1 for _, garbage in items if garbage.strip())


attlog_lines = st.lists(
    st.sampled_from(
        ["2001", "A7", "", " ", "\t", "2024-03-04 08:00:00", "2024-02-30 08:00:00", "0", "1",
         "15", "00", "255", "256", "-1", "７", "２０２４-03-04 08:00:00", "x" * 25, "\u3000"]
    ),
    max_size=7,
).map("\t".join)  # fmt: skip


@settings(max_examples=400)
@given(attlog_lines, st.sampled_from(["utf-8", "gbk"]))
def test_fast_attlog_path_agrees_with_the_full_decoder(line: str, encoding: str) -> None:
    raw = line.encode(encoding)
    fast = p._fast_punch(SN, raw, SH, "utf-8")
    try:
        full = p._punch_from_line(SN, raw, SH, p.DEFAULT_ENCODINGS)
    except ValueError:
        assert fast is None  # a bad line always gets the full decoder's error message
        return
    if fast is not None:
        assert (fast, fast.raw, fast.time.tzinfo) == (full, full.raw, full.time.tzinfo)


def test_fast_attlog_path_takes_a_well_formed_line() -> None:
    raw = b"2001\t2024-03-04 08:00:00\t0\t15\t3\t0\t0"
    fast = p._fast_punch(SN, raw, SH, "utf-8")
    assert fast is not None
    assert (fast.pin, fast.time, fast.status, fast.verify, fast.workcode, fast.raw) == (
        "2001", datetime(2024, 3, 4, 8, tzinfo=SH), 0, 15, "3", raw
    )  # fmt: skip
