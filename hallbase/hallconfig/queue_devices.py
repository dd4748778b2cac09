"""The `[queue_devices]` section of the hall file: the queue's printer, LED boards and keypads.

Example::

    [queue_devices]
    printer = "192.168.1.50:9100"      # host:port (network), serial device / pyserial URL, or
                                       # /dev/usb/lp0 (USB printer class); the "main" printer
    printer_profile = "generic"        # its model's capabilities (hallconfig.printer_profiles)
    led_bus = "/dev/ttyUSB0"           # RS-485 line of the window boards and the hall board
    hall_board = 200                   # the hall board's address on that line (its first line)
    hall_board_lines = 3               # its lines, at addresses 200, 201, 202: the last 3 calls
    led_baudrate = 57600               # the boards' line: 9600 (default) or what the model uses
    led_parity = "none"                # none (default), even or odd; 8 data bits, 1 stop bit
    board_columns = 16                 # bytes a window board shows (a Chinese character is 2)
    hall_board_columns = 32            # the hall board's width (default: board_columns)
    board_text = "{number}到{window}号窗口"  # a call on the boards (default: the word board.call)
    board_state_text = "{window}号窗口{state}"  # a free window (default: board.window_state)
    keypad_bus = "/dev/ttyUSB1"        # RS-485 line of the call keypads and evaluators
    keypad_baudrate = 9600             # keypad_parity, printer_baudrate, printer_parity alike

    [queue_devices.keypad_codes]       # the keypads' codes; the defaults are the common layout
    call = 0x0C                        # the last DATA byte of a FUNC 0x01 frame, key by key

    [[queue_devices.windows]]
    number = 3                         # window number (as in [[windows]])
    board = 3                          # its LED board's address on led_bus
    board_columns = 20                 # this board's width, when it differs
    keypad = 3                         # its call keypad's address on keypad_bus
    evaluator = 103                    # its evaluator's address on keypad_bus
    printer = "P2"                     # its one-time notices' printer (default: the main one)

Further printers (one per kiosk, a window's own): `hallbase.hallconfig.printers`.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from hallbase.hallconfig.printer_profiles import profile_named
from hallbase.hallconfig.printers import (
    MAIN,
    PrinterEntry,
    PrinterSetup,
    printer_link,
    printer_problems,
)
from hallbase.words import t

Parity = Literal["none", "even", "odd"]
BAUD_RATES = (1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200)
KEY_ACTIONS = ("call", "recall", "evaluate", "pause", "transfer")
DIGIT_ACTIONS = ("no_show", "suspend", "call_back")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeypadCodes(_Strict):
    """One vendor's keypad and evaluator codes (see `devices.keypad.keys`); a key left out
    (``call = false`` is not TOML: leave the line out and set none) is one the keypad lacks."""

    function: int = Field(default=0x01, ge=0, le=255, description="FUNC of a key press")
    call: int | None = Field(default=0x0C, ge=10, le=255)
    recall: int | None = Field(default=0x0D, ge=10, le=255)
    evaluate: int | None = Field(default=0x0B, ge=10, le=255)
    pause: int | None = Field(default=0x12, ge=10, le=255)
    transfer: int | None = Field(default=0x13, ge=10, le=255)
    ok: int | None = Field(default=0x0F, ge=10, le=255, description="OK after one digit")
    no_show_digit: int | None = Field(default=6, ge=0, le=9)
    suspend_digit: int | None = Field(default=0, ge=0, le=9)
    call_back_digit: int | None = Field(default=3, ge=0, le=9)
    score_function: int | None = Field(default=0x11, ge=0, le=255, description="evaluators")
    score_ack_function: int = Field(default=0x01, ge=0, le=255)
    scores: dict[int, int] = Field(
        default_factory=lambda: {0: 5, 1: 4, 2: 3, 3: 1},
        description="score byte -> rating 1-5 (TOML: scores = { 0 = 5, 1 = 4, ... })",
    )
    display_function: int = Field(default=0x02, ge=0, le=255)
    display_blank: int = Field(default=0x0A, ge=10, le=255)

    @model_validator(mode="after")
    def _distinct(self) -> KeypadCodes:
        problems: list[str] = []
        keys = {a: getattr(self, a) for a in (*KEY_ACTIONS, "ok") if getattr(self, a) is not None}
        for action, code in keys.items():
            others = [b for b, c in keys.items() if c == code and b != action]
            if others and action < others[0]:
                problems.append(f"{action} and {others[0]} have the same code 0x{code:02X}")
        digits = {a: getattr(self, f"{a}_digit") for a in DIGIT_ACTIONS}
        given = {a: d for a, d in digits.items() if d is not None}
        if given and self.ok is None:
            problems.append("digits for OK are given but ok is not")
        if len(set(given.values())) != len(given):
            problems.append(f"no_show, suspend and call_back need different digits: {given}")
        if self.score_function == self.function:
            problems.append(f"score_function and function are both 0x{self.function:02X}")
        for value, rating in self.scores.items():
            if not 0 <= value <= 255:
                problems.append(f"scores: byte {value} is not 0-255")
            if not 1 <= rating <= 5:
                problems.append(f"scores: byte {value} must give a rating 1-5, not {rating}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def key_actions(self) -> dict[int, str]:
        """Key code -> action, for the keys the keypad has."""
        return {
            code: action for action in KEY_ACTIONS if (code := getattr(self, action)) is not None
        }

    def ok_actions(self) -> dict[int, str]:
        """Digit before OK -> action."""
        return {
            digit: action
            for action in DIGIT_ACTIONS
            if (digit := getattr(self, f"{action}_digit")) is not None
        }


class WindowDevices(_Strict):
    """The devices of one window."""

    number: int = Field(ge=1)
    board: int | None = Field(default=None, ge=1, le=254)
    board_columns: int | None = Field(default=None, ge=4, le=1024)
    keypad: int | None = Field(default=None, ge=0, le=255)
    evaluator: int | None = Field(default=None, ge=0, le=255)
    printer: str | None = Field(default=None, min_length=1, description="notices' printer")


class QueueDevicesSection(_Strict):
    """Where the queue's devices are; every device is optional."""

    printer: str | None = Field(default=None, min_length=1)
    printer_profile: str = "generic"
    printers: tuple[PrinterEntry, ...] = ()
    paper_mm: Literal[58, 80] = 58
    printer_timeout_s: float = Field(default=5.0, gt=0, le=60)
    printer_status_timeout_s: float = Field(default=0.5, gt=0, le=10)
    printer_poll_s: float = Field(default=30.0, ge=0, description="idle status check; 0 = never")
    printer_baudrate: int = 9600  # a serial printer's line
    printer_parity: Parity = "none"
    ticket_footer: str = Field(default="", max_length=60)
    led_bus: str | None = Field(default=None, min_length=1)
    led_baudrate: int = 9600
    led_parity: Parity = "none"
    led_min_gap_ms: int = Field(default=250, ge=0, le=5000)
    hall_board: int | None = Field(default=None, ge=1, le=254)
    board_columns: int = Field(default=16, ge=4, le=1024, description="bytes a board shows")
    hall_board_columns: int | None = Field(default=None, ge=4, le=1024)
    board_text: str | None = Field(default=None, min_length=1, max_length=200)
    board_state_text: str | None = Field(default=None, min_length=1, max_length=200)
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
    keypad_baudrate: int = 9600
    keypad_parity: Parity = "none"
    keypad_dedupe_s: float = Field(
        default=1.0, ge=0, le=10, description="a repeated frame within this is one press"
    )
    keypad_codes: KeypadCodes = KeypadCodes()
    windows: tuple[WindowDevices, ...] = ()
    # Several instances on one database: the one holding the lease drives the devices.
    lease_s: float = Field(default=30.0, ge=1, le=600, description="a lease not renewed ends")
    lease_renew_s: float = Field(default=10.0, gt=0, le=300, description="renew / try this often")

    @field_validator("printer")
    @classmethod
    def _printer_address(cls, value: str | None) -> str | None:
        if value is not None:
            printer_link(value)
        return value

    @field_validator("printer_profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        profile_named(value)
        return value

    @field_validator("printer_baudrate", "led_baudrate", "keypad_baudrate")
    @classmethod
    def _standard_rate(cls, value: int) -> int:
        if value not in BAUD_RATES:
            rates = ", ".join(map(str, BAUD_RATES))
            raise ValueError(f"{value} is not a standard baud rate; use one of {rates}")
        return value

    @field_validator("board_text", "board_state_text")
    @classmethod
    def _template(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        allowed = {"number", "window"} if info.field_name == "board_text" else {"window", "state"}
        try:
            fields = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a text template: {exc}") from None
        unknown = fields - allowed
        if unknown:
            raise ValueError(
                f"{value!r}: unknown field {{{sorted(unknown)[0]}}}; use "
                + " and ".join(f"{{{a}}}" for a in sorted(allowed))
            )
        try:
            value.format(number="A001", window=1, state="x").encode("gbk")
        except UnicodeEncodeError as exc:
            raise ValueError(f"{value!r}: {value[exc.start]!r} is not in GBK") from None
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
        windows = {w.number: w.printer for w in self.windows}
        problems += printer_problems(self.printers, self.printer is not None, windows)
        if self.lease_renew_s >= self.lease_s:
            problems.append(
                f"lease_renew_s ({self.lease_renew_s}) must be less than lease_s ({self.lease_s})"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def printer_setups(self) -> list[PrinterSetup]:
        """Every printer (the main one first, named "main") with its capabilities."""
        entries = list(self.printers)
        if self.printer is not None:
            main = PrinterEntry(name=MAIN, address=self.printer, profile=self.printer_profile)
            entries.insert(0, main)
        return [e.setup(self.paper_mm) for e in entries]

    def default_printer(self) -> str | None:
        """Where tickets of a kiosk without its own printer go: the main printer, else the only
        printer there is, else none."""
        if self.printer is not None:
            return MAIN
        return self.printers[0].name if len(self.printers) == 1 else None

    def kiosk_printers(self) -> dict[str, str]:
        """Kiosk machine key name -> its printer's name."""
        return {kiosk: p.name for p in self.printers for kiosk in p.kiosks}

    @property
    def hall_board_addresses(self) -> tuple[int, ...]:
        """The addresses of the hall board's lines, top line first (none without a board)."""
        if self.hall_board is None:
            return ()
        return tuple(range(self.hall_board, self.hall_board + self.hall_board_lines))

    def window(self, number: int) -> WindowDevices | None:
        """The devices of window ``number``, if any are configured."""
        return next((w for w in self.windows if w.number == number), None)

    def board_widths(self) -> dict[int, int]:
        """Board address -> the bytes it shows (hall board included)."""
        widths = {
            w.board: w.board_columns or self.board_columns
            for w in self.windows
            if w.board is not None
        }
        if self.hall_board is not None:
            for line in range(self.hall_board_lines):  # each line is a board of its own
                widths[self.hall_board + line] = self.hall_board_columns or self.board_columns
        return widths


def board_text_problems(
    section: QueueDevicesSection,
    codes: list[str],
    states: list[str],
    text: Callable[[str, dict[str, object]], str],
) -> list[tuple[str, str]]:
    """The first board text that would not fit its board: every window's call with each of
    the longest ticket ``codes`` (on its board and the hall board), and each of its ``states``
    words. ``text(kind, fields)`` renders "call" or "state" as the boards will show it."""
    hall = section.hall_board_columns or section.board_columns
    for w in section.windows:
        width = w.board_columns or section.board_columns
        checks: list[tuple[str, dict[str, object], int]] = []
        for code in codes:
            fields: dict[str, object] = {"number": code, "window": w.number}
            if w.board is not None:
                checks.append(("call", fields, width))
            if section.hall_board is not None:
                checks.append(("call", fields, hall))
        if w.board is not None:
            checks += [("state", {"window": w.number, "state": s}, width) for s in states]
        for kind, fields, columns in checks:
            shown = text(kind, fields)
            size = len(shown.encode("gbk", errors="replace"))
            if size > columns:
                key = "board_text" if kind == "call" else "board_state_text"
                return [
                    (
                        f"queue_devices.{key}",
                        f"{shown!r} is {size} bytes on a {columns}-column board (window "
                        f"{w.number}); shorten the text or give the board's columns",
                    )
                ]
    return []


BOARD_STATES = ("idle", "paused", "away")  # what a free window's board shows


def call_text(section: QueueDevicesSection, number: str, window: int) -> str:
    """A call as the boards show it: ``board_text``, else the word ``board.call``."""
    if section.board_text is not None:
        return section.board_text.format(number=number, window=window)
    return t("board.call", number=number, window=window)


def state_text(section: QueueDevicesSection, window: int, state: str) -> str:
    """A free window's state as its board shows it (``board_state_text`` or the word)."""
    name = t(f"queue.window.{state}")
    if section.board_state_text is not None:
        return section.board_state_text.format(window=window, state=name)
    return t("board.window_state", window=window, state=name)


def board_problems(section: QueueDevicesSection, prefixes: list[str]) -> list[tuple[str, str]]:
    """`board_text_problems` for the hall's ticket prefixes (codes A001..A999) and words."""
    codes = [f"{p}888" for p in prefixes[:1]] or ["A888"]

    def render(kind: str, fields: dict[str, object]) -> str:
        if kind == "call":
            return call_text(section, str(fields["number"]), int(str(fields["window"])))
        return state_text(section, int(str(fields["window"])), str(fields["state"]))

    return board_text_problems(section, codes, list(BOARD_STATES), render)
