"""The `[queue_devices]` section of the hall file: the queue's printer, LED boards and keypads.

Example::

    [queue_devices]
    printer = "192.168.1.50:9100"      # host:port (network) or a serial device / pyserial URL
    led_bus = "/dev/ttyUSB0"           # RS-485 line of the window boards and the hall board
    hall_board = 200                   # the hall board's address on that line (its first line)
    hall_board_lines = 3               # its lines, at addresses 200, 201, 202: the last 3 calls
    keypad_bus = "/dev/ttyUSB1"        # RS-485 line of the call keypads and evaluators

    [[queue_devices.windows]]
    number = 3                         # window number (as in [[windows]])
    board = 3                          # its LED board's address on led_bus
    keypad = 3                         # its call keypad's address on keypad_bus
    evaluator = 103                    # its evaluator's address on keypad_bus
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WindowDevices(_Strict):
    """The devices of one window."""

    number: int = Field(ge=1)
    board: int | None = Field(default=None, ge=1, le=254)
    keypad: int | None = Field(default=None, ge=0, le=255)
    evaluator: int | None = Field(default=None, ge=0, le=255)


class QueueDevicesSection(_Strict):
    """Where the queue's devices are; every device is optional."""

    printer: str | None = Field(default=None, min_length=1)
    paper_mm: Literal[58, 80] = 58
    printer_timeout_s: float = Field(default=5.0, gt=0, le=60)
    printer_status_timeout_s: float = Field(default=0.5, gt=0, le=10)
    printer_poll_s: float = Field(default=30.0, ge=0, description="idle status check; 0 = never")
    ticket_footer: str = Field(default="", max_length=60)
    led_bus: str | None = Field(default=None, min_length=1)
    led_min_gap_ms: int = Field(default=250, ge=0, le=5000)
    hall_board: int | None = Field(default=None, ge=1, le=254)
    blink_times: int | None = Field(
        default=None,
        ge=2,
        le=9,
        description="a window board blinks n times on a call; none: until service starts",
    )
    hall_board_lines: int = Field(
        default=1, ge=1, le=16, description="lines of the hall board, at hall_board, +1, ..."
    )
    hall_board_hold_s: float = Field(
        default=120.0, ge=0, le=3600, description="a call stays this long; 0: until pushed off"
    )
    hall_board_blink_s: float = Field(
        default=5.0, ge=0, le=600, description="a new call blinks this long, then steadies"
    )
    printer_retry_s: float = Field(
        default=5.0, gt=0, le=300, description="status check while tickets wait for the printer"
    )
    waiting_called: Literal["drop", "print"] = Field(
        default="drop",
        description="a ticket still waiting for the printer when it is called: drop or print it",
    )
    keypad_bus: str | None = Field(default=None, min_length=1)
    keypad_dedupe_s: float = Field(
        default=1.0, ge=0, le=10, description="a repeated frame within this is one press"
    )
    windows: tuple[WindowDevices, ...] = ()

    @field_validator("printer")
    @classmethod
    def _printer_address(cls, value: str | None) -> str | None:
        if value is not None:
            printer_link(value)
        return value

    @model_validator(mode="after")
    def _addresses_unique(self) -> QueueDevicesSection:
        problems: list[str] = []
        numbers = [w.number for w in self.windows]
        if len(numbers) != len(set(numbers)):
            problems.append(f"windows: a window number appears twice in {numbers}")
        boards = [w.board for w in self.windows if w.board is not None]
        boards.extend(self.hall_board_addresses)
        if self.hall_board is not None and self.hall_board + self.hall_board_lines - 1 > 254:
            problems.append(
                f"hall_board_lines: {self.hall_board_lines} lines from address {self.hall_board} "
                "go past address 254"
            )
        if len(boards) != len(set(boards)):
            problems.append(
                f"board addresses must differ on the LED bus (hall board too): {boards}"
            )
        keys = [a for w in self.windows for a in (w.keypad, w.evaluator) if a is not None]
        if len(keys) != len(set(keys)):
            problems.append(f"keypad and evaluator addresses must all differ: {keys}")
        if boards and self.led_bus is None:
            problems.append("board addresses are given but led_bus is not")
        if keys and self.keypad_bus is None:
            problems.append("keypad addresses are given but keypad_bus is not")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def hall_board_addresses(self) -> tuple[int, ...]:
        """The addresses of the hall board's lines, top line first (none without a board)."""
        if self.hall_board is None:
            return ()
        return tuple(range(self.hall_board, self.hall_board + self.hall_board_lines))

    def window(self, number: int) -> WindowDevices | None:
        """The devices of window ``number``, if any are configured."""
        return next((w for w in self.windows if w.number == number), None)


def printer_link(address: str) -> tuple[Literal["tcp", "serial"], str, int]:
    """How to reach the printer: ("tcp", host, port) or ("serial", url, 0)."""
    if "://" in address or address.startswith(("/", "COM")):
        return "serial", address, 0
    host, sep, port = address.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(
            f"printer address {address!r}: use host:port (e.g. 192.168.1.50:9100) "
            "or a serial device path (/dev/ttyUSB0)"
        )
    return "tcp", host, int(port)
