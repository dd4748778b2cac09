"""Keypads and evaluators on a pty: press keys, expect acknowledgements, resend if none come,
and keep what the host shows on each keypad's display.

Faults on demand imitate a noisy RS-485 line: garbage before a frame, a corrupted checksum
on the first try (the keypad then resends the good frame, as a real one does when no echo
comes), a frame split into pieces with pauses, and lost acknowledgements.
"""

from __future__ import annotations

import enum
import random
import threading
import time

from devices.common.pty import PtyDevice
from devices.keypad.keys import (
    DEFAULT_TABLE,
    KeyEvent,
    KeyTable,
    acknowledgement,
    decode_display,
    encode_event,
)
from devices.keypad.protocol import FrameParser, KeypadFrame


class Fault(enum.Enum):
    """A line fault applied to the first transmission of a press."""

    NOISE = "noise"
    BAD_CHECKSUM = "bad_checksum"
    SPLIT = "split"


class KeypadSimulator(PtyDevice):
    """Any number of keypads (addresses) sharing one simulated line."""

    def __init__(
        self,
        *,
        link_path: str | None = None,
        ack_timeout: float = 0.5,
        retries: int = 3,
        seed: int = 0,
        table: KeyTable = DEFAULT_TABLE,
    ) -> None:
        super().__init__(link_path, "keypad-sim")
        self.table = table
        self.ack_timeout = ack_timeout
        self.retries = retries
        self.ignore_acks = 0  # acknowledgements to treat as lost on the line
        self.sent: list[bytes] = []
        self.resends = 0
        self._random = random.Random(seed)
        self._parser = FrameParser()
        self._acks: list[bytes] = []
        self._displays: dict[int, list[tuple[str | None, str | None]]] = {}
        self._cond = threading.Condition()

    @property
    def acks(self) -> list[bytes]:
        """Echoes received from the host, in order."""
        with self._cond:
            return list(self._acks)

    def displays(self, address: int) -> list[tuple[str | None, str | None]]:
        """What the host showed on keypad ``address``, in order: (waiting, number), None blank."""
        with self._cond:
            return list(self._displays.get(address, ()))

    def showing(self, address: int) -> tuple[str | None, str | None] | None:
        """What keypad ``address`` shows now, None before the host showed anything."""
        shown = self.displays(address)
        return shown[-1] if shown else None

    def wait_display(
        self, address: int, waiting: str | None, number: str | None, timeout: float = 5.0
    ) -> bool:
        """Wait until keypad ``address`` shows (waiting, number)."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._displays.get(address, [(None, None)])[-1:] == [(waiting, number)],
                timeout,
            )

    def press(self, event: KeyEvent, fault: Fault | None = None) -> bool:
        """Send the key's frame until it is acknowledged; False when no ack after the retries."""
        return self.send_frame(encode_event(event, self.table), fault)

    def send_frame(self, frame: bytes, fault: Fault | None = None) -> bool:
        """Send raw frame bytes with retries; True once the host acknowledged them."""
        parsed = FrameParser().feed(frame)
        expected = acknowledgement(parsed[0], self.table) if parsed else frame
        for attempt in range(1 + self.retries):
            with self._cond:
                seen = len(self._acks)
            self._transmit(frame, fault if attempt == 0 else None)
            if attempt:
                self.resends += 1
            if self._wait_ack(expected, seen):
                return True
        return False

    def send_raw(self, data: bytes) -> None:
        """Put bytes on the line with no retry (noise, partial frames)."""
        self.sent.append(data)
        self.pty.write(data)

    def _transmit(self, frame: bytes, fault: Fault | None) -> None:
        if fault is Fault.NOISE:
            noise = bytes(self._random.choice(b"\x00\x16\x68\xff\x55\x01") for _ in range(7))
            self.send_raw(noise + frame)
        elif fault is Fault.BAD_CHECKSUM:
            self.send_raw(frame[:-2] + bytes([(frame[-2] + 1) & 0xFF]) + frame[-1:])
        elif fault is Fault.SPLIT:
            for piece in (frame[:2], frame[2:6], frame[6:]):
                self.send_raw(piece)
                time.sleep(0.03)
        else:
            self.send_raw(frame)

    def _wait_ack(self, frame: bytes, seen: int) -> bool:
        deadline = time.monotonic() + self.ack_timeout
        with self._cond:
            while True:
                if frame in self._acks[seen:]:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)

    def _received(self, data: bytes, now: float) -> None:
        for echoed in self._parser.feed(data):
            with self._cond:
                if self._displayed(echoed):
                    continue
                if self.ignore_acks:
                    self.ignore_acks -= 1
                    continue
                self._acks.append(echoed.raw)
                self._cond.notify_all()

    def _displayed(self, frame: KeypadFrame) -> bool:
        shown = decode_display(frame, self.table)
        if shown is None:
            return False
        self._displays.setdefault(frame.address, []).append(shown)
        self._cond.notify_all()
        return True
