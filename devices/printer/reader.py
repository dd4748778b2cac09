"""An incremental ESC/POS stream reader: what a printer would print, recovered from its bytes.

Used by the simulator (and tests) to check what the adapter sends.  It understands the
commands that ticket software commonly sends, knows each one's length so that a command split
across reads waits for its remaining bytes, decodes text as GB18030 in Chinese mode and as
code page 437 otherwise, and records anything it does not know instead of guessing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# Fixed total lengths (prefix byte included) of commands whose length does not depend on data.
ESC_LENGTHS = {
    b"@"[0]: 2, b"2"[0]: 2, b"a"[0]: 3, b"d"[0]: 3, b"E"[0]: 3, b"!"[0]: 3, b"-"[0]: 3,
    b"J"[0]: 3, b"3"[0]: 3, b"t"[0]: 3, b"M"[0]: 3, b"G"[0]: 3, b"{"[0]: 3, b"R"[0]: 3,
    b"p"[0]: 5, b"$"[0]: 4, b"V"[0]: 3, b"e"[0]: 3,
}  # fmt: skip
FS_LENGTHS = {b"&"[0]: 2, b"."[0]: 2, b"!"[0]: 3, b"C"[0]: 3, b"W"[0]: 3, b"-"[0]: 3, b"S"[0]: 4}
GS_LENGTHS = {
    b"!"[0]: 3, b"B"[0]: 3, b"h"[0]: 3, b"w"[0]: 3, b"H"[0]: 3, b"f"[0]: 3, b"b"[0]: 3,
    b"a"[0]: 3, b"L"[0]: 4, b"W"[0]: 4, b"r"[0]: 3, b"I"[0]: 3,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PrintedLine:
    """One printed line with the magnification (``GS !`` value) and alignment it started with."""

    text: str
    size: int = 0
    align: int = 0


@dataclass(frozen=True, slots=True)
class QrSymbol:
    """A QR code printed with ``GS ( k``: the stored bytes exactly, and the settings in force."""

    data: bytes
    model: int | None = None  # fn 65: 49 model 1, 50 model 2
    module_size: int | None = None  # fn 67
    error_level: int | None = None  # fn 69: 48 L, 49 M, 50 Q, 51 H


@dataclass(frozen=True, slots=True)
class RasterImage:
    """A ``GS v 0`` raster image: ``rows`` of ``width_bytes`` bytes, MSB leftmost, 1 = black."""

    mode: int
    width_bytes: int
    rows: tuple[bytes, ...]

    @property
    def width(self) -> int:
        """Width in dots (whole bytes)."""
        return self.width_bytes * 8

    def dots(self) -> list[list[bool]]:
        """The image as rows of dots, True = black."""
        return [
            [bool(row[x >> 3] & (0x80 >> (x & 7))) for x in range(self.width)] for row in self.rows
        ]


@dataclass
class EscPosReader:
    """Feed bytes in any chunking; read lines, cuts, QR payloads and status queries out."""

    chinese_default: bool = False
    lines: list[PrintedLine] = field(default_factory=list)
    cuts: int = 0
    qr_codes: list[str] = field(default_factory=list)
    qr_symbols: list[QrSymbol] = field(default_factory=list)
    images: list[RasterImage] = field(default_factory=list)
    unknown: list[bytes] = field(default_factory=list)
    jobs: list[list[PrintedLine]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._buf = bytearray()
        self._chinese = self.chinese_default
        self._size = 0
        self._align = 0
        self._line = ""
        self._line_size = 0
        self._line_align = 0
        self._qr_store = b""
        self._qr_settings: dict[int, int] = {}
        self._job_start = 0

    @property
    def text(self) -> str:
        """Every completed line so far, joined with newlines."""
        return "\n".join(line.text for line in self.lines)

    def feed(self, data: bytes) -> list[int]:
        """Consume bytes; returns the ``DLE EOT n`` queries found, in order, for answering."""
        self._buf += data
        queries: list[int] = []
        while self._buf:
            used = self._step(queries)
            if used == 0:
                break  # an incomplete command: wait for more bytes
            del self._buf[:used]
        return queries

    def _step(self, queries: list[int]) -> int:
        buf = self._buf
        first = buf[0]
        if first == 0x0A:
            self._end_line()
            return 1
        if first == 0x0D:
            return 1
        if first == 0x10:
            return self._dle(queries)
        if first == 0x1B:
            return self._esc()
        if first == 0x1C:
            return self._prefixed(FS_LENGTHS, self._fs)
        if first == 0x1D:
            return self._gs()
        if first < 0x20 or first == 0x7F:
            self.unknown.append(bytes(buf[:1]))
            return 1
        return self._text()

    def _dle(self, queries: list[int]) -> int:
        if len(self._buf) < 3:
            return 0
        if self._buf[1] == 0x04:
            queries.append(self._buf[2])
        else:
            self.unknown.append(bytes(self._buf[:3]))
        return 3

    def _prefixed(self, table: dict[int, int], apply: Callable[[bytes], None]) -> int:
        if len(self._buf) < 2:
            return 0
        length = table.get(self._buf[1])
        if length is None:
            self.unknown.append(bytes(self._buf[:2]))
            return 2
        if len(self._buf) < length:
            return 0
        apply(bytes(self._buf[:length]))
        return length

    def _esc(self) -> int:
        buf = self._buf
        if len(buf) >= 2 and buf[1] == 0x2A:  # ESC * m nL nH: bit image
            if len(buf) < 5:
                return 0
            width = buf[3] + 256 * buf[4]
            total = 5 + width * (3 if buf[2] in (32, 33) else 1)
            return total if len(buf) >= total else 0
        return self._prefixed(ESC_LENGTHS, self._apply_esc)

    def _apply_esc(self, cmd: bytes) -> None:
        op = cmd[1]
        if op == 0x40:  # ESC @ resets modes, Chinese mode back to the printer's default
            self._flush_partial()
            self._chinese, self._size, self._align = self.chinese_default, 0, 0
        elif op == 0x61:
            self._align = cmd[2] & 0x03 if cmd[2] < 0x30 else cmd[2] - 0x30
        elif op == 0x64:
            self._flush_partial()
        elif op == 0x69 or op == 0x6D:
            self._cut()

    def _fs(self, cmd: bytes) -> None:
        if cmd[1] == 0x26:
            self._chinese = True
        elif cmd[1] == 0x2E:
            self._chinese = False

    def _gs(self) -> int:
        buf = self._buf
        if len(buf) < 2:
            return 0
        op = buf[1]
        if op == 0x56:  # GS V m [n]
            if len(buf) < 3:
                return 0
            length = 4 if buf[2] in (65, 66) else 3
            if len(buf) < length:
                return 0
            self._cut()
            return length
        if op == 0x28:  # GS ( fn pL pH data
            if len(buf) < 5:
                return 0
            total = 5 + buf[3] + 256 * buf[4]
            if len(buf) < total:
                return 0
            if buf[2] == 0x6B:
                self._qr(bytes(buf[5:total]))
            return total
        if op == 0x76:  # GS v 0 m xL xH yL yH data: raster image
            if len(buf) < 8:
                return 0
            width_bytes = buf[4] + 256 * buf[5]
            height = buf[6] + 256 * buf[7]
            total = 8 + width_bytes * height
            if len(buf) < total:
                return 0
            body = bytes(buf[8:total])
            rows = tuple(body[i * width_bytes : (i + 1) * width_bytes] for i in range(height))
            self._flush_partial()
            self.images.append(RasterImage(buf[3], width_bytes, rows))
            return total
        if op == 0x6B:  # GS k m ...: barcode
            return self._barcode()
        return self._prefixed(GS_LENGTHS, self._apply_gs)

    def _apply_gs(self, cmd: bytes) -> None:
        if cmd[1] == 0x21:
            self._size = cmd[2]

    def _barcode(self) -> int:
        buf = self._buf
        if len(buf) < 3:
            return 0
        if buf[2] <= 6:
            end = buf.find(b"\x00", 3)
            return end + 1 if end >= 0 else 0
        if len(buf) < 4:
            return 0
        total = 4 + buf[3]
        return total if len(buf) >= total else 0

    def _qr(self, body: bytes) -> None:
        if body[:1] != b"1" or len(body) < 3:  # cn 49: QR code; other symbologies ignored
            return
        fn = body[1]
        if body[:3] == b"1P0":  # fn 80: store the data
            self._qr_store = body[3:]
        elif body[:3] == b"1Q0":  # fn 81: print the stored symbol
            self.qr_codes.append(self._qr_store.decode("utf-8", errors="replace"))
            s = self._qr_settings
            self.qr_symbols.append(QrSymbol(self._qr_store, s.get(65), s.get(67), s.get(69)))
        elif fn in (65, 67, 69):  # model (n1), module size, error correction level
            self._qr_settings[fn] = body[2]

    def _text(self) -> int:
        buf = self._buf
        first = buf[0]
        if not self._chinese or first < 0x81 or first == 0xFF:
            self._add(bytes(buf[:1]).decode("cp437"))
            return 1
        if len(buf) < 2:
            return 0
        length = 4 if 0x30 <= buf[1] <= 0x39 else 2
        if len(buf) < length:
            return 0
        self._add(bytes(buf[:length]).decode("gb18030", errors="replace"))
        return length

    def _add(self, char: str) -> None:
        if not self._line:
            self._line_size, self._line_align = self._size, self._align
        self._line += char

    def _end_line(self) -> None:
        if self._line:
            size, align = self._line_size, self._line_align
        else:
            size, align = self._size, self._align
        self.lines.append(PrintedLine(self._line, size, align))
        self._line = ""

    def _flush_partial(self) -> None:
        if self._line:
            self._end_line()

    def _cut(self) -> None:
        self._flush_partial()
        self.cuts += 1
        self.jobs.append(self.lines[self._job_start :])
        self._job_start = len(self.lines)
