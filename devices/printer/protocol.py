"""ESC/POS rendering of queue tickets and one-time notifications (pure: text in, bytes out).

Theory of operation: every printed field is validated and encoded here, so the bytes handed
to a transport are exactly what the printer receives.  Chinese text is encoded as GB18030
after ``FS &`` (Chinese mode on) for every string, not only the ones that contain a CJK
ideograph: python-escpos picks GB18030 by a character-range heuristic (U+4E00-U+9FA5), so a
string of CJK punctuation or full-width digits ("（０１２）") goes down its code-page path
and prints as ``?``.  That is why this module writes its own bytes and does not use
python-escpos.  Characters that GB18030 encodes in four bytes are refused: the fonts of
Chinese-market thermal printers (POS-5890, ZJ-5870, ...) hold GBK only.  QR codes use the
standard ``GS ( k`` model-2 function, supported by those models' firmware; a printer without
it gets the symbol as a raster image (``GS v 0``, `devices.printer.images`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from devices.printer.images import qr_raster

Language = Literal["zh", "en"]

ESC = b"\x1b"
GS = b"\x1d"
FS = b"\x1c"
LF = b"\n"

INIT = ESC + b"@"
CHINESE_MODE_ON = FS + b"&"
CHINESE_MODE_OFF = FS + b"."
CUT_FULL = GS + b"V\x00"
ALIGN_LEFT = ESC + b"a\x00"
ALIGN_CENTER = ESC + b"a\x01"

# Characters per line in font A (12x24 dots): 384 dots on 58 mm paper, 576 on 80 mm.
COLUMNS = {58: 32, 80: 48}
DOTS = {58: 384, 80: 576}  # printable dots per line at 203 dpi
QR_MAX_BYTES = 300  # keeps the code readable at module size 6 on 58 mm paper

LABELS: dict[Language, dict[str, str]] = {
    "zh": {
        "ahead_none": "前面无人等候",
        "ahead": "前面还有 {n} 人等候",
        "window": "办理窗口：",
        "documents": "所需材料：",
        "issued": "取号时间：",
        "notice_title": "一次性告知单",
        "service": "办理事项：",
        "ticket": "票号：",
        "missing": "您的申请尚缺以下材料，请一次补齐：",
        "notice_time": "告知时间：",
        "notice_window": "告知窗口：",
    },
    "en": {
        "ahead_none": "No one ahead of you",
        "ahead": "{n} people ahead of you",
        "window": "Window: ",
        "documents": "Documents required:",
        "issued": "Issued: ",
        "notice_title": "NOTICE OF MISSING DOCUMENTS",
        "service": "Service: ",
        "ticket": "Ticket: ",
        "missing": "Please bring all of the following:",
        "notice_time": "Date: ",
        "notice_window": "Window: ",
    },
}


def _check_labels(labels: Mapping[str, str] | None, language: str, what: str) -> None:
    """Words given by the host must name every label; without them the language must be known."""
    if labels is None:
        if language not in LABELS:
            raise ValueError(f"unknown {what} language {language!r}")
        return
    missing = sorted(set(LABELS["zh"]) - set(labels))
    if missing:
        raise ValueError(f"{what} labels lack {', '.join(missing)}")


def _require_aware(value: datetime, what: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware: {value!r}")


@dataclass(frozen=True, slots=True)
class TicketPrint:
    """What a queue ticket shows; ``issued_at`` is timezone-aware and printed in its own zone."""

    hall_name: str
    service_name: str
    number: str
    people_ahead: int
    issued_at: datetime
    window_hint: str | None = None
    qr_payload: str | None = None
    required_documents: tuple[str, ...] = ()
    footer: str = ""
    language: Language = "zh"
    labels: Mapping[str, str] | None = None  # the host's words; else LABELS[language]

    def __post_init__(self) -> None:
        _require_aware(self.issued_at, "ticket issued_at")
        if not self.number.strip():
            raise ValueError("ticket number must not be empty")
        if self.people_ahead < 0:
            raise ValueError(f"people_ahead must be >= 0, got {self.people_ahead}")
        _check_labels(self.labels, self.language, "ticket")


@dataclass(frozen=True, slots=True)
class NoticePrint:
    """A one-time notification (一次性告知单) listing every document the citizen still lacks."""

    hall_name: str
    service_name: str
    missing_documents: tuple[str, ...]
    issued_at: datetime
    ticket_number: str | None = None
    window: str | None = None
    note: str | None = None
    footer: str = ""
    language: Language = "zh"
    labels: Mapping[str, str] | None = None  # the host's words; else LABELS[language]

    def __post_init__(self) -> None:
        _require_aware(self.issued_at, "notice issued_at")
        if not self.missing_documents:
            raise ValueError("a one-time notification must list at least one missing document")
        _check_labels(self.labels, self.language, "notice")


QrMode = Literal["native", "raster", "none"]


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """Paper and printer capabilities; ``chinese=False`` is for printers without a CJK font.

    ``qr`` is how the printer draws a QR code: its own ``GS ( k`` function (``native``), a
    raster image (``raster``) or not at all (``none``); ``code_page`` is the ``ESC t n`` table
    selected for text outside Chinese mode (None: the printer's default).
    """

    paper_mm: Literal[58, 80] = 58
    chinese: bool = True
    number_scale: int = 2  # ticket number magnification, 1-8 in each direction
    feed_lines: int = 4
    cut: bool = True
    qr: QrMode = "native"
    qr_module: int = 6  # dots per QR module
    code_page: int | None = None
    width_dots: int | None = None  # printable dots per line, when not 203 dpi on full paper
    font_columns: int | None = None  # font A characters per line, when the model differs

    def __post_init__(self) -> None:
        if self.paper_mm not in COLUMNS:
            raise ValueError(f"paper width must be 58 or 80 mm, got {self.paper_mm}")
        if not 1 <= self.number_scale <= 8:
            raise ValueError(f"number_scale must be 1-8, got {self.number_scale}")
        if not 0 <= self.feed_lines <= 255:
            raise ValueError(f"feed_lines must be 0-255, got {self.feed_lines}")
        if self.qr not in ("native", "raster", "none"):
            raise ValueError(f"qr must be native, raster or none, got {self.qr!r}")
        if not 1 <= self.qr_module <= 16:
            raise ValueError(f"qr_module must be 1-16 dots, got {self.qr_module}")
        if self.code_page is not None and not 0 <= self.code_page <= 255:
            raise ValueError(f"code_page must be 0-255, got {self.code_page}")
        if self.width_dots is not None and not 128 <= self.width_dots <= 1024:
            raise ValueError(f"width_dots must be 128-1024, got {self.width_dots}")
        if self.font_columns is not None and not 16 <= self.font_columns <= 64:
            raise ValueError(f"font_columns must be 16-64, got {self.font_columns}")

    @property
    def columns(self) -> int:
        """Characters of font A per line at normal size."""
        return self.font_columns or COLUMNS[self.paper_mm]

    @property
    def dots(self) -> int:
        """Printable dots per line."""
        return self.width_dots or DOTS[self.paper_mm]


def char_size(width: int, height: int) -> bytes:
    """``GS ! n``: character magnification, 1-8 in each direction."""
    if not (1 <= width <= 8 and 1 <= height <= 8):
        raise ValueError(f"character size must be 1-8, got {width}x{height}")
    return GS + b"!" + bytes([((width - 1) << 4) | (height - 1)])


def feed(lines: int) -> bytes:
    """``ESC d n``: print the buffer and feed n lines."""
    if not 0 <= lines <= 255:
        raise ValueError(f"feed lines must be 0-255, got {lines}")
    return ESC + b"d" + bytes([lines])


def _qr_data(payload: str) -> bytes:
    data = payload.encode("utf-8")
    if not data:
        raise ValueError("QR payload must not be empty")
    if len(data) > QR_MAX_BYTES:
        raise ValueError(f"QR payload is {len(data)} bytes, at most {QR_MAX_BYTES} allowed")
    return data


def qr_code(payload: str, module_size: int = 6) -> bytes:
    """``GS ( k`` model-2 QR code, error correction M, ``payload`` stored as UTF-8 and printed."""
    data = _qr_data(payload)
    if not 1 <= module_size <= 16:
        raise ValueError(f"QR module size must be 1-16, got {module_size}")
    store_len = len(data) + 3
    return b"".join(
        [
            GS + b"(k\x04\x001A2\x00",  # model 2
            GS + b"(k\x03\x001C" + bytes([module_size]),
            GS + b"(k\x03\x001E1",  # error correction level M
            GS + b"(k" + bytes([store_len & 0xFF, store_len >> 8]) + b"1P0" + data,
            GS + b"(k\x03\x001Q0",  # print the stored symbol
        ]
    )


def qr_symbol(payload: str, options: RenderOptions) -> bytes:
    """The QR code of ``payload`` as the printer can draw it (see `RenderOptions.qr`)."""
    if options.qr == "native":
        return qr_code(payload, options.qr_module)
    if options.qr == "raster":
        return qr_raster(_qr_data(payload), options.qr_module, options.dots)
    return b""


def display_width(text: str) -> int:
    """Printed columns of ``text``: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


# Punctuation that may not begin a line (Chinese line-breaking rules, 行首禁则): a line that
# would start with one takes the character before it along.
NO_LINE_START = frozenset("，。、：；！？）》」』】〉”’…,.:;!?)]}%")


def wrap(text: str, columns: int, indent: str = "") -> list[str]:
    """Split ``text`` into lines of at most ``columns`` printed columns (CJK counts double);
    a line never starts with closing punctuation such as "：" or "，"."""
    lines: list[str] = []
    current = ""
    width = 0
    for char in text:
        w = display_width(char)
        if width + w > columns and current:
            carry = ""
            if char in NO_LINE_START and len(current) > len(indent) + 1:
                current, carry = current[:-1], current[-1]
            lines.append(current)
            current = indent + carry
            width = display_width(current)
        current += char
        width += w
    if current or not lines:
        lines.append(current)
    return lines


def encode_text(text: str, options: RenderOptions, field: str) -> bytes:
    """Encode one field for the printer; raises ValueError naming the field and the position."""
    for pos, char in enumerate(text):
        if ord(char) < 0x20 or ord(char) == 0x7F:
            # A control byte in a field could smuggle an ESC/POS command onto the ticket.
            raise ValueError(f"{field}: control character U+{ord(char):04X} at position {pos}")
        if options.chinese:
            if len(char.encode("gb18030")) > 2:
                raise ValueError(
                    f"{field}: character {char!r} (U+{ord(char):04X}) at position {pos} is "
                    "outside GBK and cannot be printed by the printer's font"
                )
        elif ord(char) > 0x7E:
            raise ValueError(
                f"{field}: character {char!r} at position {pos} needs Chinese mode "
                "(this printer is configured without a CJK font)"
            )
    return text.encode("gb18030" if options.chinese else "ascii")


def _lines(
    text: str, options: RenderOptions, field: str, columns: int | None = None, indent: str = ""
) -> bytes:
    cols = columns if columns is not None else options.columns
    return b"".join(encode_text(line, options, field) + LF for line in wrap(text, cols, indent))


def _header(options: RenderOptions) -> bytes:
    mode = CHINESE_MODE_ON if options.chinese else CHINESE_MODE_OFF
    if not options.chinese and options.code_page is not None:
        mode += ESC + b"t" + bytes([options.code_page])
    return INIT + mode + ALIGN_CENTER


def _trailer(options: RenderOptions) -> bytes:
    return feed(options.feed_lines) + (CUT_FULL if options.cut else b"")


def _numbered(items: Iterable[str], options: RenderOptions, field: str) -> bytes:
    out = b""
    for index, item in enumerate(items, start=1):
        prefix = f"{index}. "
        out += _lines(prefix + item, options, f"{field}[{index - 1}]", indent=" " * len(prefix))
    return out


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def render_ticket(ticket: TicketPrint, options: RenderOptions | None = None) -> bytes:
    """The exact ESC/POS bytes of one queue ticket, ending with feed and cut."""
    opt = options or RenderOptions()
    labels = ticket.labels or LABELS[ticket.language]
    cols = opt.columns
    scale = opt.number_scale
    out = _header(opt)
    out += char_size(1, 2) + _lines(ticket.hall_name, opt, "hall_name") + char_size(1, 1)
    out += _lines(ticket.service_name, opt, "service_name")
    out += b"-" * cols + LF
    out += char_size(scale, scale) + _lines(ticket.number, opt, "number", cols // scale)
    out += char_size(1, 1)
    ahead = (
        labels["ahead"].format(n=ticket.people_ahead)
        if ticket.people_ahead
        else labels["ahead_none"]
    )
    out += _lines(ahead, opt, "people_ahead")
    if ticket.window_hint:
        out += _lines(labels["window"] + ticket.window_hint, opt, "window_hint")
    if ticket.qr_payload and opt.qr != "none":
        out += qr_symbol(ticket.qr_payload, opt) + LF
    out += ALIGN_LEFT
    if ticket.required_documents:
        out += _lines(labels["documents"], opt, "label")
        out += _numbered(ticket.required_documents, opt, "required_documents")
    out += _lines(labels["issued"] + _when(ticket.issued_at), opt, "issued_at")
    if ticket.footer:
        out += ALIGN_CENTER + _lines(ticket.footer, opt, "footer")
    return out + _trailer(opt)


def render_notice(notice: NoticePrint, options: RenderOptions | None = None) -> bytes:
    """The exact ESC/POS bytes of a one-time notification (一次性告知单)."""
    opt = options or RenderOptions()
    labels = notice.labels or LABELS[notice.language]
    cols = opt.columns
    out = _header(opt)
    out += char_size(2, 2) + _lines(labels["notice_title"], opt, "title", cols // 2)
    out += char_size(1, 1) + _lines(notice.hall_name, opt, "hall_name")
    out += b"-" * cols + LF + ALIGN_LEFT
    out += _lines(labels["service"] + notice.service_name, opt, "service_name")
    if notice.ticket_number:
        out += _lines(labels["ticket"] + notice.ticket_number, opt, "ticket_number")
    out += _lines(labels["missing"], opt, "label")
    out += _numbered(notice.missing_documents, opt, "missing_documents")
    if notice.note:
        out += _lines(notice.note, opt, "note")
    if notice.window:
        out += _lines(labels["notice_window"] + notice.window, opt, "window")
    out += _lines(labels["notice_time"] + _when(notice.issued_at), opt, "issued_at")
    if notice.footer:
        out += ALIGN_CENTER + _lines(notice.footer, opt, "footer")
    return out + _trailer(opt)
