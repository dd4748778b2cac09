"""QR codes for printers without the native ``GS ( k`` function: the symbol drawn as a raster
image (``GS v 0``), and the matrix it is drawn from (pure: text in, bytes out).

The matrix comes from the ``qrcode`` package (model 2, byte mode, the error correction level
given); each module becomes a square of ``module_dots`` printer dots, with a quiet zone of four
modules as the QR standard asks, and the image is cut to whole bytes per row (``GS v 0``
counts its width in bytes, each byte eight dots, the most significant bit leftmost).
"""

from __future__ import annotations

from typing import Literal

import qrcode
import qrcode.constants

GS = b"\x1d"
QUIET_ZONE = 4  # modules of white around the symbol (ISO/IEC 18004)
ErrorLevel = Literal["L", "M", "Q", "H"]
_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
Matrix = tuple[tuple[bool, ...], ...]


def qr_matrix(data: bytes, level: ErrorLevel = "M") -> Matrix:
    """The QR symbol of ``data`` (byte mode, smallest version), dark modules True, no border."""
    if level not in _LEVELS:
        raise ValueError(f"QR error correction must be L, M, Q or H, got {level!r}")
    code = qrcode.QRCode(error_correction=_LEVELS[level], border=0)
    code.add_data(qrcode.util.QRData(data, mode=qrcode.util.MODE_8BIT_BYTE))
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


def raster(rows: list[list[bool]] | Matrix) -> bytes:
    """``GS v 0``: print ``rows`` (True = black dot) as one raster image at normal density."""
    height = len(rows)
    width = len(rows[0]) if rows else 0
    if not height or not width:
        raise ValueError("a raster image needs at least one dot")
    if any(len(row) != width for row in rows):
        raise ValueError("every row of a raster image must have the same width")
    width_bytes = (width + 7) // 8
    if width_bytes > 0xFFFF or height > 0xFFFF:
        raise ValueError(f"raster image of {width}x{height} dots is too large")
    body = bytearray()
    for row in rows:
        for start in range(0, width_bytes * 8, 8):
            byte = 0
            for bit in range(8):
                x = start + bit
                if x < width and row[x]:
                    byte |= 0x80 >> bit
            body.append(byte)
    header = GS + b"v0\x00" + bytes([width_bytes & 0xFF, width_bytes >> 8])
    return header + bytes([height & 0xFF, height >> 8]) + bytes(body)


def scaled(matrix: Matrix, module_dots: int, quiet_zone: int = QUIET_ZONE) -> list[list[bool]]:
    """``matrix`` with its quiet zone, each module ``module_dots`` dots square."""
    if module_dots < 1:
        raise ValueError(f"module size must be at least 1 dot, got {module_dots}")
    size = len(matrix) + 2 * quiet_zone
    rows: list[list[bool]] = []
    for y in range(size):
        my = y - quiet_zone
        line: list[bool] = []
        for x in range(size):
            mx = x - quiet_zone
            dark = 0 <= my < len(matrix) and 0 <= mx < len(matrix) and matrix[my][mx]
            line.extend([dark] * module_dots)
        rows.extend([list(line) for _ in range(module_dots)])
    return rows


def qr_raster(data: bytes, module_dots: int, max_dots: int, level: ErrorLevel = "M") -> bytes:
    """The QR symbol of ``data`` as a ``GS v 0`` image at most ``max_dots`` wide: modules of
    ``module_dots`` dots, smaller when the symbol would not fit the paper."""
    matrix = qr_matrix(data, level)
    modules = len(matrix) + 2 * QUIET_ZONE
    dots = min(module_dots, max_dots // modules)
    if dots < 1:
        raise ValueError(f"a QR code of {modules} modules does not fit {max_dots} dots")
    return raster(scaled(matrix, dots))
