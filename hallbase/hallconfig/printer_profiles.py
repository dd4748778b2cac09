"""Ticket printer models and what each can do, for ``profile = "..."`` in the hall file.

Data, not code: native QR (``GS ( k``) or raster images only, a cutter, paper width, printable
dots and font A columns, and the code page for text outside Chinese mode. The facts are those
of the ESC/POS printer capability database (escpos-printer-db, which python-escpos ships) for
the models named; ``chinese`` says the model sold here carries a GB18030/GBK font, true of the
Chinese-market models and of the Chinese-language variants of the Epson models. A model not in
the table is configured with the ``generic`` profile and the printer's own overrides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

QrSupport = Literal["native", "raster"]


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    """What one printer model can do."""

    qr: QrSupport
    cutter: bool
    paper_mm: Literal[58, 80] | None = None  # None: the hall file's paper_mm
    width_dots: int | None = None  # None: 384 dots on 58 mm, 576 on 80 mm
    columns: int | None = None  # None: 32 on 58 mm, 48 on 80 mm
    chinese: bool = True
    code_page: int = 0  # ESC t n: 0 = CP437


PROFILES: dict[str, PrinterProfile] = {
    # A generic ESC/POS printer: native QR, full cut (the database's "default").
    "generic": PrinterProfile(qr="native", cutter=True),
    # Raster images only, no cutter (the database's "simple").
    "simple": PrinterProfile(qr="raster", cutter=False),
    "POS-5890": PrinterProfile(qr="raster", cutter=False, paper_mm=58, width_dots=384, columns=32),
    "ZJ-5870": PrinterProfile(qr="raster", cutter=False, paper_mm=58, width_dots=384, columns=32),
    "NT-5890K": PrinterProfile(qr="raster", cutter=False, paper_mm=58, width_dots=384, columns=32),
    "Sunmi-V2": PrinterProfile(qr="native", cutter=False, paper_mm=58, width_dots=384, columns=32),
    "NT-80-V-UL": PrinterProfile(qr="native", cutter=True, paper_mm=80, width_dots=576),
    "RP-F10-58mm": PrinterProfile(
        qr="native", cutter=True, paper_mm=58, width_dots=432, columns=36
    ),
    "RP-F10-80mm": PrinterProfile(
        qr="native", cutter=True, paper_mm=80, width_dots=576, columns=48
    ),
    "TH230": PrinterProfile(qr="raster", cutter=True, paper_mm=80, width_dots=576, columns=44),
    "TM-T20II": PrinterProfile(qr="native", cutter=True, paper_mm=80, width_dots=576, columns=48),
    "TM-T88IV": PrinterProfile(qr="native", cutter=True, paper_mm=80, width_dots=512, columns=42),
    "TM-T88V": PrinterProfile(qr="native", cutter=True, paper_mm=80, width_dots=512, columns=42),
    "TM-P80": PrinterProfile(qr="native", cutter=True, paper_mm=80, width_dots=576, columns=42),
}


def profile_named(name: str) -> PrinterProfile:
    """The profile ``name``; a ValueError lists the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown printer profile {name!r}; known: {known}") from None
