"""What keypad and evaluator frames mean: the key table (data, not code), key events, the
host's acknowledgements and the numbers it sends back to a keypad's display.

The layout hall queue systems use (the defaults of :class:`KeyTable`):

* A key press comes with FUNC ``0x01`` and the key's code in the **last DATA byte**:
  ``0x0C`` call (呼叫), ``0x0D`` recall (重呼), ``0x0B`` evaluate (评价: the service ends and
  the citizen is asked for a rating), ``0x12`` pause (暂停), ``0x13`` transfer (转移).
  Digits typed before a key arrive in the DATA bytes before it, one byte each (0-9).
* OK (``0x0F``) after one digit selects a function: 6 no-show (弃号), 0 suspend (挂起),
  3 call back (回呼).
* An evaluator (评价器) sends its score under FUNC ``0x11``, the score in the last DATA byte;
  the host acknowledges it with the same frame under FUNC ``0x01``.  Which byte means which
  rating depends on the model: :attr:`KeyTable.scores` maps it to the hall's 1-5.
* The host shows numbers on the keypad's display with FUNC ``0x02`` and six digit bytes: the
  waiting count in the first three, the called number in the last three, ``0x0A`` for a blank
  position (``0A 0A 0A 0 1 2`` shows number 012; ``0 0 5 0A 0A 0A`` shows 5 waiting).

Another vendor's codes are another :class:`KeyTable` (the hall file's
``[queue_devices.keypad_codes]``); nothing here hard-codes a key.

Errors: :func:`decode_event` raises :class:`~devices.errors.ProtocolError` only; building a
table or a frame from bad values raises ValueError naming the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, TypeVar, get_args

from devices.errors import ProtocolError
from devices.keypad.protocol import KeypadFrame, encode_frame

Action = Literal[
    "call", "recall", "evaluate", "pause", "transfer", "no_show", "suspend", "call_back"
]
ACTIONS: tuple[Action, ...] = get_args(Action)
DISPLAY_DIGITS = 3  # positions for the waiting count, and as many for the called number
MAX_DIGITS_BEFORE_KEY = 3  # LEN <= 5: ADDR, FUNC and at most three DATA bytes


K = TypeVar("K")
V = TypeVar("V")


def _frozen(mapping: Mapping[K, V]) -> Mapping[K, V]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)
class KeyTable:
    """One vendor's codes; the defaults are the layout hall queue systems use."""

    key_function: int = 0x01
    keys: Mapping[int, Action] = field(
        default_factory=lambda: _frozen(
            {0x0C: "call", 0x0D: "recall", 0x0B: "evaluate", 0x12: "pause", 0x13: "transfer"}
        )
    )
    ok_key: int | None = 0x0F
    ok_digits: Mapping[int, Action] = field(
        default_factory=lambda: _frozen({6: "no_show", 0: "suspend", 3: "call_back"})
    )
    score_function: int | None = 0x11
    score_ack_function: int = 0x01
    # A four-key evaluator: very satisfied, satisfied, fairly satisfied, dissatisfied.
    scores: Mapping[int, int] = field(default_factory=lambda: _frozen({0: 5, 1: 4, 2: 3, 3: 1}))
    display_function: int = 0x02
    display_blank: int = 0x0A

    def __post_init__(self) -> None:
        object.__setattr__(self, "keys", _frozen(self.keys))
        object.__setattr__(self, "ok_digits", _frozen(self.ok_digits))
        object.__setattr__(self, "scores", _frozen(self.scores))
        problems = self.problems()
        if problems:
            raise ValueError("keypad key table: " + "; ".join(problems))

    def problems(self) -> list[str]:
        """Everything wrong with the table, each naming the value."""
        out: list[str] = []
        bytes_ = {
            "key_function": self.key_function,
            "score_ack_function": self.score_ack_function,
            "display_function": self.display_function,
            "display_blank": self.display_blank,
        }
        if self.ok_key is not None:
            bytes_["ok_key"] = self.ok_key
        if self.score_function is not None:
            bytes_["score_function"] = self.score_function
        for name, value in bytes_.items():
            if not 0 <= value <= 0xFF:
                out.append(f"{name} must be a byte 0x00-0xFF, got {value}")
        if self.score_function == self.key_function:
            out.append(f"score_function and key_function are both 0x{self.key_function:02X}")
        for code, action in self.keys.items():
            if not 0 <= code <= 0xFF:
                out.append(f"{action}: key code must be a byte 0x00-0xFF, got {code}")
            elif code <= 9:
                out.append(f"{action}: key code 0x{code:02X} is a digit (0x00-0x09 are digits)")
            if action not in ACTIONS:
                out.append(f"key 0x{code:02X}: unknown action {action!r}")
        if self.ok_key is not None and self.ok_key in self.keys:
            out.append(f"ok_key 0x{self.ok_key:02X} is also the {self.keys[self.ok_key]} key")
        for digit, action in self.ok_digits.items():
            if not 0 <= digit <= 9:
                out.append(f"{action}: the digit before OK must be 0-9, got {digit}")
            if action not in ACTIONS:
                out.append(f"digit {digit}: unknown action {action!r}")
        if self.ok_digits and self.ok_key is None:
            out.append("ok_digits are given but ok_key is not")
        named = [*self.keys.values(), *self.ok_digits.values()]
        twice = sorted({a for a in named if named.count(a) > 1})
        if twice:
            out.append(f"actions with two keys: {', '.join(twice)}")
        for value, rating in self.scores.items():
            if not 0 <= value <= 0xFF:
                out.append(f"score byte must be 0x00-0xFF, got {value}")
            if not 1 <= rating <= 5:
                out.append(f"score 0x{value:02X}: rating must be 1-5, got {rating}")
        if 0 <= self.display_blank <= 9:
            out.append(f"display_blank 0x{self.display_blank:02X} would show as a digit")
        return out

    def code_of(self, action: Action) -> tuple[int, tuple[int, ...]]:
        """(key code, digits typed before it) that a keypad sends for ``action``."""
        for code, named in self.keys.items():
            if named == action:
                return code, ()
        for digit, named in self.ok_digits.items():
            if named == action and self.ok_key is not None:
                return self.ok_key, (digit,)
        raise ValueError(f"the key table has no key for {action!r}")


DEFAULT_TABLE = KeyTable()


@dataclass(frozen=True, slots=True)
class KeyPress:
    """A key of the keypad at ``address``; ``digits`` were typed before it (0-9 each)."""

    address: int
    action: Action
    digits: tuple[int, ...] = ()

    @property
    def number(self) -> int | None:
        """The digits typed before the key as a number (transfer: the target window)."""
        return int("".join(map(str, self.digits))) if self.digits else None


@dataclass(frozen=True, slots=True)
class Score:
    """An evaluator's score: the byte it sent and the rating (1-5) the table makes of it."""

    address: int
    value: int
    rating: int


KeyEvent = KeyPress | Score


def _bad(frame: KeypadFrame, what: str) -> ProtocolError:
    return ProtocolError(
        f"keypad {frame.address} function 0x{frame.function:02X} "
        f"data {frame.data.hex(' ') or 'none'}: {what}"
    )


def decode_event(frame: KeypadFrame, table: KeyTable = DEFAULT_TABLE) -> KeyEvent:
    """The key event a frame carries; ProtocolError for an unknown function, key or score."""
    if not frame.data:
        raise _bad(frame, "no DATA byte (the key code is the last one)")
    code, before = frame.data[-1], frame.data[:-1]
    if table.score_function is not None and frame.function == table.score_function:
        rating = table.scores.get(code)
        if rating is None:
            known = ", ".join(f"0x{v:02X}" for v in sorted(table.scores))
            raise _bad(frame, f"unknown score 0x{code:02X} (the table knows {known})")
        return Score(frame.address, code, rating)
    if frame.function != table.key_function:
        raise _bad(frame, "unknown function")
    if any(b > 9 for b in before):
        raise _bad(frame, "the bytes before the key code must be digits 0-9")
    digits = tuple(before)
    if table.ok_key is not None and code == table.ok_key:
        if len(digits) != 1:
            raise _bad(frame, "OK needs exactly one digit before it")
        action = table.ok_digits.get(digits[0])
        if action is None:
            raise _bad(frame, f"no function for digit {digits[0]} + OK")
        return KeyPress(frame.address, action)
    key = table.keys.get(code)
    if key is None:
        raise _bad(frame, f"unknown key 0x{code:02X}")
    return KeyPress(frame.address, key, digits)


def acknowledgement(frame: KeypadFrame, table: KeyTable = DEFAULT_TABLE) -> bytes:
    """What the host sends back when it has acted on ``frame``: the echo (a score: under
    ``score_ack_function``)."""
    if table.score_function is not None and frame.function == table.score_function:
        return encode_frame(frame.address, table.score_ack_function, frame.data)
    return frame.raw


def encode_event(event: KeyEvent, table: KeyTable = DEFAULT_TABLE) -> bytes:
    """The frame a keypad or evaluator sends for ``event`` (simulators and tests)."""
    if isinstance(event, Score):
        if table.score_function is None:
            raise ValueError("the key table has no score_function")
        return encode_frame(event.address, table.score_function, bytes([event.value]))
    code, digits = table.code_of(event.action)
    typed = digits or event.digits
    if len(typed) > MAX_DIGITS_BEFORE_KEY or any(not 0 <= d <= 9 for d in typed):
        raise ValueError(f"0-{MAX_DIGITS_BEFORE_KEY} digits 0-9 before a key, got {typed}")
    return encode_frame(event.address, table.key_function, bytes([*typed, code]))


def _digits(value: int | None, blank: int) -> bytes:
    if value is None:
        return bytes([blank] * DISPLAY_DIGITS)
    if value < 0:
        raise ValueError(f"the display shows numbers from 0, got {value}")
    shown = min(value, 10**DISPLAY_DIGITS - 1)
    return bytes(int(c) for c in f"{shown:0{DISPLAY_DIGITS}d}")


def display_frame(
    address: int,
    *,
    number: int | None = None,
    waiting: int | None = None,
    table: KeyTable = DEFAULT_TABLE,
) -> bytes:
    """The host's frame showing ``waiting`` (capped at 999) and the called ``number`` (its
    last three digits) on keypad ``address``; None leaves that half blank."""
    if number is not None:
        number %= 10**DISPLAY_DIGITS
    data = _digits(waiting, table.display_blank) + _digits(number, table.display_blank)
    return encode_frame(address, table.display_function, data)


def decode_display(
    frame: KeypadFrame, table: KeyTable = DEFAULT_TABLE
) -> tuple[str | None, str | None] | None:
    """(waiting, number) as the display shows them (None: blank), or None for another frame."""
    size = 2 * DISPLAY_DIGITS
    if frame.function != table.display_function or len(frame.data) != size:
        return None

    def half(part: bytes) -> str | None:
        if all(b == table.display_blank for b in part):
            return None
        return "".join(str(b) if b <= 9 else "?" for b in part)

    return half(frame.data[:DISPLAY_DIGITS]), half(frame.data[DISPLAY_DIGITS:])
