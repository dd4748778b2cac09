"""The multi-line hall board on the LED bus simulator (a real pty): the last calls, one per
line, a new one blinking for the configured time and then steady, each leaving after its
hold time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from devices.led.simulator import ReceivedFrame
from hallbase.hallconfig.queue_devices import QueueDevicesSection, WindowDevices
from hallbase.settings import Settings
from kiosk.hardware.simulated import QueueSimulators
from tests.helpers.queue_devices import HALL_BOARD, device_hall, simulators
from tests.helpers.waiting import wait_until

LINES = (HALL_BOARD, HALL_BOARD + 1, HALL_BOARD + 2)
FIRST = "请C001到3号窗口"
SECOND = "请E001到5号窗口"


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[QueueSimulators]:
    with simulators(tmp_path / "sims") as running:
        yield running


def on_lines(sims: QueueSimulators) -> list[ReceivedFrame]:
    return [f for f in sims.boards.frames if f.frame.address in LINES]


def test_two_calls_a_tenth_of_a_second_apart_both_reach_the_board(
    any_engine: Engine, settings: Settings, sims: QueueSimulators
) -> None:
    with device_hall(any_engine, settings, sims, hall_board_lines=3, hall_board_blink_s=5) as hall:
        hall.post("/tickets", {"service": "social_security"})
        hall.post("/tickets", {"service": "housing_fund"})
        hall.post("/windows/3/call-next")
        hall.post("/windows/5/call-next")  # well within 0.1 s of the first call
        boards = sims.boards
        assert boards.wait_for(HALL_BOARD, SECOND, timeout=15) and boards.wait_for(
            HALL_BOARD + 1, FIRST, timeout=15
        )
        texts = {f.frame.text for f in on_lines(sims)}
        assert {FIRST, SECOND} <= texts
        top, below = boards.showing(HALL_BOARD), boards.showing(HALL_BOARD + 1)
        assert top is not None and top.blinking and below is not None and below.blinking
        assert boards.wait_for(HALL_BOARD + 2, "", timeout=15)  # the third line: nothing yet
        assert boards.wait_for(3, FIRST, timeout=15) and boards.wait_for(
            5, SECOND, timeout=15
        )  # the windows' own


def test_a_new_call_blinks_for_the_set_time_then_steadies_then_leaves(
    any_engine: Engine, settings: Settings, sims: QueueSimulators
) -> None:
    blink, hold = 1.0, 2.0
    with device_hall(
        any_engine,
        settings,
        sims,
        hall_board_lines=2,
        hall_board_blink_s=blink,
        hall_board_hold_s=hold,
    ) as hall:
        hall.post("/tickets", {"service": "social_security"})
        hall.post("/windows/3/call-next")
        boards = sims.boards

        def steady() -> ReceivedFrame | None:
            frames = [f for f in on_lines(sims) if f.frame.text == FIRST]
            return next((f for f in frames if not f.frame.blinking), None)

        settled = wait_until(steady)
        calls = [f for f in on_lines(sims) if f.frame.text == FIRST]
        first = calls[0]
        assert first.frame.address == HALL_BOARD and first.frame.blinking
        assert first.frame.blink_times is None  # blinking until told otherwise...
        assert settled.frame.address == HALL_BOARD
        # ...and told so after the blink time (the frame cannot leave early; late is allowed).
        # Arrival times are taken where the simulator reads the pty: half the blink time is
        # the margin for its thread's scheduling on a loaded machine.
        assert settled.start - first.end >= blink / 2, (first, settled)
        assert settled.start - first.end < blink + 5
        # After its hold time the call leaves the board: the welcome is back on the top line.
        assert boards.wait_for(HALL_BOARD, "欢迎光临", timeout=15)
        shown = boards.showing(HALL_BOARD)
        assert shown is not None and not shown.blinking
        assert calls[-1] is settled  # no blinking frame came after the steady one
        assert boards.showing(3) is not None  # the window's board keeps the call meanwhile


def test_a_recall_moves_the_call_back_to_the_top_and_blinks_it_again(
    any_engine: Engine, settings: Settings, sims: QueueSimulators
) -> None:
    with device_hall(
        any_engine, settings, sims, hall_board_lines=3, hall_board_blink_s=0.3
    ) as hall:
        hall.post("/tickets", {"service": "social_security"})
        hall.post("/tickets", {"service": "housing_fund"})
        hall.post("/windows/3/call-next")
        hall.post("/windows/5/call-next")
        boards = sims.boards
        assert boards.wait_for(HALL_BOARD + 1, FIRST, timeout=15)
        wait_until(lambda: (f := boards.showing(HALL_BOARD + 1)) is not None and not f.blinking)
        hall.post("/windows/3/recall")
        assert boards.wait_for(HALL_BOARD, FIRST, timeout=15) and boards.wait_for(
            HALL_BOARD + 1, SECOND, timeout=15
        )
        texts = [boards.showing(a) for a in LINES]
        assert [f.text if f else None for f in texts] == [FIRST, SECOND, ""]


def test_the_lines_are_checked_against_the_other_boards() -> None:
    with pytest.raises(ValueError, match="board addresses must differ"):
        QueueDevicesSection(
            led_bus="/dev/x",
            hall_board=200,
            hall_board_lines=3,
            windows=(WindowDevices(number=1, board=202),),
        )
    with pytest.raises(ValueError, match="go past address 254"):
        QueueDevicesSection(led_bus="/dev/x", hall_board=250, hall_board_lines=6)
    section = QueueDevicesSection(led_bus="/dev/x", hall_board=100, hall_board_lines=3)
    assert section.hall_board_addresses == (100, 101, 102)
    assert QueueDevicesSection().hall_board_addresses == ()
