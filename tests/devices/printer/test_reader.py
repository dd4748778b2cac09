"""The ESC/POS stream reader used by the simulator: any chunking, any garbage."""

from __future__ import annotations

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from devices.printer.protocol import TicketPrint, render_ticket
from devices.printer.reader import EscPosReader

TICKET_BYTES = render_ticket(
    TicketPrint(
        hall_name="政务服务中心",
        service_name="户籍（迁入）",
        number="B105",
        people_ahead=0,
        issued_at=datetime(2026, 3, 2, 8, 31, tzinfo=ZoneInfo("Asia/Shanghai")),
        qr_payload="B105",
        required_documents=("准迁证：原件、复印件",),
    )
)


def read_all(chunks: list[bytes]) -> EscPosReader:
    reader = EscPosReader()
    for chunk in chunks:
        reader.feed(chunk)
    return reader


@given(st.lists(st.integers(min_value=1, max_value=len(TICKET_BYTES) - 1), max_size=20))
def test_any_split_of_a_ticket_reads_the_same(cuts: list[int]) -> None:
    points = [0, *sorted(set(cuts)), len(TICKET_BYTES)]
    chunks = [TICKET_BYTES[a:b] for a, b in itertools.pairwise(points)]
    whole = read_all([TICKET_BYTES])
    split = read_all(chunks)
    assert split.lines == whole.lines
    assert split.cuts == whole.cuts == 1
    assert split.qr_codes == ["B105"]
    assert "准迁证：原件、复印件" in split.text


@given(st.binary(max_size=400))
def test_garbage_never_raises(data: bytes) -> None:
    reader = EscPosReader(chinese_default=True)
    queries = reader.feed(data)
    assert all(0 <= n <= 255 for n in queries)


def test_status_queries_are_reported_even_split() -> None:
    reader = EscPosReader()
    assert reader.feed(b"\x10") == []
    assert reader.feed(b"\x04") == []
    assert reader.feed(b"\x04\x10\x04\x01") == [4, 1]


def test_without_fs_ampersand_gb18030_bytes_are_not_read_as_chinese() -> None:
    # proves the renderer's FS & matters: the same bytes without it decode as code page 437
    reader = EscPosReader()
    reader.feed(b"\x1b@" + "（０）".encode("gb18030") + b"\n")
    assert reader.lines[0].text != "（０）"
    reader.feed(b"\x1c&" + "（０）".encode("gb18030") + b"\n")
    assert reader.lines[1].text == "（０）"
