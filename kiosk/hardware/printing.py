"""What the queue prints: ticket and one-time notice jobs, their content read from the
database, the printer built from the hall file, and the words for printer trouble."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from devices.printer.adapter import TicketPrinter
from devices.printer.protocol import NoticePrint, RenderOptions, TicketPrint
from devices.printer.status import PrinterState
from devices.printer.transport import PrinterTransport, SerialTransport, TcpTransport
from hallbase.hallconfig.queue_devices import QueueDevicesSection, printer_link
from hallbase.models import Hall
from kiosk.context import Ctx
from kiosk.lookup import service_by_id
from kiosk.records import TICKETS
from kiosk.tickets import open_windows, people_ahead

ALERT_KINDS = {
    PrinterState.OUT_OF_PAPER: "printer_paper_out",
    PrinterState.COVER_OPEN: "printer_cover_open",
    PrinterState.ERROR: "printer_error",
    PrinterState.OFFLINE: "printer_offline",
}
PRINTER_TEXT = {
    "ready": {"zh": "", "en": ""},
    "printer_paper_out": {
        "zh": "凭条打印机缺纸，暂不能打印凭条，请记下屏幕上的号码",
        "en": "The ticket printer is out of paper: please note the number on screen",
    },
    "printer_cover_open": {
        "zh": "凭条打印机纸仓盖未关，暂不能打印凭条，请记下屏幕上的号码",
        "en": "The ticket printer's cover is open: please note the number on screen",
    },
    "printer_error": {
        "zh": "凭条打印机故障，暂不能打印凭条，请记下屏幕上的号码",
        "en": "The ticket printer has a fault: please note the number on screen",
    },
    "printer_offline": {
        "zh": "凭条打印机未连接，暂不能打印凭条，请记下屏幕上的号码",
        "en": "The ticket printer is not connected: please note the number on screen",
    },
    "printer_paper_low": {
        "zh": "凭条打印机纸将用完，请及时更换纸卷",
        "en": "The ticket printer's paper is nearly used up: please change the roll",
    },
}


@dataclass(frozen=True, slots=True)
class PrintTicket:
    """Print the queue ticket of leg ``ticket_id``."""

    ticket_id: int


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
        else SerialTransport(where, timeout=config.printer_timeout_s)
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
    hint = "、".join(str(n) for n in sorted(windows)) + "号窗口" if windows else None
    return TicketPrint(
        hall_name=hall_name(ctx),
        service_name=service.name,
        number=ticket.code,
        people_ahead=people_ahead(ctx, ticket),
        issued_at=ticket.issued_at.astimezone(ctx.zone),
        window_hint=hint,
        required_documents=tuple(service.documents),
        footer=footer,
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
        window=f"{job.window}号窗口" if job.window else None,
    )
