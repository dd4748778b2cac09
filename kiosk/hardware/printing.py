"""What the queue prints: ticket and one-time notice jobs, their content read from the
database, the printer built from the hall file, and what printer trouble reads (``printer.*``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from devices.printer.adapter import TicketPrinter
from devices.printer.protocol import NoticePrint, RenderOptions, TicketPrint
from devices.printer.status import PrinterState
from devices.printer.transport import PrinterTransport, SerialTransport, TcpTransport
from hallbase.hallconfig.queue_devices import QueueDevicesSection, printer_link
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


def make_printer(config: QueueDevicesSection) -> TicketPrinter | None:
    """The ticket printer the section names, or None."""
    if config.printer is None:
        return None
    kind, where, port = printer_link(config.printer)
    transport: PrinterTransport = (
        TcpTransport(where, port, timeout=config.printer_timeout_s)
        if kind == "tcp"
        else SerialTransport(
            where,
            baudrate=config.printer_baudrate,
            timeout=config.printer_timeout_s,
            parity=PARITY[config.printer_parity],
        )
    )
    return TicketPrinter(
        transport,
        options=RenderOptions(paper_mm=config.paper_mm),
        status_timeout=config.printer_status_timeout_s,
    )


def hall_name(ctx: Ctx) -> str:
    """The hall's name as printed on its tickets."""
    hall = ctx.session.exec(select(Hall)).first()
    return hall.name if hall else ""


def ticket_print(ctx: Ctx, ticket_id: int, footer: str = "") -> TicketPrint | None:
    """What the ticket of leg ``ticket_id`` shows (None when it does not exist)."""
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
