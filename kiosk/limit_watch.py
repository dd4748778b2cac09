"""The queue's time limits on the clock: a background part that checks them twice a minute.

The limits (maximum wait, maximum service time, committed items' promised dates) are the
queue's (`kiosk.limits`); this only runs the check in a write transaction on a timer.
"""

from __future__ import annotations

import logging
import threading

from kiosk.api.common import Queue
from kiosk.limits import check_time_limits

log = logging.getLogger(__name__)
CHECK_SECONDS = 30.0


class LimitWatch:
    """Checks the queue's time limits every ``every`` seconds; a Component of the app."""

    def __init__(self, queue: Queue, every: float = CHECK_SECONDS) -> None:
        self.queue, self.every = queue, every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> int:
        """One check now; returns how many new alerts it raised."""
        return self.queue.write(check_time_limits)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                if new := self.check():
                    log.info("queue time limits: %d new alerts", new)
            except Exception:  # a bad row must not stop the limits being watched for good
                log.exception("queue time-limit check failed; retrying")

    def start(self) -> None:
        """Check in a background thread (the first check after one interval)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="queue-limits", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
