"""A daemon thread with a stop flag, started and stopped by its owner (or a ``with`` block)."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Self


class BackgroundWorker:
    """Runs ``_run`` on one daemon thread until ``_stop`` is set.

    Subclasses implement ``_run`` (which checks ``self._stop`` and sleeps with
    ``self._stop.wait``) and usually wrap ``start``/``stop`` to open and close their
    resources around the thread.
    """

    def __init__(self, thread_name: str) -> None:
        self._thread_name = thread_name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start the thread; ``_run`` does the work (an adapter opens its port there)."""
        self._start_thread()

    def stop(self) -> None:
        """Stop the thread and wait for it."""
        self._stop_thread()

    def _start_thread(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._thread_name, daemon=True)
        self._thread.start()

    def _stop_thread(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _wake(self) -> None:
        """Interrupt a wait other than ``_stop.wait`` (a condition variable) so the thread ends."""

    def _run(self) -> None:
        raise NotImplementedError
