"""The queue's time limits on the clock: a background part that checks them twice a minute.

The limits (maximum wait, maximum service time, committed items' promised dates) are the
queue's (`kiosk.limits`); this only runs the check in a write transaction on a timer.
"""

from __future__ import annotations

import logging

from hallbase.background import BackgroundLoop, repeat
from kiosk.api.common import Queue
from kiosk.limits import check_time_limits

log = logging.getLogger(__name__)
CHECK_SECONDS = 30.0
RETRY = "queue time-limit check failed; retrying"


class LimitWatch:
    """Checks the queue's time limits every ``every`` seconds; a Component of the app."""

    def __init__(self, queue: Queue, every: float = CHECK_SECONDS) -> None:
        self.queue, self.every = queue, every
        # A bad row must not stop the limits being watched for good.
        watch = repeat(self._round, every=every, logger=log, failed=RETRY)
        self._background = BackgroundLoop("queue-limits", watch)

    def check(self) -> int:
        """One check now; returns how many new alerts it raised."""
        return self.queue.write(check_time_limits)

    def _round(self) -> None:
        if new := self.check():
            log.info("queue time limits: %d new alerts", new)

    def start(self) -> None:
        """Check in a background thread (the first check after one interval)."""
        self._background.start()

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self._background.stop()
