"""The printer adapter against the simulated network printer over real sockets."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from devices.errors import DeviceUnavailable
from devices.printer.adapter import PrinterNotReady, TicketPrinter
from devices.printer.protocol import NoticePrint, TicketPrint, render_ticket
from devices.printer.simulator import PrinterSimulator
from devices.printer.status import PrinterState
from devices.printer.transport import SerialTransport, TcpTransport

TICKET = TicketPrint(
    hall_name="某某区政务服务中心",
    service_name="营业执照（个体户）",
    number="A012",
    people_ahead=12,
    issued_at=datetime(2026, 11, 22, 14, 5, tzinfo=ZoneInfo("Asia/Shanghai")),
    window_hint="１２号、１３号窗口",
    qr_payload="https://hall.example/t/A012",
    required_documents=("身份证原件（本人）", "经营场所证明：租赁合同、产权证明"),
    footer="请留意叫号，过号请重新取号。",
)


@pytest.fixture
def sim() -> Iterator[PrinterSimulator]:
    with PrinterSimulator() as simulator:
        yield simulator


@pytest.fixture
def printer(sim: PrinterSimulator) -> Iterator[TicketPrinter]:
    with TicketPrinter(TcpTransport("127.0.0.1", sim.port, timeout=2), status_timeout=0.3) as p:
        yield p


def expected_text() -> str:
    return "\n".join(
        [
            "某某区政务服务中心",
            "营业执照（个体户）",
            "-" * 32,
            "A012",
            "前面还有 12 人等候",
            "办理窗口：１２号、１３号窗口",
            "",  # the line feed after the QR code
            "所需材料：",
            "1. 身份证原件（本人）",
            "2. 经营场所证明：租赁合同、产权",  # 31 columns: "证" would make 33
            "   证明",
            "取号时间：2026-11-22 14:05",
            "请留意叫号，过号请重新取号。",
        ]
    )


def test_printed_text_recovered_by_the_simulator(
    sim: PrinterSimulator, printer: TicketPrinter
) -> None:
    result = printer.print_ticket(TICKET)
    assert result.status.state is PrinterState.READY
    assert sim.wait_for_cuts(1)
    assert sim.jobs == [expected_text()]
    assert sim.cuts == 1
    assert sim.qr_codes == ["https://hall.example/t/A012"]
    assert sim.unknown_commands == []
    # the status queries came first, then exactly the rendered ticket
    assert sim.received.endswith(render_ticket(TICKET))
    assert printer.available


def test_serial_transport_over_a_pyserial_socket_url(sim: PrinterSimulator) -> None:
    transport = SerialTransport(f"socket://127.0.0.1:{sim.port}", timeout=2)
    with TicketPrinter(transport, status_timeout=0.3) as p:
        assert p.status().state is PrinterState.READY
        p.print_ticket(TICKET)
    assert sim.wait_for("过号请重新取号")
    assert sim.cuts == 1


@pytest.mark.parametrize(
    ("changes", "state"),
    [
        ({"paper": "near_end"}, PrinterState.PAPER_NEAR_END),
        ({"paper": "out"}, PrinterState.OUT_OF_PAPER),
        ({"cover_open": True}, PrinterState.COVER_OPEN),
        ({"offline": True}, PrinterState.OFFLINE),
        ({"cutter_error": True}, PrinterState.ERROR),
        ({"silent": True}, PrinterState.UNKNOWN),
        ({"malformed": True}, PrinterState.UNKNOWN),
    ],
)
def test_status_states(
    sim: PrinterSimulator, printer: TicketPrinter, changes: dict[str, object], state: PrinterState
) -> None:
    sim.set_state(**changes)
    assert printer.status().state is state
    assert printer.available  # the link works even when the printer cannot print


def test_silent_printer_is_unknown_not_offline(
    sim: PrinterSimulator, printer: TicketPrinter
) -> None:
    sim.set_state(silent=True)
    status = printer.status()
    assert status.online is None and status.paper_end is None
    # unknown status does not block printing: spooler-like printers never answer
    printer.print_ticket(TICKET)
    assert sim.wait_for("A012")


def test_a_late_answer_is_not_read_as_the_next_querys(
    sim: PrinterSimulator, printer: TicketPrinter
) -> None:
    """Out of paper, the printer answers query 2 after the adapter stopped waiting (0.3 s).
    The four answers look alike: read as query 3's, the late byte shifted query 3's into
    query 4's place, whose paper bit then said "paper present"."""
    sim.set_state(paper="out", late=(2, 0.45))
    first = printer.status()
    assert first.online is False  # query 1 answered: offline
    assert first.paper_end is None and first.cover_open is None  # unknown, not misread
    assert first.state is PrinterState.OFFLINE
    sim.set_state(late=None)
    # At once, while the late byte is on its way: it went to the link that was given up.
    assert printer.status().state is PrinterState.OUT_OF_PAPER
    assert sim.connections == 2


def test_out_of_paper_refuses_and_sends_no_ticket_byte(
    sim: PrinterSimulator, printer: TicketPrinter
) -> None:
    sim.set_state(paper="out")
    with pytest.raises(PrinterNotReady, match="out of paper") as info:
        printer.print_ticket(TICKET)
    assert info.value.status.paper_end is True
    assert sim.cuts == 0
    assert b"A012" not in sim.received
    sim.set_state(paper="ok")
    printer.print_ticket(TICKET)
    assert sim.wait_for("A012")


def test_paper_near_end_is_reported_and_logged_once(
    sim: PrinterSimulator, printer: TicketPrinter, caplog: pytest.LogCaptureFixture
) -> None:
    sim.set_state(paper="near_end")
    with caplog.at_level(logging.WARNING, logger="devices.printer.adapter"):
        assert printer.print_ticket(TICKET).paper_near_end
        assert printer.print_ticket(TICKET).paper_near_end
    assert [r.message for r in caplog.records].count(
        f"printer {printer.transport.name} paper near end (纸将尽)"
    ) == 1


def test_notice_printing(sim: PrinterSimulator, printer: TicketPrinter) -> None:
    notice = NoticePrint(
        hall_name="某某区政务服务中心",
        service_name="食品经营许可",
        missing_documents=("健康证明（从业人员）",),
        issued_at=TICKET.issued_at,
    )
    printer.print_notice(notice)
    assert sim.wait_for("1. 健康证明（从业人员）")
    assert sim.jobs[0].startswith("一次性告知单\n某某区政务服务中心")


def test_dropped_connection_is_reopened_before_the_job(
    sim: PrinterSimulator, printer: TicketPrinter
) -> None:
    printer.print_ticket(TICKET)
    assert sim.wait_for("A012")
    sim.drop_connections()
    printer.print_ticket(TICKET)  # the status check notices the close and reconnects
    assert sim.wait_for_cuts(2)
    assert sim.connections == 2
    assert sim.jobs[0] == sim.jobs[1] == expected_text()
    assert printer.available


def test_printer_gone_then_back(
    sim: PrinterSimulator, printer: TicketPrinter, caplog: pytest.LogCaptureFixture
) -> None:
    printer.print_ticket(TICKET)
    sim.stop()
    with caplog.at_level(logging.INFO, logger="devices.printer.adapter"):
        with pytest.raises(DeviceUnavailable, match=r"printer tcp://127\.0\.0\.1"):
            printer.print_ticket(TICKET)
        assert not printer.available
        with pytest.raises(DeviceUnavailable):
            printer.status()
        sim.start()  # same port
        assert printer.status().state is PrinterState.READY
    assert printer.available
    messages = [r.message for r in caplog.records]
    assert sum("unavailable" in m for m in messages) == 1
    assert sum(m.endswith("recovered") for m in messages) == 1
