"""Exact ESC/POS bytes of tickets and notices, and the validation of what goes on paper."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from devices.printer.protocol import (
    LABELS,
    NoticePrint,
    RenderOptions,
    TicketPrint,
    display_width,
    encode_text,
    qr_code,
    render_notice,
    render_ticket,
    wrap,
)
from devices.printer.reader import EscPosReader

SHANGHAI = ZoneInfo("Asia/Shanghai")
ISSUED = datetime(2026, 11, 22, 9, 30, tzinfo=SHANGHAI)


def gb(text: str) -> bytes:
    return text.encode("gb18030")


def sample_ticket(**changes: object) -> TicketPrint:
    fields: dict[str, object] = {
        "hall_name": "市民中心",
        "service_name": "社保（补办）",
        "number": "A012",
        "people_ahead": 3,
        "issued_at": ISSUED,
        "window_hint": "３号窗口",
        "required_documents": ("身份证、户口簿：原件",),
        "footer": "过号作废",
    }
    fields.update(changes)
    return TicketPrint(**fields)  # type: ignore[arg-type]


def test_sample_ticket_golden_bytes() -> None:
    expected = b"".join(
        [
            b"\x1b\x40",  # ESC @ init
            b"\x1c\x26",  # FS & Chinese mode on
            b"\x1b\x61\x01",  # ESC a 1 centre
            b"\x1d\x21\x01" + gb("市民中心") + b"\n",  # double height hall name
            b"\x1d\x21\x00" + gb("社保") + b"\xa3\xa8" + gb("补办") + b"\xa3\xa9\n",
            b"-" * 32 + b"\n",
            b"\x1d\x21\x11A012\n",  # GS ! 0x11: double width and height
            b"\x1d\x21\x00" + gb("前面还有 3 人等候") + b"\n",
            gb("办理窗口") + b"\xa3\xba" + b"\xa3\xb3" + gb("号窗口") + b"\n",
            b"\x1b\x61\x00",  # left
            gb("所需材料") + b"\xa3\xba\n",
            b"1. " + gb("身份证") + b"\xa1\xa2" + gb("户口簿") + b"\xa3\xba" + gb("原件") + b"\n",
            gb("取号时间") + b"\xa3\xba" + b"2026-11-22 09:30\n",
            b"\x1b\x61\x01" + gb("过号作废") + b"\n",
            b"\x1b\x64\x04",  # ESC d 4 feed
            b"\x1d\x56\x00",  # GS V 0 full cut
        ]
    )
    assert render_ticket(sample_ticket()) == expected


def test_cjk_punctuation_and_full_width_digits_use_gb18030_double_bytes() -> None:
    opts = RenderOptions()
    assert encode_text("（）、：", opts, "f") == bytes.fromhex("a3a8 a3a9 a1a2 a3ba")
    assert encode_text("０１２", opts, "f") == bytes.fromhex("a3b0 a3b1 a3b2")


def test_ticket_text_read_back_equals_what_was_rendered() -> None:
    ticket = sample_ticket(
        qr_payload="https://hall.example/q/A012",
        required_documents=("居民身份证原件及复印件（正反面）各一份", "户口簿：户主页、本人页"),
    )
    reader = EscPosReader()
    reader.feed(render_ticket(ticket))
    assert reader.cuts == 1
    assert reader.qr_codes == ["https://hall.example/q/A012"]
    assert reader.unknown == []
    texts = [line.text for line in reader.lines]
    assert texts[:4] == ["市民中心", "社保（补办）", "-" * 32, "A012"]
    assert "办理窗口：３号窗口" in texts
    number_line = next(line for line in reader.lines if line.text == "A012")
    assert (number_line.size, number_line.align) == (0x11, 1)
    # the long item wraps onto an indented second line and nothing is lost
    joined = "".join(t.strip() for t in texts)
    assert "1.居民身份证原件及复印件（正反面）各一份" in joined.replace(" ", "")


def test_lines_never_exceed_paper_width() -> None:
    long = "办理" * 40 + "ABC" * 10
    for cols in (32, 48, 15):
        for line in wrap(long, cols, indent="   "):
            assert display_width(line) <= cols


def test_english_ticket_labels_and_80mm_paper() -> None:
    ticket = sample_ticket(language="en", people_ahead=0, window_hint=None, footer="")
    reader = EscPosReader()
    reader.feed(render_ticket(ticket, RenderOptions(paper_mm=80, number_scale=3)))
    texts = [line.text for line in reader.lines]
    assert "No one ahead of you" in texts
    assert "-" * 48 in texts
    assert "Documents required:" in texts
    assert next(line.size for line in reader.lines if line.text == "A012") == 0x22


def test_printer_without_cjk_font_gets_ascii_and_chinese_mode_off() -> None:
    ticket = sample_ticket(
        hall_name="City Hall",
        service_name="Passport",
        window_hint="3",
        required_documents=(),
        footer="",
        language="en",
    )
    data = render_ticket(ticket, RenderOptions(chinese=False))
    assert data.startswith(b"\x1b@\x1c.")
    with pytest.raises(
        ValueError, match=r"hall_name: character .市. at position 0 needs Chinese mode"
    ):
        render_ticket(sample_ticket(), RenderOptions(chinese=False))


def test_control_characters_and_non_gbk_characters_are_refused_with_position() -> None:
    with pytest.raises(ValueError, match=r"footer: control character U\+001B at position 2"):
        render_ticket(sample_ticket(footer="ab\x1bV\x00"))
    with pytest.raises(ValueError, match=r"required_documents\[0\].*U\+20000.*outside GBK"):
        render_ticket(sample_ticket(required_documents=("\U00020000",)))


def test_ticket_fields_are_validated() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sample_ticket(issued_at=datetime(2026, 1, 1, 9, 0))
    with pytest.raises(ValueError, match="people_ahead"):
        sample_ticket(people_ahead=-1)
    with pytest.raises(ValueError, match="number"):
        sample_ticket(number=" ")
    with pytest.raises(ValueError, match="QR payload is 301 bytes"):
        qr_code("x" * 301)


def test_qr_code_bytes() -> None:
    assert qr_code("AB") == (
        b"\x1d(k\x04\x001A2\x00"
        b"\x1d(k\x03\x001C\x06"
        b"\x1d(k\x03\x001E1"
        b"\x1d(k\x05\x001P0AB"
        b"\x1d(k\x03\x001Q0"
    )


def test_one_time_notice_lists_every_missing_document() -> None:
    notice = NoticePrint(
        hall_name="市民中心",
        service_name="不动产登记",
        missing_documents=("购房合同原件", "完税证明（契税）", "结婚证：复印件１份"),
        issued_at=ISSUED,
        ticket_number="B007",
        window="５号窗口",
        note="材料齐全后可直接到窗口办理，无需重新取号。",
    )
    reader = EscPosReader()
    reader.feed(render_notice(notice))
    texts = [line.text for line in reader.lines]
    assert texts[0] == "一次性告知单"
    assert reader.lines[0].size == 0x11
    assert "1. 购房合同原件" in texts
    assert "2. 完税证明（契税）" in texts
    assert "3. 结婚证：复印件１份" in texts
    assert "票号：B007" in texts
    assert "告知时间：2026-11-22 09:30" in texts
    assert reader.cuts == 1
    with pytest.raises(ValueError, match="at least one missing document"):
        NoticePrint("h", "s", (), ISSUED)


def test_the_notice_never_starts_a_line_with_a_lone_colon() -> None:
    # On 58 mm paper (32 columns) the intro is 17 characters, 34 columns: its last "：" used
    # to wrap onto a line of its own. Chinese line breaking carries the character before it.
    notice = NoticePrint(
        hall_name="市民中心",
        service_name="不动产登记",
        missing_documents=("购房合同原件",),
        issued_at=ISSUED,
    )
    reader = EscPosReader()
    reader.feed(render_notice(notice, RenderOptions(paper_mm=58)))
    texts = [line.text for line in reader.lines]
    intro = LABELS["zh"]["missing"]
    assert len(intro) == 17
    assert [t for t in texts if t and t[0] in "：，。、；"] == []
    assert intro[:-2] in texts and intro[-2:] in texts  # "...请一次补" / "齐："
    assert wrap("告知窗口：５号窗口", 8) == ["告知窗", "口：５号", "窗口"]


def test_why_not_python_escpos_text() -> None:
    # python-escpos picks GB18030 only for strings holding a U+4E00-U+9FA5 ideograph: a line of
    # full-width digits and CJK punctuation goes down its code-page path and prints as '?'.
    from escpos.printer import Dummy

    dummy = Dummy()
    dummy.text("（０１２）\n")
    assert b"?????" in dummy.output
    assert encode_text("（０１２）", RenderOptions(), "f") == bytes.fromhex(
        "a3a8 a3b0 a3b1 a3b2 a3a9"
    )


def test_the_host_gives_the_labels_of_any_language() -> None:
    # A hall's third language: the host passes its words, the printer needs no table of its own.
    words = {key: f"<{key}>" for key in LABELS["zh"]} | {"ahead": "<{n} ahead>"}
    reader = EscPosReader()
    reader.feed(render_ticket(sample_ticket(labels=words)))
    texts = [line.text for line in reader.lines]
    assert "<3 ahead>" in texts
    assert "<window>３号窗口" in texts
    assert not any("办理窗口" in text for text in texts)
    with pytest.raises(ValueError, match="labels lack issued, notice_time"):
        sample_ticket(labels={k: v for k, v in words.items() if k not in ("issued", "notice_time")})
