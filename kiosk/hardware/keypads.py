"""The window keypads and evaluators on their RS-485 line, wired to the queue.

A press becomes the console's operations (`kiosk.hardware.keys`), each in its own transaction;
the keypad gets its acknowledgement only when one of them was done, and a refused press is
published (``device.keypad_refused``) with the queue's reason. What a window's keypad shows
follows the queue's events, whoever acted (keypad or console), as hall systems do: the number
called to the window, and the count still waiting once its citizen has left.
"""

from __future__ import annotations

import logging

from devices.events import BadRecord
from devices.keypad.adapter import KeypadBus
from devices.keypad.keys import KeyEvent, KeyTable
from devices.led.transport import SerialBus
from hallbase.hallconfig.queue_devices import KeypadCodes, QueueDevicesSection
from kiosk.api import flow_message
from kiosk.api.common import Queue
from kiosk.errors import QueueError
from kiosk.events import EventBus, Published
from kiosk.flow import FlowError
from kiosk.hardware.keys import key_operations, waiting_for
from kiosk.hardware.printing import PARITY

log = logging.getLogger(__name__)

SHOW_NUMBER = ("ticket.called", "ticket.recalled")
SHOW_WAITING = ("ticket.finished", "ticket.no_show", "ticket.suspended", "ticket.transferred")


def key_table(codes: KeypadCodes) -> KeyTable:
    """The hall file's ``keypad_codes`` as the protocol's table."""
    return KeyTable(
        key_function=codes.function,
        keys=codes.key_actions(),  # type: ignore[arg-type]  # checked names: KEY_ACTIONS
        ok_key=codes.ok,
        ok_digits=codes.ok_actions(),  # type: ignore[arg-type]  # DIGIT_ACTIONS
        score_function=codes.score_function,
        score_ack_function=codes.score_ack_function,
        scores=dict(codes.scores),
        display_function=codes.display_function,
        display_blank=codes.display_blank,
    )


class KeypadDesk:
    """The keypad line of the hall: presses to the queue, numbers back to the displays."""

    def __init__(self, queue: Queue, bus: EventBus, config: QueueDevicesSection) -> None:
        assert config.keypad_bus is not None
        self.queue = queue
        self.bus = bus
        self.table = key_table(config.keypad_codes)
        transport = SerialBus(
            config.keypad_bus,
            baudrate=config.keypad_baudrate,
            parity=PARITY[config.keypad_parity],
        )
        self.line = KeypadBus(
            transport,
            self.on_key,
            table=self.table,
            on_bad=self._on_bad,
            dedupe_window=config.keypad_dedupe_s,
        )
        self.key_windows = {
            address: w.number
            for w in config.windows
            for address in (w.keypad, w.evaluator)
            if address is not None
        }
        self.displays = {w.number: w.keypad for w in config.windows if w.keypad is not None}

    def start(self) -> None:
        """Open the line and start reading."""
        self.line.start()

    def stop(self) -> None:
        """Stop reading and close the line."""
        self.line.stop()

    def _on_bad(self, record: BadRecord) -> None:
        log.warning("keypad frame refused: %s", record.reason)

    def on_key(self, event: KeyEvent) -> bool:
        """Turn one keypad or evaluator press into queue operations; True when one was done."""
        window = self.key_windows.get(event.address)
        if window is None:
            log.warning("keypad address %d belongs to no window: %r ignored", event.address, event)
            return False
        done = False
        try:
            for operation in key_operations(window, event):
                done = self.queue.write(operation) is not None or done
        except (QueueError, FlowError) as exc:
            detail = exc.detail if isinstance(exc, QueueError) else str(exc)
            message = exc.body()["message"] if isinstance(exc, QueueError) else flow_message(exc)
            log.info("window %d keypad %r refused: %s", window, event, detail)
            self.bus.publish(
                "device.keypad_refused", {"window": window, "detail": detail, "message": message}
            )
            if not done:
                self.show_waiting(window)  # the display says what there is instead
        return done

    def handle(self, event: Published) -> None:
        """Follow one queue event on the window's keypad display."""
        if event.kind not in SHOW_NUMBER and event.kind not in SHOW_WAITING:
            return
        window = int(event.data["window"])
        if window not in self.displays:
            return
        if event.kind in SHOW_NUMBER:
            number = int("".join(c for c in str(event.data["code"]) if c.isdigit()) or 0)
            self.line.show(self.displays[window], number=number)
        else:
            self.show_waiting(window)

    def show_waiting(self, window: int) -> None:
        """Show on ``window``'s keypad how many wait for it."""
        address = self.displays.get(window)
        if address is not None:
            waiting = self.queue.read(lambda ctx: waiting_for(ctx, window))
            self.line.show(address, waiting=waiting)
