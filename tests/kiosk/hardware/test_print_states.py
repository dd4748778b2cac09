"""Tickets the printer could not print: stored as waiting, printed once when it is back (or
dropped when called meanwhile), printed again at staff's request; against the printer
simulator on a real socket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hallbase.settings import Settings
from kiosk.hardware.simulated import QueueSimulators
from tests.helpers.auth import as_staff, machine_key
from tests.helpers.queue_devices import DeviceHall, device_hall, simulators
from tests.helpers.waiting import wait_until
from tests.kiosk.snapshot import queue_alerts

RETRY_S = 0.2


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[QueueSimulators]:
    with simulators(tmp_path / "sims") as running:
        yield running


@pytest.fixture
def hall(any_engine: Engine, settings: Settings, sims: QueueSimulators) -> Iterator[DeviceHall]:
    with device_hall(any_engine, settings, sims, printer_retry_s=RETRY_S) as running:
        yield running


def test_paper_end_and_back_prints_the_waiting_tickets_exactly_once(hall: DeviceHall) -> None:
    printer = hall.sims.printer
    printer.set_state(paper="out")
    hall.post("/tickets", {"service": "consult"})
    hall.post("/tickets", {"service": "consult"})
    held = ("waiting", "printer_paper_out")
    wait_until(lambda: hall.print_state("Z001") == held and hall.print_state("Z002") == held)
    assert printer.cuts == 0 and b"Z00" not in printer.received
    status = hall.client.get("/api/v1/queue-devices").json()["printer"]
    assert status["ok"] is False and status["waiting"] == 2

    printer.set_state(paper="ok")  # the roll is changed: nobody takes a ticket meanwhile
    assert wait_until(lambda: hall.print_state("Z002") == ("printed", None))
    assert hall.print_state("Z001") == ("printed", None)
    hall.post("/tickets", {"service": "consult"})  # one more, printed straight away
    assert printer.wait_for_cuts(3, timeout=15)
    assert wait_until(lambda: hall.print_state("Z003") == ("printed", None))
    jobs = printer.jobs
    assert [code for job in jobs for code in ("Z001", "Z002", "Z003") if code in job] == [
        "Z001",
        "Z002",
        "Z003",
    ]
    # Each number went to the printer as often as one ticket carries it: once each.
    received = printer.received
    per_ticket = received.count(b"Z003")
    assert per_ticket >= 1
    assert received.count(b"Z001") == received.count(b"Z002") == per_ticket
    assert [p["prints"] for p in hall.prints().values() if p] == [1, 1, 1]
    assert [a.kind for a in queue_alerts(hall.engine)] == ["printer_paper_out"]
    assert hall.client.get("/api/v1/queue-devices").json()["printer"]["ok"] is True


@pytest.mark.parametrize("rule", ["drop", "print"])
def test_a_waiting_ticket_called_meanwhile_is_dropped_or_printed_as_configured(
    any_engine: Engine, settings: Settings, sims: QueueSimulators, rule: str
) -> None:
    with device_hall(
        any_engine, settings, sims, printer_retry_s=RETRY_S, waiting_called=rule
    ) as hall:
        printer = sims.printer
        printer.set_state(cover_open=True)
        hall.post("/tickets", {"service": "consult"})
        hall.post("/tickets", {"service": "consult"})
        held = ("waiting", "printer_cover_open")
        wait_until(lambda: hall.print_state("Z001") == held and hall.print_state("Z002") == held)
        assert hall.post("/windows/8/call-next")["code"] == "Z001"  # the citizen is called

        printer.set_state(cover_open=False)
        assert wait_until(lambda: hall.print_state("Z002") == ("printed", None))
        if rule == "drop":
            assert hall.print_state("Z001") == ("failed", "already_called")
            assert b"Z001" not in printer.received and printer.cuts == 1
            console = hall.client.get("/api/v1/windows/8/queue").json()["current"]
            assert console["code"] == "Z001" and console["print"]["cause"] == "already_called"
            assert "已叫号" in console["print"]["text"]["zh"]
        else:
            assert hall.print_state("Z001") == ("printed", None)
            assert printer.cuts == 2 and "Z001" in printer.jobs[0]


def test_reprint_through_the_api_prints_again(hall: DeviceHall) -> None:
    printer = hall.sims.printer
    ticket = hall.post("/tickets", {"service": "social_security"})
    assert printer.wait_for_cuts(1, timeout=15)
    assert wait_until(lambda: hall.print_state("C001") == ("printed", None))
    hall.post("/windows/3/call-next")
    before = printer.received.count(b"C001")

    # The window's own staff member reprints it from the console.
    staff = as_staff(hall.app, "RS001")
    csrf_free = TestClient(hall.app)  # a bearer token: no CSRF token needed
    answer = csrf_free.post(f"/api/v1/tickets/{ticket['id']}/reprint", headers=staff)
    assert answer.status_code == 202, answer.text
    assert answer.json()["print"]["cause"] == "reprint"
    assert printer.wait_for_cuts(2, timeout=15)
    assert "C001" in printer.jobs[1] and "社保业务" in printer.jobs[1]
    assert wait_until(lambda: hall.print_state("C001") == ("printed", None))
    assert printer.received.count(b"C001") == 2 * before
    console = hall.client.get("/api/v1/windows/3/queue").json()["current"]
    assert console["print"]["state"] == "printed" and console["print"]["prints"] == 2

    # The kiosk's service page (an office role) may too.
    hall.post(f"/tickets/{ticket['id']}/reprint")
    assert printer.wait_for_cuts(3, timeout=15)


def test_reprint_is_refused_without_the_role_or_the_window(hall: DeviceHall) -> None:
    ticket = hall.post("/tickets", {"service": "social_security"})
    assert hall.sims.printer.wait_for_cuts(1, timeout=15)
    hall.post("/windows/3/call-next")
    path = f"/api/v1/tickets/{ticket['id']}/reprint"
    anyone = TestClient(hall.app)
    kiosk = {"X-Hall-Key": machine_key(hall.app, "kiosk")}
    pad = {"X-Hall-Key": machine_key(hall.app, "rating_pad", "window:3", "pad 3")}
    other_window = as_staff(hall.app, "GJ001")  # window 5's staff
    assert anyone.post(path).status_code == 401
    assert anyone.post(path, headers=kiosk).status_code == 403
    assert anyone.post(path, headers=pad).status_code == 403
    refused = anyone.post(path, headers=other_window)
    assert (refused.status_code, refused.json()["code"]) == (403, "out_of_scope")
    assert anyone.get("/api/v1/ticket-prints", headers=other_window).status_code == 403
    assert hall.print_state("C001") == ("printed", None)
    assert hall.sims.printer.cuts == 1  # nothing was printed again


def test_waiting_tickets_print_after_a_restart(
    any_engine: Engine, settings: Settings, sims: QueueSimulators
) -> None:
    sims.printer.set_state(paper="out")
    with device_hall(any_engine, settings, sims, printer_retry_s=RETRY_S) as hall:
        hall.post("/tickets", {"service": "consult"})
        wait_until(lambda: hall.print_state("Z001") == ("waiting", "printer_paper_out"))
    sims.printer.set_state(paper="ok")
    with device_hall(any_engine, settings, sims, printer_retry_s=RETRY_S) as hall:
        assert sims.printer.wait_for_cuts(1, timeout=15)
        assert wait_until(lambda: hall.print_state("Z001") == ("printed", None))
        assert "Z001" in sims.printer.jobs[0]
