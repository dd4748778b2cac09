"""A loop on a named daemon thread that its owner starts and stops (the app's background parts).

The loop is handed a stop event; it checks it and sleeps with ``stop.wait`` so that a stop ends
it at once. `repeat` builds the common loop: one step every so many seconds, a failing step
logged and the loop kept alive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

log = logging.getLogger(__name__)
Loop = Callable[[threading.Event], None]


class BackgroundLoop:
    """Runs ``loop(stop)`` on a daemon thread named ``name`` between `start` and `stop`.

    Both may be called more than once; a stopped loop can be started again. Each start hands
    the loop a fresh event, so that a thread that outlived its stop ends on its own. An
    exception that leaves the loop is logged and ends the thread.
    """

    def __init__(self, name: str, loop: Loop, *, stop_seconds: float = 10.0) -> None:
        self.name = name
        self.stop_seconds = stop_seconds
        self.stopping = threading.Event()  # set from the first stop request until a start
        self._loop = loop
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """True while the thread lives (also while it is ending after a stop request)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread, unless it was started and not stopped since."""
        if self._thread is not None:
            return
        self.stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(self.stopping,), name=self.name, daemon=True
        )
        self._thread.start()

    def request_stop(self) -> None:
        """Tell the loop to stop, without waiting for it."""
        self.stopping.set()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop the loop and wait for it at most ``timeout`` seconds (default ``stop_seconds``).

        Returns False, and logs it, when the thread is still running at the end of the wait.
        """
        self.stopping.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        thread.join(max(0.0, self.stop_seconds if timeout is None else timeout))
        if thread.is_alive():
            log.warning("%s: still running after its stop", self.name)
            return False
        return True

    def _run(self, stop: threading.Event) -> None:
        try:
            self._loop(stop)
        except Exception:  # logged where the service's logs go, not only on stderr
            log.exception("%s: the background loop ended on an error", self.name)


def repeat(
    step: Callable[[], timedelta | None],
    *,
    every: float,
    first: float | None = None,
    logger: logging.Logger,
    failed: str,
) -> Loop:
    """A loop that runs ``step`` until stopped, waiting ``first`` seconds (default ``every``)
    before the first step and, after each, the time ``step`` returns (None: ``every``).

    The wait is a `timedelta`, not a number, so that a step returning a count by mistake (0
    alerts raised) fails the type check instead of making the loop spin without a pause.

    A step that raises is logged on ``logger`` with the message ``failed``; the loop waits
    ``every`` and goes on (a bad row must not stop a background part for good).
    """

    def loop(stop: threading.Event) -> None:
        wait = every if first is None else first
        while not stop.wait(wait):
            try:
                after = step()
            except Exception:
                logger.exception(failed)
                after = None
            wait = every if after is None else after.total_seconds()

    return loop
