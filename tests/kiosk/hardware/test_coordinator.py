"""The queue's devices wired to the queue, against the printer, board and keypad simulators."""

from __future__ import annotations

import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from hallbase.hallconfig.queue_devices import QueueDevicesSection, WindowDevices
from hallbase.models import AlertOutbox
from hallbase.settings import Settings
from hallkeeper.app import create_app
from kiosk.hardware.coordinator import install_queue_devices
from kiosk.hardware.simulated import devices_toml, queue_simulators
from kiosk.models import Ticket
from tests.helpers.auth import machine_key
from tests.helpers.queue import MONDAY_9AM, Clock
from tests.helpers.queue_devices import LED_GAP_MS, Hall, post
from tests.helpers.waiting import wait_until
from tests.kiosk.snapshot import queue_alerts


def test_ticket_is_printed_with_number_service_and_documents(hall: Hall) -> None:
    first = post(hall.client, "/tickets", {"service": "social_security"})
    post(hall.client, "/tickets", {"service": "social_security"})
    assert hall.sims.printer.wait_for_cuts(2)
    jobs = hall.sims.printer.jobs
    assert "C001" in jobs[0] and "社保业务" in jobs[0] and "社会保障卡" in jobs[0]
    assert "前面无人等候" in jobs[0]
    assert "C002" in jobs[1] and "前面还有 1 人等候" in jobs[1]
    assert first["code"] == "C001"


class TimedWrites:
    """A bus line that notes when each frame's write began and ended (on the monotonic clock
    the bus schedules by), around the real line."""

    def __init__(self, line: Any) -> None:
        self.line = line
        self.writes: list[tuple[float, float]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.line, name)

    def write(self, frame: bytes) -> None:
        start = time.monotonic()
        self.line.write(frame)
        self.writes.append((start, time.monotonic()))


def test_call_blinks_on_window_and_hall_board_then_steadies(hall: Hall) -> None:
    led = hall.devices.led
    assert led is not None
    timed = TimedWrites(led.transport)
    led.transport = timed
    post(hall.client, "/tickets", {"service": "social_security"})
    post(hall.client, "/windows/3/call-next")
    boards = hall.sims.boards
    assert boards.wait_for(3, "请C001到3号窗口")
    assert boards.wait_for(200, "请C001到3号窗口")
    shown = boards.showing(3)
    assert shown is not None and shown.blinking
    post(hall.client, "/windows/3/start")
    wait_until(lambda: (f := boards.showing(3)) is not None and not f.blinking)
    post(hall.client, "/windows/3/finish", {"outcome": "done"})
    assert boards.wait_for(3, "3号窗口空闲")
    post(hall.client, "/windows/3/pause")
    assert boards.wait_for(3, "3号窗口暂停服务")
    # Every frame left at least the configured gap after the previous one had left, measured
    # where the bus writes them (the simulator's reads may join two frames under load).
    gaps = [later[0] - earlier[1] for earlier, later in pairwise(timed.writes)]
    assert len(timed.writes) >= 5 and min(gaps) >= LED_GAP_MS / 1000, gaps


def test_missing_documents_prints_the_one_time_notice(hall: Hall) -> None:
    post(hall.client, "/tickets", {"service": "housing_fund"})
    assert hall.sims.printer.wait_for_cuts(1)
    post(hall.client, "/windows/5/call-next")
    post(hall.client, "/windows/5/start")
    missing = ["银行卡", "租房证明"]
    post(
        hall.client,
        "/windows/5/finish",
        {"outcome": "missing_documents", "missing_documents": missing},
    )
    assert hall.sims.printer.wait_for_cuts(2)
    notice = hall.sims.printer.jobs[1]
    assert "一次性告知单" in notice and "E001" in notice and "公积金提取" in notice
    assert "1. 银行卡" in notice and "2. 租房证明" in notice and "5号窗口" in notice


def test_printer_out_of_paper_raises_one_alert_and_tickets_still_issue(hall: Hall) -> None:
    hall.sims.printer.set_state(paper="out")
    first = post(hall.client, "/tickets", {"service": "consult"})
    second = post(hall.client, "/tickets", {"service": "consult"})
    assert (first["code"], second["code"]) == ("Z001", "Z002")

    def alerts() -> list[AlertOutbox]:
        return queue_alerts(hall.engine)

    rows = wait_until(alerts)
    assert [r.kind for r in rows] == ["printer_paper_out"]
    payload: dict[str, Any] = rows[0].payload
    assert "缺纸" in payload["text"]["zh"]
    status = hall.client.get("/api/v1/queue-devices").json()
    assert status["printer"]["ok"] is False and status["printer"]["state"] == "printer_paper_out"
    assert hall.sims.printer.cuts == 0
    with Session(hall.engine) as session:
        assert len(session.exec(select(Ticket)).all()) == 2

    hall.sims.printer.set_state(paper="ok")
    post(hall.client, "/tickets", {"service": "consult"})
    assert hall.sims.printer.wait_for("Z003")
    wait_until(lambda: hall.client.get("/api/v1/queue-devices").json()["printer"]["ok"])
    # Jobs print in order: Z003 printed, so Z002's failed attempt is behind us. One incident,
    # one alert, although two jobs failed.
    assert [r.kind for r in alerts()] == ["printer_paper_out"]


def test_an_answer_missing_during_an_incident_is_no_new_incident(hall: Hall) -> None:
    """Out of paper, the printer also says offline; when its paper answer comes too late,
    the reading is "offline" with the paper unknown: the same incident, not a second alert."""
    hall.sims.printer.set_state(paper="out")
    post(hall.client, "/tickets", {"service": "consult"})
    assert [r.kind for r in wait_until(lambda: queue_alerts(hall.engine))] == ["printer_paper_out"]
    hall.sims.printer.set_state(late=(2, 1.5))
    asked = hall.sims.printer.connections
    post(hall.client, "/tickets", {"service": "consult"})
    # The worker gave up the link on the missing answer: it asked with a new one next time.
    assert wait_until(lambda: hall.sims.printer.connections > asked)
    hall.sims.printer.set_state(paper="ok", late=None)
    post(hall.client, "/tickets", {"service": "consult"})
    assert hall.sims.printer.wait_for("Z003")
    assert [r.kind for r in queue_alerts(hall.engine)] == ["printer_paper_out"]


def test_printer_offline_does_not_block_taking_a_ticket(
    any_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    app = create_app(settings, engine=any_engine, clock=Clock(MONDAY_9AM))
    with socket_port() as port:
        install_queue_devices(
            app, QueueDevicesSection(printer=f"127.0.0.1:{port}", printer_poll_s=0)
        )
    with TestClient(app) as client:
        client.headers["X-Hall-Key"] = machine_key(app, "kiosk")  # the kiosk takes it
        started = time.monotonic()
        ticket = post(client, "/tickets", {"service": "consult"})
        assert ticket["code"] == "Z001" and time.monotonic() - started < 2

        def kinds() -> list[str]:
            return [a.kind for a in queue_alerts(any_engine)]

        assert wait_until(kinds) == ["printer_offline"]


class socket_port:
    """A TCP port that nothing listens on (bound then closed)."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None


def test_demo_simulators_and_their_config(tmp_path: Path) -> None:
    text, components = queue_simulators(tmp_path)
    try:
        import tomllib

        parsed = QueueDevicesSection.model_validate(tomllib.loads(text)["queue_devices"])
        assert parsed.printer is not None and parsed.hall_board == 200
        assert [w.number for w in parsed.windows] == list(range(1, 9))
        assert parsed.window(3) == WindowDevices(number=3, board=3, keypad=3, evaluator=103)
        assert Path(str(parsed.led_bus)).exists() and Path(str(parsed.keypad_bus)).exists()
        for component in components:
            component.start()  # a no-op: they already run
    finally:
        for component in components:
            component.stop()
            component.stop()  # the second stop is harmless
    assert "[queue_devices]" in devices_toml(9100, "/dev/a", "/dev/b", (1,))


def test_section_refuses_clashing_addresses() -> None:
    with pytest.raises(ValueError, match="board addresses must differ"):
        QueueDevicesSection(
            led_bus="/dev/x",
            hall_board=3,
            windows=(WindowDevices(number=3, board=3),),
        )
    with pytest.raises(ValueError, match="keypad and evaluator addresses"):
        QueueDevicesSection(
            keypad_bus="/dev/y",
            windows=(WindowDevices(number=1, keypad=7), WindowDevices(number=2, evaluator=7)),
        )
    with pytest.raises(ValueError, match="host:port"):
        QueueDevicesSection(printer="printer-without-port")
    with pytest.raises(ValueError, match="led_bus is not"):
        QueueDevicesSection(windows=(WindowDevices(number=1, board=1),))


def test_paper_near_end_is_one_info_alert_a_day_and_tickets_print(hall: Hall) -> None:
    hall.sims.printer.set_state(paper="near_end")
    post(hall.client, "/tickets", {"service": "consult"})
    post(hall.client, "/tickets", {"service": "consult"})
    assert hall.sims.printer.wait_for("Z002")  # both printed

    def low() -> list[AlertOutbox]:
        return [r for r in queue_alerts(hall.engine) if r.kind == "printer_paper_low"]

    rows = wait_until(low)
    assert len(rows) == 1 and rows[0].severity == "info"
    assert "纸将用完" in rows[0].payload["text"]["zh"]


def test_line_settings_reach_the_ports_and_boards_show_16_columns(
    any_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    from devices.led.transport import SerialBus
    from kiosk.hardware.simulated import start_simulators
    from tests.helpers.queue_devices import section

    sims = start_simulators(tmp_path / "sims")
    app = create_app(settings, engine=any_engine, clock=Clock(MONDAY_9AM))
    config = section(sims, led_baudrate=57600, led_parity="even", keypad_baudrate=19200)
    component = install_queue_devices(app, config)
    try:
        assert component is not None and component.led is not None
        led = component.led.transport
        assert isinstance(led, SerialBus) and (led.baudrate, led.url) == (57600, sims.boards.path)
        assert led._line_settings[1] == "E"  # even parity
        assert component.keypads is not None
        keypad_line = component.keypads.transport
        assert isinstance(keypad_line, SerialBus) and keypad_line.baudrate == 19200
        assert component.led.text_limits == {3: 16, 5: 16, 200: 16}
        with TestClient(app) as client:
            client.headers["X-Hall-Key"] = machine_key(app, "kiosk")
            post(client, "/tickets", {"service": "social_security"})
            component._show_call("C001", 12)  # a two-digit window still fits 16 columns
            assert sims.boards.wait_for(200, "请C001到12号窗口")
    finally:
        for sim in (sims.keypads, sims.boards, sims.printer):
            sim.stop()


def test_the_devices_page_lists_the_queue_printer_and_buses(hall: Hall) -> None:
    page = hall.client.get("/devices", headers={"Accept": "text/html"})
    assert page.status_code == 200, page.text
    assert (
        "取号打印机" in page.text
        and "LED显示屏总线" in page.text
        and "呼叫器/评价器总线" in page.text
    )
