"""The queue's printers in the hall file: one per kiosk, a window's own, and the hall's main one.

Example::

    [queue_devices]
    printer = "192.168.1.50:9100"      # the main printer (named "main"): tickets of kiosks
    printer_profile = "TM-T20II"       # that have none of their own, and windows' notices

    [[queue_devices.printers]]
    name = "P1"
    address = "/dev/usb/lp0"           # USB printer class; or host:port, or a serial device
    profile = "POS-5890"               # capabilities: see hallbase.hallconfig.printer_profiles
    kiosks = ["kiosk-east"]            # the kiosks (their machine key's name) printing here

    [[queue_devices.windows]]
    number = 3
    printer = "P2"                     # this window's one-time notices print here

An address is ``host:port`` (network, e.g. port 9100), a serial device or pyserial URL
(``/dev/ttyUSB0``, ``socket://...``), or a USB printer-class device: ``/dev/usb/lp0`` (any
``/dev/usb/lp*``), or ``usblp:PATH`` for another path. A USB printer-class link is written
only: such a printer is printed to without status checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hallbase.hallconfig.printer_profiles import profile_named

MAIN = "main"  # the name of the printer given by [queue_devices] printer
LinkKind = Literal["tcp", "serial", "usblp"]
QrMode = Literal["native", "raster", "none"]


def printer_link(address: str) -> tuple[LinkKind, str, int]:
    """How to reach a printer: ("tcp", host, port), ("serial", url, 0) or ("usblp", path, 0)."""
    if address.startswith("usblp:"):
        path = address.removeprefix("usblp:")
        if not path.startswith("/"):
            raise ValueError(f"printer address {address!r}: usblp: needs an absolute path")
        return "usblp", path, 0
    if address.startswith(("/dev/usb/lp", "/dev/usblp")):
        return "usblp", address, 0
    if "://" in address or address.startswith(("/", "COM")):
        return "serial", address, 0
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(
            f"printer address {address!r}: use host:port (e.g. 192.168.1.50:9100), "
            "a serial device path (/dev/ttyUSB0) or a USB printer device (/dev/usb/lp0)"
        )
    return "tcp", host, int(port)


@dataclass(frozen=True, slots=True)
class PrinterSetup:
    """One printer as the queue drives it: its link and its capabilities, overrides applied."""

    name: str
    address: str
    kind: LinkKind
    qr: QrMode
    cut: bool
    paper_mm: Literal[58, 80]
    width_dots: int | None
    columns: int | None
    chinese: bool
    code_page: int
    status: bool  # real-time status checks before each job (two-way links only)


class PrinterEntry(BaseModel):
    """A ``[[queue_devices.printers]]`` entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,20}$")
    address: str = Field(min_length=1)
    profile: str = "generic"
    paper_mm: Literal[58, 80] | None = None
    qr: QrMode | None = Field(default=None, description="override the profile: native/raster/none")
    cutter: bool | None = None
    status: bool | None = Field(default=None, description="status checks; default: two-way links")
    kiosks: tuple[str, ...] = Field(default=(), description="kiosk machine key names")

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        printer_link(value)
        return value

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        profile_named(value)
        return value

    def setup(self, paper_mm: Literal[58, 80]) -> PrinterSetup:
        """This printer's link and capabilities (``paper_mm``: the section's default)."""
        kind, _, _ = printer_link(self.address)
        profile = profile_named(self.profile)
        if self.qr == "native" and profile.qr == "raster":
            raise ValueError(
                f"printer {self.name!r}: profile {self.profile} has no native QR code; "
                'use qr = "raster"'
            )
        if self.status and kind == "usblp":
            raise ValueError(
                f"printer {self.name!r}: a USB printer-class link is write-only here; "
                "leave status out"
            )
        paper = self.paper_mm or profile.paper_mm or paper_mm
        same_paper = profile.paper_mm in (None, paper)
        return PrinterSetup(
            name=self.name,
            address=self.address,
            kind=kind,
            qr=self.qr or profile.qr,
            cut=profile.cutter if self.cutter is None else self.cutter,
            paper_mm=paper,
            width_dots=profile.width_dots if same_paper else None,
            columns=profile.columns if same_paper else None,
            chinese=profile.chinese,
            code_page=profile.code_page,
            status=kind != "usblp" if self.status is None else self.status,
        )


def printer_problems(
    entries: tuple[PrinterEntry, ...], main: bool, windows: dict[int, str | None]
) -> list[str]:
    """What is wrong with the printers together: names, kiosks, windows' printers."""
    problems: list[str] = []
    names = [e.name for e in entries] + ([MAIN] if main else [])
    for name in sorted({n for n in names if names.count(n) > 1}):
        reason = " (the name of [queue_devices] printer)" if name == MAIN and main else ""
        problems.append(f"printers: the name {name!r} is used twice{reason}")
    seen: dict[str, str] = {}
    for entry in entries:
        for kiosk in entry.kiosks:
            if kiosk in seen:
                problems.append(
                    f"printers: kiosk {kiosk!r} is given to {seen[kiosk]} and {entry.name}"
                )
            seen[kiosk] = entry.name
        try:
            entry.setup(58)
        except ValueError as exc:
            problems.append(str(exc))
    for number, printer in sorted(windows.items()):
        if printer is not None and printer not in names:
            problems.append(f"windows: window {number}'s printer {printer!r} is not a printer")
    return problems
