"""What the queue prints: ticket and one-time notice jobs, their content read from the
database, the printer built from the hall file, and what printer trouble reads (``printer.*``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from devices.printer.adapter import TicketPrinter
from devices.printer.protocol import NoticePrint, RenderOptions, TicketPrint
from devices.printer.status import PrinterState
from devices.printer.transport import (
    PrinterTransport,
    SerialTransport,
    TcpTransport,
    UsbLpTransport,
)
from hallbase.hallconfig.printers import PrinterSetup, printer_link
from hallbase.hallconfig.queue_devices import QueueDevicesSection
from hallbase.models import Hall
from hallbase.words import DEFAULT, each, has, t, under
from kiosk.context import Ctx
from kiosk.lookup import service_by_id
from kiosk.records import TICKETS
from kiosk.tickets import open_windows, people_ahead

PARITY = {"none": "N", "even": "E", "odd": "O"}  # the hall file's words -> pyserial's
ALERT_KINDS = {
    PrinterState.OUT_OF_PAPER: "printer_paper_out",
    PrinterState.COVER_OPEN: "printer_cover_open",
    PrinterState.ERROR: "printer_error",
    PrinterState.OFFLINE: "printer_offline",
}


def printer_text(kind: str) -> dict[str, str]:
    """What the kiosk and the supervisors read about printer trouble ``kind``, by language."""
    return each(f"printer.{kind}") if has(f"printer.{kind}") else {}


@dataclass(frozen=True, slots=True)
class PrintTicket:
    """Print the queue ticket of leg ``ticket_id`` (``reprint``: staff asked for it again)."""

    ticket_id: int
    reprint: bool = False


@dataclass(frozen=True, slots=True)
class PrintNotice:
    """Print the one-time notice of ``ticket_id`` finished at ``window``."""

    ticket_id: int
    window: int | None
    documents: tuple[str, ...]


Job = PrintTicket | PrintNotice


def render_options(setup: PrinterSetup) -> RenderOptions:
    """How to render for a printer with ``setup``'s capabilities."""
    return RenderOptions(
        paper_mm=setup.paper_mm,
        chinese=setup.chinese,
        cut=setup.cut,
        qr=setup.qr,
        code_page=setup.code_page,
        width_dots=setup.width_dots,
        font_columns=setup.columns,
    )


def make_printer_from(config: QueueDevicesSection, setup: PrinterSetup) -> TicketPrinter:
    """The printer ``setup`` describes, on its link (network, serial or USB printer class)."""
    kind, where, port = printer_link(setup.address)
    timeout = config.printer_timeout_s
    transport: PrinterTransport
    if kind == "tcp":
        transport = TcpTransport(where, port, timeout=timeout)
    elif kind == "usblp":
        transport = UsbLpTransport(where, timeout=timeout)
    else:
        parity = PARITY[config.printer_parity]
        transport = SerialTransport(
            where, baudrate=config.printer_baudrate, timeout=timeout, parity=parity
        )
    return TicketPrinter(
        transport,
        options=render_options(setup),
        status_timeout=config.printer_status_timeout_s,
        check_status=setup.status,
    )


def make_printers(config: QueueDevicesSection) -> dict[str, TicketPrinter]:
    """Every printer the section names, by name (the main one, if any, first)."""
    return {setup.name: make_printer_from(config, setup) for setup in config.printer_setups()}


def make_printer(config: QueueDevicesSection) -> TicketPrinter | None:
    """The printer tickets go to when their kiosk has none of its own, or None."""
    name = config.default_printer()
    if name is None:
        return None
    setup = next(s for s in config.printer_setups() if s.name == name)
    return make_printer_from(config, setup)


def ticket_url(public_url: str | None, token: str | None) -> str | None:
    """The citizen's ticket page that the QR code opens (None without an address or token)."""
    if public_url is None or not token:
        return None
    return f"{public_url}/my-ticket/{token}"


def hall_name(ctx: Ctx) -> str:
    """The hall's name as printed on its tickets."""
    hall = ctx.session.exec(select(Hall)).first()
    return hall.name if hall else ""


def ticket_print(
    ctx: Ctx, ticket_id: int, footer: str = "", public_url: str | None = None
) -> TicketPrint | None:
    """What the ticket of leg ``ticket_id`` shows (None when it does not exist); with the
    service's ``public_url``, a QR code of the citizen's ticket page."""
    ticket = TICKETS.get(ctx.session, ticket_id)
    if ticket is None:
        return None
    service = service_by_id(ctx.session, ticket.service_id)
    assert service.id is not None
    windows = open_windows(ctx.session, service.id)
    numbers = t("printer.window_sep").join(str(n) for n in sorted(windows))
    hint = t("printer.windows", windows=numbers) if windows else None
    return TicketPrint(
        hall_name=hall_name(ctx),
        service_name=service.name,
        number=ticket.code,
        people_ahead=people_ahead(ctx, ticket),
        issued_at=ticket.issued_at.astimezone(ctx.zone),
        window_hint=hint,
        qr_payload=ticket_url(public_url, ticket.public_token),
        required_documents=tuple(service.documents),
        footer=footer,
        labels=under("printer.receipt", DEFAULT),
    )


def notice_print(ctx: Ctx, job: PrintNotice) -> NoticePrint | None:
    """The one-time notice (一次性告知单) of a job (None without ticket or documents)."""
    ticket = TICKETS.get(ctx.session, job.ticket_id)
    if ticket is None or not job.documents:
        return None
    service = service_by_id(ctx.session, ticket.service_id)
    return NoticePrint(
        hall_name=hall_name(ctx),
        service_name=service.name,
        missing_documents=job.documents,
        issued_at=ctx.now.astimezone(ctx.zone),
        ticket_number=ticket.code,
        window=t("printer.window", window=job.window) if job.window else None,
        labels=under("printer.receipt", DEFAULT),
    )
