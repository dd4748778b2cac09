"""The queue's simulated devices for `hallkeeper demo`: a network ticket printer, the LED
board bus and the keypad bus on pseudo-terminals, and the hall-file lines that point the
service at them.

`queue_simulators` starts them at once (the printer must be listening and the ptys must exist
before the service opens them); the components it returns only need `stop()`, and their
`start()` does nothing, so they can sit in the app's component list like any other part.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from devices.keypad.simulator import KeypadSimulator
from devices.led.simulator import BoardBusSimulator
from devices.printer.simulator import PrinterSimulator

HALL_BOARD = 200
HALL_BOARD_LINES = 3  # the last three calls, at addresses 200-202
EVALUATOR_OFFSET = 100  # window n's evaluator answers at address 100 + n
DEMO_WINDOWS = tuple(range(1, 9))  # the shipped hall's windows


class _Stoppable(Protocol):
    def stop(self) -> None: ...


@dataclass
class RunningSimulator:
    """A simulator already started; ``start`` is a no-op, ``stop`` stops it once."""

    name: str
    simulator: _Stoppable
    _stopped: bool = field(default=False, repr=False)

    def start(self) -> None:
        """Nothing to do: the simulator runs since `queue_simulators`."""

    def stop(self) -> None:
        """Stop the simulator (only the first call does anything)."""
        if not self._stopped:
            self._stopped = True
            self.simulator.stop()


@dataclass(frozen=True)
class QueueSimulators:
    """The running simulators, for demos and tests that want to look at them."""

    printer: PrinterSimulator
    boards: BoardBusSimulator
    keypads: KeypadSimulator


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def devices_toml(
    printer_port: int, led_path: str, keypad_path: str, windows: tuple[int, ...] = DEMO_WINDOWS
) -> str:
    """The `[queue_devices]` lines for a printer on localhost and the two buses."""
    text = f"""
# ---- Added by `hallkeeper demo`: simulated queue devices on this machine ----
[queue_devices]
printer = "127.0.0.1:{printer_port}"
led_bus = "{led_path}"
hall_board = {HALL_BOARD}
hall_board_lines = {HALL_BOARD_LINES}
keypad_bus = "{keypad_path}"
printer_poll_s = 10
"""
    for number in windows:
        text += f"""
[[queue_devices.windows]]
number = {number}
board = {number}
keypad = {number}
evaluator = {EVALUATOR_OFFSET + number}
"""
    return text


def start_simulators(data_dir: Path) -> QueueSimulators:
    """Start the printer (free TCP port) and the two buses (ptys linked under ``data_dir``)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    printer = PrinterSimulator("127.0.0.1", free_port(), chinese_default=True)
    boards = BoardBusSimulator(link_path=str(data_dir / "led-bus.tty"))
    keypads = KeypadSimulator(link_path=str(data_dir / "keypad-bus.tty"))
    started: list[_Stoppable] = []
    try:
        for sim in (printer, boards, keypads):
            sim.start()
            started.append(sim)
    except BaseException:
        for running in reversed(started):
            running.stop()
        raise
    return QueueSimulators(printer, boards, keypads)


def queue_simulators(data_dir: Path) -> tuple[str, list[RunningSimulator]]:
    """Start the simulators; return the hall-file lines for them and their components."""
    sims = start_simulators(data_dir)
    text = devices_toml(sims.printer.port, sims.boards.path, sims.keypads.path)
    components = [
        RunningSimulator("printer", sims.printer),
        RunningSimulator("led-bus", sims.boards),
        RunningSimulator("keypad-bus", sims.keypads),
    ]
    return text, components
